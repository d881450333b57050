import type { Database } from 'better-sqlite3';
import { type CsvColumn, toCsv } from './csv.js';
import { type CurrencyTotal, group } from './grouping.js';
import { type Period, toIso, toMs } from './time.js';

export interface BadDebtPmRow {
  readonly pmId: string;
  /** Write-offs charged to the PM (the PM named on the write-off event). */
  readonly writeOffs: number;
  /** The bad debt: write-off amounts per currency. */
  readonly badDebt: readonly CurrencyTotal[];
  /** Shown apart from bad debt: unit cost − amount recovered, per currency. */
  readonly liquidationLosses: readonly CurrencyTotal[];
  /** Units disposed of in the period, any disposition, charged to this PM. */
  readonly unitsDisposed: number;
  /** writeOffs ÷ unitsDisposed; null when nothing was disposed of. */
  readonly badDebtRate: number | null;
}

export interface BadDebtReport {
  readonly from: string;
  readonly to: string;
  readonly pms: readonly BadDebtPmRow[];
}

interface Row {
  pmId: string;
  kind: 'restocked' | 'returned-to-customer' | 'liquidated' | 'written-off';
  currency: string | null;
  count: number;
  amount: number | null;
  loss: number | null;
}

/**
 * Bad debt per PM over `[from, to)` (kpis.md §4), by business time of the disposal. A write-off is
 * charged to the PM on its event; any other disposal to the unit's PM at custody entry.
 */
export function badDebtReport(db: Database, period: Period): BadDebtReport {
  const from = toMs(period.from);
  const to = toMs(period.to);
  const rows = db
    .prepare(
      `SELECT pm_id AS pmId, kind, currency, COUNT(*) AS count, SUM(amount) AS amount, SUM(loss) AS loss
       FROM disposals WHERE at >= @from AND at < @to
       GROUP BY pm_id, kind, currency
       ORDER BY pm_id, kind, currency`,
    )
    .all({ from, to }) as Row[];
  const pms = group(rows, (r) => r.pmId).map(([pmId, list]): BadDebtPmRow => {
    const writeOffs = list.filter((r) => r.kind === 'written-off');
    const liquidations = list.filter((r) => r.kind === 'liquidated');
    const writeOffCount = writeOffs.reduce((n, r) => n + r.count, 0);
    const disposed = list.reduce((n, r) => n + r.count, 0);
    return {
      pmId,
      writeOffs: writeOffCount,
      badDebt: writeOffs.map((r) => ({ currency: r.currency!, count: r.count, amount: r.amount ?? 0 })),
      liquidationLosses: liquidations.map((r) => ({
        currency: r.currency!,
        count: r.count,
        amount: r.loss ?? 0,
      })),
      unitsDisposed: disposed,
      badDebtRate: disposed === 0 ? null : writeOffCount / disposed,
    };
  });
  return { from: toIso(from), to: toIso(to), pms };
}

/** Money per currency in one CSV field: `EUR 1200; USD 300` (currencies in code order). */
export function moneyField(totals: readonly CurrencyTotal[]): string {
  return totals.map((t) => `${t.currency} ${t.amount}`).join('; ');
}

export const BAD_DEBT_CSV_COLUMNS: readonly CsvColumn<BadDebtPmRow>[] = [
  { header: 'pm_id', value: (r) => r.pmId },
  { header: 'write_offs', value: (r) => r.writeOffs },
  { header: 'bad_debt', value: (r) => moneyField(r.badDebt) },
  { header: 'liquidation_losses', value: (r) => moneyField(r.liquidationLosses) },
  { header: 'units_disposed', value: (r) => r.unitsDisposed },
  { header: 'bad_debt_rate', value: (r) => r.badDebtRate },
];

export function badDebtCsv(report: BadDebtReport): string {
  return toCsv(BAD_DEBT_CSV_COLUMNS, report.pms);
}
