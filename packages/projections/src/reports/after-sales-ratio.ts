import type { Database } from 'better-sqlite3';
import { type CsvColumn, toCsv } from './csv.js';
import { type Period, toIso, toMs } from './time.js';

export type AfterSalesFlag = 'alert' | 'delist';

export interface AfterSalesRatioOptions extends Period {
  /** Default 0.02. */
  readonly alertRatio?: number;
  /** Default 0.05. */
  readonly delistRatio?: number;
  /** A SKU is flagged only when at least this many units were sold in the period; default 50. */
  readonly minUnitsSold?: number;
}

export interface AfterSalesRatioRow {
  readonly sku: string;
  /** The SKU's PM and vendor in force at the end of the period. */
  readonly pmId: string | null;
  readonly vendorId: string | null;
  readonly unitsSold: number;
  /** Units on cases opened in the period, whatever became of them. */
  readonly unitsOnCases: number;
  /** unitsOnCases ÷ unitsSold; null when nothing was sold. */
  readonly ratio: number | null;
  readonly flag: AfterSalesFlag | null;
}

export interface AfterSalesRatioReport {
  readonly from: string;
  readonly to: string;
  readonly alertRatio: number;
  readonly delistRatio: number;
  readonly minUnitsSold: number;
  readonly skus: readonly AfterSalesRatioRow[];
}

interface Row {
  sku: string;
  unitsSold: number;
  unitsOnCases: number;
}

/**
 * After-sales ratio per SKU over `[from, to)` (kpis.md §6): every SKU registered before `to` or
 * with sales or cases in the period. A day's sales count when the day starts within the period.
 */
export function afterSalesRatioReport(db: Database, options: AfterSalesRatioOptions): AfterSalesRatioReport {
  const from = toMs(options.from);
  const to = toMs(options.to);
  const alertRatio = options.alertRatio ?? 0.02;
  const delistRatio = options.delistRatio ?? 0.05;
  const minUnitsSold = options.minUnitsSold ?? 50;
  const rows = db
    .prepare(
      `WITH sold AS (
         SELECT sku, SUM(quantity) AS units FROM sales_daily WHERE sold_on >= @from AND sold_on < @to GROUP BY sku
       ), cased AS (
         SELECT sku, SUM(quantity) AS units FROM cases WHERE opened_at >= @from AND opened_at < @to GROUP BY sku
       ), listed AS (
         SELECT sku FROM skus WHERE registered_at < @to UNION SELECT sku FROM sold UNION SELECT sku FROM cased
       )
       SELECT l.sku AS sku, COALESCE(s.units, 0) AS unitsSold, COALESCE(c.units, 0) AS unitsOnCases
       FROM listed l
       LEFT JOIN sold s ON s.sku = l.sku
       LEFT JOIN cased c ON c.sku = l.sku
       ORDER BY l.sku`,
    )
    .all({ from, to }) as Row[];
  const assignment = db.prepare(
    `SELECT pm_id AS pmId, vendor_id AS vendorId FROM sku_assignments
     WHERE sku = ? AND from_at < ? ORDER BY from_at DESC, seq DESC LIMIT 1`,
  );
  const skus = rows.map((r): AfterSalesRatioRow => {
    const owner = assignment.get(r.sku, to) as { pmId: string; vendorId: string } | undefined;
    const ratio = r.unitsSold === 0 ? null : r.unitsOnCases / r.unitsSold;
    const flagged = ratio !== null && r.unitsSold >= minUnitsSold;
    return {
      sku: r.sku,
      pmId: owner?.pmId ?? null,
      vendorId: owner?.vendorId ?? null,
      unitsSold: r.unitsSold,
      unitsOnCases: r.unitsOnCases,
      ratio,
      flag: !flagged ? null : ratio >= delistRatio ? 'delist' : ratio >= alertRatio ? 'alert' : null,
    };
  });
  return { from: toIso(from), to: toIso(to), alertRatio, delistRatio, minUnitsSold, skus };
}

export const AFTER_SALES_RATIO_CSV_COLUMNS: readonly CsvColumn<AfterSalesRatioRow>[] = [
  { header: 'sku', value: (r) => r.sku },
  { header: 'pm_id', value: (r) => r.pmId },
  { header: 'vendor_id', value: (r) => r.vendorId },
  { header: 'units_sold', value: (r) => r.unitsSold },
  { header: 'units_on_cases', value: (r) => r.unitsOnCases },
  { header: 'ratio', value: (r) => r.ratio },
  { header: 'flag', value: (r) => r.flag },
];

export function afterSalesRatioCsv(report: AfterSalesRatioReport): string {
  return toCsv(AFTER_SALES_RATIO_CSV_COLUMNS, report.skus);
}
