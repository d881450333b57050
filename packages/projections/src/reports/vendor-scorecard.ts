import type { Database } from 'better-sqlite3';
import { moneyField } from './bad-debt.js';
import { type CsvColumn, toCsv } from './csv.js';
import type { CurrencyTotal } from './grouping.js';
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

/** One vendor's (or PM's) figures while they are being summed. */
class Card {
  dispatches = 0;
  readonly turnarounds: number[] = [];
  withinAgreement = 0;
  dunnings = 0;
  readonly credits = new Map<string, { count: number; amount: number }>();
  rejections = 0;
  retests = 0;
  failedRetests = 0;
  readonly writeOffs = new Map<string, { count: number; amount: number }>();

  scorecard(): Scorecard {
    const turnarounds = this.turnarounds.sort((a, b) => a - b);
    const n = turnarounds.length;
    return {
      dispatches: this.dispatches,
      responses: n,
      meanTurnaroundDays: n === 0 ? null : turnarounds.reduce((a, b) => a + b, 0) / n / DAY_MS,
      p90TurnaroundDays: n === 0 ? null : turnarounds[Math.ceil(0.9 * n) - 1]! / DAY_MS,
      withinAgreementShare: n === 0 ? null : this.withinAgreement / n,
      dunnings: this.dunnings,
      credits: currencyTotals(this.credits),
      rejections: this.rejections,
      retests: this.retests,
      failedRetests: this.failedRetests,
      retestFailureRate: this.retests === 0 ? null : this.failedRetests / this.retests,
      writeOffs: currencyTotals(this.writeOffs),
    };
  }
}

function addMoney(
  totals: Map<string, { count: number; amount: number }>,
  currency: string,
  count: number,
  amount: number,
): void {
  const total = totals.get(currency);
  if (total) {
    total.count += count;
    total.amount += amount;
  } else totals.set(currency, { count, amount });
}

function currencyTotals(totals: Map<string, { count: number; amount: number }>): CurrencyTotal[] {
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, { count, amount }]) => ({ currency, count, amount }));
}

function sortedCards(cards: Map<string, Card>): [string, Scorecard][] {
  return [...cards.keys()].sort().map((id) => [id, cards.get(id)!.scorecard()]);
}

// Counts are summed in SQL per vendor and PM (covering indexes on the event times).
const COUNTS_SQL = `
  SELECT 'dispatch', vendor_id, pm_id, COUNT(*), 0, NULL FROM dispatches
  WHERE dispatched_at >= @from AND dispatched_at < @to GROUP BY vendor_id, pm_id
  UNION ALL
  SELECT 'dunning', vendor_id, pm_id, COUNT(*), 0, NULL FROM dunnings
  WHERE at >= @from AND at < @to GROUP BY vendor_id, pm_id
  UNION ALL
  SELECT 'retest', vendor_id, pm_id, COUNT(*), SUM(passed = 0), NULL FROM retests
  WHERE at >= @from AND at < @to GROUP BY vendor_id, pm_id
  UNION ALL
  SELECT 'write-off', d.vendor_id, u.pm_id, COUNT(*), SUM(d.amount), d.currency
  FROM disposals d JOIN units u ON u.unit_id = d.unit_id
  WHERE d.kind = 'written-off' AND d.at >= @from AND d.at < @to GROUP BY d.vendor_id, u.pm_id, d.currency`;

// Per vendor, PM and credit currency (null but for credits), in one pass over the period's
// responses: responses within the agreement, rejections, credits and their amount, and the
// turnarounds themselves (comma-separated milliseconds), which the percentile needs one by one.
const RESPONSES_SQL = `
  SELECT vendor_id, pm_id, SUM(responded_at <= due_at), SUM(response = 'rejected'), credit_currency,
         SUM(response = 'credit'), SUM(CASE WHEN response = 'credit' THEN credit_amount ELSE 0 END),
         group_concat(responded_at - dispatched_at)
  FROM dispatches WHERE responded_at >= @from AND responded_at < @to
  GROUP BY vendor_id, pm_id, credit_currency`;

type CountRow = [
  what: 'dispatch' | 'dunning' | 'retest' | 'write-off',
  vendorId: string,
  pmId: string,
  count: number,
  failedOrAmount: number,
  currency: string | null,
];
type ResponseRow = [
  vendorId: string,
  pmId: string,
  withinAgreement: number,
  rejections: number,
  creditCurrency: string | null,
  credits: number,
  creditAmount: number,
  turnaroundsMs: string,
];

/** Vendor scorecard over `[from, to)` (kpis.md §5), each figure by the business time of its own event. */
export function vendorScorecardReport(db: Database, period: Period): VendorScorecardReport {
  const params = { from: toMs(period.from), to: toMs(period.to) };
  const byVendor = new Map<string, Card>();
  const byPm = new Map<string, Card>();
  const cardsOf = (vendorId: string, pmId: string): [Card, Card] => {
    let vendor = byVendor.get(vendorId);
    if (!vendor) {
      vendor = new Card();
      byVendor.set(vendorId, vendor);
    }
    let pm = byPm.get(pmId);
    if (!pm) {
      pm = new Card();
      byPm.set(pmId, pm);
    }
    return [vendor, pm];
  };
  for (const [what, vendorId, pmId, count, failedOrAmount, currency] of db
    .prepare(COUNTS_SQL)
    .raw()
    .all(params) as CountRow[]) {
    for (const card of cardsOf(vendorId, pmId)) {
      if (what === 'dispatch') card.dispatches += count;
      else if (what === 'dunning') card.dunnings += count;
      else if (what === 'retest') {
        card.retests += count;
        card.failedRetests += failedOrAmount;
      } else addMoney(card.writeOffs, currency!, count, failedOrAmount);
    }
  }
  for (const [vendorId, pmId, within, rejections, creditCurrency, credits, creditAmount, turnaroundsMs] of db
    .prepare(RESPONSES_SQL)
    .raw()
    .all(params) as ResponseRow[]) {
    const turnarounds = turnaroundsMs.split(',').map(Number);
    for (const card of cardsOf(vendorId, pmId)) {
      card.withinAgreement += within;
      card.rejections += rejections;
      if (credits > 0) addMoney(card.credits, creditCurrency!, credits, creditAmount);
      for (const turnaround of turnarounds) card.turnarounds.push(turnaround);
    }
  }
  return {
    from: toIso(params.from),
    to: toIso(params.to),
    vendors: sortedCards(byVendor).map(([vendorId, card]) => ({ vendorId, ...card })),
    pms: sortedCards(byPm).map(([pmId, card]) => ({ pmId, ...card })),
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
