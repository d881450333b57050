import type { Database } from 'better-sqlite3';
import { moneyField } from './bad-debt.js';
import { type CsvColumn, toCsv } from './csv.js';
import { type CurrencyTotal, group, totalsByCurrency } from './grouping.js';
import { DAY_MS, type Period, toIso, toMs } from './time.js';

export interface Scorecard {
  /** Dispatches made in the period. */
  readonly dispatches: number;
  /** Vendor responses (repaired, replacement, credit, rejection) recorded in the period. */
  readonly responses: number;
  /** Over those responses; null when there were none. */
  readonly meanTurnaroundDays: number | null;
  /** Nearest rank: the turnaround at rank ⌈0.9·n⌉ of the sorted turnarounds. */
  readonly p90TurnaroundDays: number | null;
  /** Responses at or before the dispatch's vendorDueAt ÷ responses. */
  readonly withinAgreementShare: number | null;
  readonly dunnings: number;
  readonly credits: readonly CurrencyTotal[];
  readonly rejections: number;
  readonly retests: number;
  readonly failedRetests: number;
  /** failedRetests ÷ retests; null when there were none. */
  readonly retestFailureRate: number | null;
  readonly writeOffs: readonly CurrencyTotal[];
}

export interface VendorScorecardReport {
  readonly from: string;
  readonly to: string;
  readonly vendors: readonly (Scorecard & { readonly vendorId: string })[];
  /** The same figures rolled up per PM (the unit's PM at custody entry). */
  readonly pms: readonly (Scorecard & { readonly pmId: string })[];
}

interface Keyed {
  vendorId: string;
  pmId: string;
}
interface Response extends Keyed {
  dispatchedAt: number;
  dueAt: number;
  respondedAt: number;
  response: string;
  creditAmount: number | null;
  creditCurrency: string | null;
}
interface Retest extends Keyed {
  passed: number;
}
interface WriteOff extends Keyed {
  amount: number;
  currency: string;
}

/** Vendor scorecard over `[from, to)` (kpis.md §5), each figure by the business time of its own event. */
export function vendorScorecardReport(db: Database, period: Period): VendorScorecardReport {
  const params = { from: toMs(period.from), to: toMs(period.to) };
  const keys = 'vendor_id AS vendorId, pm_id AS pmId';
  const dispatches = db
    .prepare(`SELECT ${keys} FROM dispatches WHERE dispatched_at >= @from AND dispatched_at < @to`)
    .all(params) as Keyed[];
  const responses = db
    .prepare(
      `SELECT ${keys}, dispatched_at AS dispatchedAt, due_at AS dueAt, responded_at AS respondedAt, response,
              credit_amount AS creditAmount, credit_currency AS creditCurrency
       FROM dispatches WHERE responded_at >= @from AND responded_at < @to`,
    )
    .all(params) as Response[];
  const dunnings = db
    .prepare(`SELECT ${keys} FROM dunnings WHERE at >= @from AND at < @to`)
    .all(params) as Keyed[];
  const retests = db
    .prepare(`SELECT ${keys}, passed FROM retests WHERE at >= @from AND at < @to`)
    .all(params) as Retest[];
  const writeOffs = db
    .prepare(
      `SELECT d.vendor_id AS vendorId, u.pm_id AS pmId, d.amount AS amount, d.currency AS currency
       FROM disposals d JOIN units u ON u.unit_id = d.unit_id
       WHERE d.kind = 'written-off' AND d.at >= @from AND d.at < @to`,
    )
    .all(params) as WriteOff[];

  const by = (key: keyof Keyed) => {
    const ids = new Set<string>();
    for (const list of [dispatches, responses, dunnings, retests, writeOffs])
      for (const r of list) ids.add(r[key]);
    const pick = <T extends Keyed>(list: readonly T[]) => new Map(group(list, (r) => r[key]));
    const d = pick(dispatches);
    const res = pick(responses);
    const dun = pick(dunnings);
    const ret = pick(retests);
    const wo = pick(writeOffs);
    return [...ids]
      .sort()
      .map(
        (id) =>
          [
            id,
            scorecard(
              d.get(id) ?? [],
              res.get(id) ?? [],
              dun.get(id) ?? [],
              ret.get(id) ?? [],
              wo.get(id) ?? [],
            ),
          ] as const,
      );
  };
  return {
    from: toIso(params.from),
    to: toIso(params.to),
    vendors: by('vendorId').map(([vendorId, card]) => ({ vendorId, ...card })),
    pms: by('pmId').map(([pmId, card]) => ({ pmId, ...card })),
  };
}

function scorecard(
  dispatches: readonly Keyed[],
  responses: readonly Response[],
  dunnings: readonly Keyed[],
  retests: readonly Retest[],
  writeOffs: readonly WriteOff[],
): Scorecard {
  const turnarounds = responses.map((r) => r.respondedAt - r.dispatchedAt).sort((a, b) => a - b);
  const n = turnarounds.length;
  const failed = retests.filter((r) => r.passed === 0).length;
  const credits = responses.filter((r) => r.response === 'credit');
  return {
    dispatches: dispatches.length,
    responses: n,
    meanTurnaroundDays: n === 0 ? null : turnarounds.reduce((a, b) => a + b, 0) / n / DAY_MS,
    p90TurnaroundDays: n === 0 ? null : turnarounds[Math.ceil(0.9 * n) - 1]! / DAY_MS,
    withinAgreementShare: n === 0 ? null : responses.filter((r) => r.respondedAt <= r.dueAt).length / n,
    dunnings: dunnings.length,
    credits: totalsByCurrency(credits, (r) => ({ currency: r.creditCurrency!, amount: r.creditAmount! })),
    rejections: responses.filter((r) => r.response === 'rejected').length,
    retests: retests.length,
    failedRetests: failed,
    retestFailureRate: retests.length === 0 ? null : failed / retests.length,
    writeOffs: totalsByCurrency(writeOffs, (r) => r),
  };
}

const SCORECARD_COLUMNS: readonly CsvColumn<Scorecard>[] = [
  { header: 'dispatches', value: (r) => r.dispatches },
  { header: 'responses', value: (r) => r.responses },
  { header: 'mean_turnaround_days', value: (r) => r.meanTurnaroundDays },
  { header: 'p90_turnaround_days', value: (r) => r.p90TurnaroundDays },
  { header: 'within_agreement_share', value: (r) => r.withinAgreementShare },
  { header: 'dunnings', value: (r) => r.dunnings },
  { header: 'credits', value: (r) => r.credits.reduce((n, t) => n + t.count, 0) },
  { header: 'credit_amounts', value: (r) => moneyField(r.credits) },
  { header: 'rejections', value: (r) => r.rejections },
  { header: 'retests', value: (r) => r.retests },
  { header: 'failed_retests', value: (r) => r.failedRetests },
  { header: 'retest_failure_rate', value: (r) => r.retestFailureRate },
  { header: 'write_offs', value: (r) => r.writeOffs.reduce((n, t) => n + t.count, 0) },
  { header: 'write_off_amounts', value: (r) => moneyField(r.writeOffs) },
];

export const VENDOR_SCORECARD_CSV_COLUMNS: readonly CsvColumn<Scorecard & { vendorId: string }>[] = [
  { header: 'vendor_id', value: (r) => r.vendorId },
  ...SCORECARD_COLUMNS,
];

/** One line per vendor (the per-PM roll-up is in the JSON). */
export function vendorScorecardCsv(report: VendorScorecardReport): string {
  return toCsv(VENDOR_SCORECARD_CSV_COLUMNS, report.vendors);
}
