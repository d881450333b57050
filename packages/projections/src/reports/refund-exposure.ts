import type { Database } from 'better-sqlite3';
import { type CsvColumn, toCsv } from './csv.js';
import { type CurrencyTotal, totalsByCurrency } from './grouping.js';
import { DAY_MS, toIso, toMs } from './time.js';

export interface ExposedRefund {
  readonly refundId: string;
  readonly caseId: string;
  readonly paidAt: string;
  readonly amount: number;
  readonly currency: string;
  readonly daysSincePayment: number;
}

export interface RefundExposureReport {
  readonly asOf: string;
  readonly count: number;
  /** Count and amount per currency. */
  readonly totals: readonly CurrencyTotal[];
  /** Oldest payment first. */
  readonly refunds: readonly ExposedRefund[];
}

interface Row {
  refundId: string;
  caseId: string;
  paidAt: number;
  amount: number;
  currency: string;
}

/**
 * Refund exposure as of `asOf` (kpis.md §7): refunds paid at or before asOf on cases whose item had
 * not been received at asOf.
 */
export function refundExposureReport(db: Database, options: { readonly asOf: string }): RefundExposureReport {
  const t = toMs(options.asOf);
  const rows = db
    .prepare(
      // Materialized, so that each half keeps its partial index instead of a merge in paid_at
      // order scanning every refund.
      `WITH exposed AS MATERIALIZED (
         SELECT * FROM refunds WHERE case_received_at IS NULL AND paid_at <= @t
         UNION ALL
         SELECT * FROM refunds WHERE case_received_at > @t AND paid_at <= @t
       )
       SELECT refund_id AS refundId, case_id AS caseId, paid_at AS paidAt, amount, currency FROM exposed
       ORDER BY paid_at, refund_id`,
    )
    .all({ t }) as Row[];
  const refunds = rows.map((r) => ({
    ...r,
    paidAt: toIso(r.paidAt),
    daysSincePayment: (t - r.paidAt) / DAY_MS,
  }));
  return { asOf: toIso(t), count: refunds.length, totals: totalsByCurrency(refunds, (r) => r), refunds };
}

export const REFUND_EXPOSURE_CSV_COLUMNS: readonly CsvColumn<ExposedRefund>[] = [
  { header: 'refund_id', value: (r) => r.refundId },
  { header: 'case_id', value: (r) => r.caseId },
  { header: 'paid_at', value: (r) => r.paidAt },
  { header: 'amount', value: (r) => r.amount },
  { header: 'currency', value: (r) => r.currency },
  { header: 'days_since_payment', value: (r) => r.daysSincePayment },
];

export function refundExposureCsv(report: RefundExposureReport): string {
  return toCsv(REFUND_EXPOSURE_CSV_COLUMNS, report.refunds);
}
