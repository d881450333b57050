import type { DomainEvent } from '@rma-ledger/domain';
import type { EventStore } from '@rma-ledger/event-store';
import {
  type AfterSalesFlagConfig,
  afterSalesRatioCsv,
  afterSalesRatioReport,
  agingInventoryCsv,
  agingInventoryReport,
  badDebtCsv,
  badDebtReport,
  cycleLagCsv,
  cycleLagReport,
  DEFAULT_AFTER_SALES_FLAG_CONFIG,
  overdueRepairsCsv,
  overdueRepairsReport,
  type ProjectionRunner,
  refundExposureCsv,
  refundExposureReport,
  vendorScorecardCsv,
  vendorScorecardReport,
} from '@rma-ledger/projections';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { instantSchema } from './schemas/common.js';

/** What the report routes need of the projections: queries on the read model, and catching up. */
export type ReportReader = Pick<ProjectionRunner<DomainEvent>, 'read' | 'waitFor'>;

export const READ_MODEL = 'reports';
/** How long a report waits for the read model to reach the log's head before answering anyway. */
const CATCH_UP_MS = 5_000;

/** What configuration decides in a report: the SKU flag thresholds of kpis.md §6. */
export interface ReportSettings {
  readonly afterSales: Pick<AfterSalesFlagConfig, 'alertRatio' | 'delistRatio' | 'minUnitsSold'>;
}

export const DEFAULT_REPORT_SETTINGS: ReportSettings = { afterSales: DEFAULT_AFTER_SALES_FLAG_CONFIG };

export interface Report<Q> {
  readonly name: string;
  readonly summary: string;
  readonly query: z.ZodType<Q>;
  json(db: Database, query: Q, settings: ReportSettings): unknown;
  csv(db: Database, query: Q, settings: ReportSettings): string;
}

const asOfQuery = z.strictObject({
  asOf: instantSchema.optional().describe('The instant the report is computed at; default now'),
});
const periodQuery = z
  .strictObject({
    from: instantSchema.describe('Start of the period, inclusive'),
    to: instantSchema.describe('End of the period, exclusive'),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] });

type AsOf = z.infer<typeof asOfQuery>;
type PeriodQuery = z.infer<typeof periodQuery>;

const utc = (instant: string) => new Date(instant).toISOString();
const at = (q: AsOf) => ({ asOf: q.asOf === undefined ? new Date().toISOString() : utc(q.asOf) });
const period = (q: PeriodQuery) => ({ from: utc(q.from), to: utc(q.to) });

const snapshot = (
  name: string,
  summary: string,
  json: (db: Database, o: { asOf: string }) => object,
  csv: (r: never) => string,
): Report<AsOf> => ({
  name,
  summary,
  query: asOfQuery,
  json: (db, q) => json(db, at(q)),
  csv: (db, q) => csv(json(db, at(q)) as never),
});

const periodic = (
  name: string,
  summary: string,
  json: (db: Database, o: { from: string; to: string }, settings: ReportSettings) => object,
  csv: (r: never) => string,
): Report<PeriodQuery> => ({
  name,
  summary,
  query: periodQuery,
  json: (db, q, settings) => json(db, period(q), settings),
  csv: (db, q, settings) => csv(json(db, period(q), settings) as never),
});

/** The reports of api.md, by the name in their path; kpis.md defines each figure. */
export const REPORTS = [
  snapshot(
    'cycle-lag',
    'Cases whose vendor cycle outlasts the customer promise (kpis.md §1)',
    cycleLagReport,
    cycleLagCsv,
  ),
  snapshot(
    'overdue-vendor-repairs',
    'Units at a vendor past their due date',
    overdueRepairsReport,
    overdueRepairsCsv,
  ),
  snapshot('rma-aging', 'Units in RMA custody by age bucket', agingInventoryReport, agingInventoryCsv),
  snapshot(
    'refund-exposure',
    'Refunds paid before the item came back (kpis.md §7)',
    refundExposureReport,
    refundExposureCsv,
  ),
  periodic(
    'pm-bad-debt',
    'Write-offs and losses charged to each PM over a period',
    badDebtReport,
    badDebtCsv,
  ),
  periodic(
    'vendor-scorecard',
    'Each vendor’s turnaround and outcomes over a period',
    vendorScorecardReport,
    vendorScorecardCsv,
  ),
  periodic(
    'sku-after-sales',
    'After-sales ratio per SKU over a period, with flags at the configured thresholds',
    (db, q, settings) => afterSalesRatioReport(db, { ...q, ...settings.afterSales }),
    afterSalesRatioCsv,
  ),
  // Each report reads the output of its own `query` schema, which every caller applies first.
] as unknown as readonly Report<unknown>[];

/** Read-your-writes: wait (bounded) until the read model has applied everything in the log now. */
export async function caughtUp(reader: ReportReader, store: EventStore): Promise<void> {
  const head = await store.headPosition();
  if (head === null) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    reader.waitFor(head).catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CATCH_UP_MS);
    }),
  ]);
  clearTimeout(timer);
}
