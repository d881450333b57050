import type { Database } from 'better-sqlite3';
import { type CsvColumn, toCsv } from './csv.js';
import { type CurrencyTotal, group, totalsByCurrency } from './grouping.js';
import { DAY_MS, toIso, toIsoOrNull, toMs } from './time.js';

export interface OverdueRepair {
  readonly unitId: string;
  readonly dispatchNo: number;
  readonly caseId: string;
  readonly sku: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly dispatchedAt: string;
  readonly dueAt: string;
  readonly daysOverdue: number;
  readonly dunningCount: number;
  readonly lastDunnedAt: string | null;
  readonly unitCost: number;
  readonly currency: string;
}

export interface OverdueRepairsReport {
  readonly asOf: string;
  /** Most overdue first. */
  readonly rows: readonly OverdueRepair[];
  /** Count and total unit cost per vendor and currency. */
  readonly byVendor: readonly (CurrencyTotal & { readonly vendorId: string })[];
  readonly byPm: readonly (CurrencyTotal & { readonly pmId: string })[];
}

interface Row {
  unitId: string;
  dispatchNo: number;
  caseId: string;
  sku: string;
  vendorId: string;
  pmId: string;
  dispatchedAt: number;
  dueAt: number;
  unitCost: number;
  currency: string;
  dunningCount: number;
  lastDunnedAt: number | null;
}

// Open at T: no response at or before T — either none yet (the partial index of open dispatches)
// or one recorded after T (the index on response time), so both halves stay indexed.
const OVERDUE_SQL = `
  WITH overdue AS (
    SELECT * FROM dispatches WHERE responded_at IS NULL AND due_at < @t AND dispatched_at <= @t
    UNION ALL
    SELECT * FROM dispatches WHERE responded_at > @t AND due_at < @t AND dispatched_at <= @t
  )
  SELECT d.unit_id AS unitId, d.dispatch_no AS dispatchNo, u.case_id AS caseId, u.sku AS sku,
         d.vendor_id AS vendorId, d.pm_id AS pmId, d.dispatched_at AS dispatchedAt, d.due_at AS dueAt,
         u.unit_cost AS unitCost, u.currency AS currency,
         (SELECT COUNT(*) FROM dunnings n
          WHERE n.unit_id = d.unit_id AND n.dispatch_no = d.dispatch_no AND n.at <= @t) AS dunningCount,
         (SELECT MAX(n.at) FROM dunnings n
          WHERE n.unit_id = d.unit_id AND n.dispatch_no = d.dispatch_no AND n.at <= @t) AS lastDunnedAt
  FROM overdue d JOIN units u ON u.unit_id = d.unit_id
  ORDER BY d.due_at, d.unit_id, d.dispatch_no`;

/**
 * Overdue vendor repairs as of `asOf` (kpis.md §2): dispatches with no vendor response recorded at
 * or before asOf whose vendorDueAt is before asOf.
 */
export function overdueRepairsReport(db: Database, options: { readonly asOf: string }): OverdueRepairsReport {
  const t = toMs(options.asOf);
  const rows: OverdueRepair[] = (db.prepare(OVERDUE_SQL).all({ t }) as Row[]).map((r) => ({
    unitId: r.unitId,
    dispatchNo: r.dispatchNo,
    caseId: r.caseId,
    sku: r.sku,
    vendorId: r.vendorId,
    pmId: r.pmId,
    dispatchedAt: toIso(r.dispatchedAt),
    dueAt: toIso(r.dueAt),
    daysOverdue: (t - r.dueAt) / DAY_MS,
    dunningCount: r.dunningCount,
    lastDunnedAt: toIsoOrNull(r.lastDunnedAt),
    unitCost: r.unitCost,
    currency: r.currency,
  }));
  const cost = (r: OverdueRepair) => ({ currency: r.currency, amount: r.unitCost });
  return {
    asOf: toIso(t),
    rows,
    byVendor: group(rows, (r) => r.vendorId).flatMap(([vendorId, list]) =>
      totalsByCurrency(list, cost).map((total) => ({ vendorId, ...total })),
    ),
    byPm: group(rows, (r) => r.pmId).flatMap(([pmId, list]) =>
      totalsByCurrency(list, cost).map((total) => ({ pmId, ...total })),
    ),
  };
}

export const OVERDUE_REPAIRS_CSV_COLUMNS: readonly CsvColumn<OverdueRepair>[] = [
  { header: 'unit_id', value: (r) => r.unitId },
  { header: 'dispatch_no', value: (r) => r.dispatchNo },
  { header: 'case_id', value: (r) => r.caseId },
  { header: 'sku', value: (r) => r.sku },
  { header: 'vendor_id', value: (r) => r.vendorId },
  { header: 'pm_id', value: (r) => r.pmId },
  { header: 'dispatched_at', value: (r) => r.dispatchedAt },
  { header: 'due_at', value: (r) => r.dueAt },
  { header: 'days_overdue', value: (r) => r.daysOverdue },
  { header: 'dunning_count', value: (r) => r.dunningCount },
  { header: 'last_dunned_at', value: (r) => r.lastDunnedAt },
  { header: 'unit_cost', value: (r) => r.unitCost },
  { header: 'currency', value: (r) => r.currency },
];

export function overdueRepairsCsv(report: OverdueRepairsReport): string {
  return toCsv(OVERDUE_REPAIRS_CSV_COLUMNS, report.rows);
}
