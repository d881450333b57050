import { DAY_MS, toEpochMs } from '@rma-ledger/domain';
import type { ProviderRefundRow } from './provider-row.js';

/** A vendor credit on the RMA unit of the refunded case, shown beside the refund. */
export interface VendorCredit {
  readonly unitId: string;
  readonly amount: number;
  readonly currency: string;
}

/** A refund the ledger says was paid (from the case's RefundPaid event). */
export interface LedgerRefund {
  readonly refundId: string;
  readonly caseId: string;
  readonly orderId: string;
  /** Positive integer minor units. */
  readonly amount: number;
  readonly currency: string;
  /** UTC ISO-8601 instant. */
  readonly paidAt: string;
  /** What finance typed when paying: the provider's refund id or the merchant refund request id. */
  readonly paymentRef: string | null;
  readonly vendorCredit?: VendorCredit | null;
}

export const RECONCILIATION_CATEGORIES = [
  'matched',
  'amount-mismatch',
  'currency-mismatch',
  'provider-only',
  'ledger-only',
  'duplicate',
  'pending',
] as const;
export type ReconciliationCategory = (typeof RECONCILIATION_CATEGORIES)[number];

export type MatchedBy = 'payment-reference' | 'order-amount';

/** One line of the result. Every ledger refund and every provider row is in exactly one of them. */
export interface ReconciliationRow {
  readonly category: ReconciliationCategory;
  readonly matchedBy: MatchedBy | null;
  readonly ledger: LedgerRefund | null;
  readonly provider: ProviderRefundRow | null;
  /** Provider minus ledger, in minor units, when both sides are there in one currency. */
  readonly difference: number | null;
  readonly note: string | null;
}

export interface ReconciliationOptions {
  /** How far apart paidAt and the provider's time may be for a match by order and amount. Default 3. */
  readonly windowDays?: number;
}

export interface CategoryAmounts {
  readonly ledger: number;
  readonly provider: number;
}

/** Totals in one currency: amounts of different currencies are never added together. */
export interface CurrencyTotals {
  readonly currency: string;
  readonly ledgerRefunds: number;
  /** Sum of every ledger refund in this currency, duplicates included (they were recorded as paid). */
  readonly ledgerAmount: number;
  readonly providerRows: number;
  /** Sum of the provider rows that moved money (status succeeded), duplicates included. */
  readonly providerRefunded: number;
  readonly providerPending: number;
  readonly byCategory: Readonly<Record<ReconciliationCategory, CategoryAmounts>>;
  /** Vendor credits in this currency on the units of the reconciled cases, each unit once. */
  readonly vendorCredited: number;
}

export interface ReconciliationSummary {
  readonly ledgerRefunds: number;
  readonly providerRows: number;
  readonly rows: number;
  readonly byCategory: Readonly<Record<ReconciliationCategory, number>>;
  readonly currencies: readonly CurrencyTotals[];
}

export interface ReconciliationResult {
  readonly rows: ReconciliationRow[];
  readonly summary: ReconciliationSummary;
}

interface Pair {
  readonly ledger: LedgerRefund;
  readonly provider: ProviderRefundRow;
  readonly matchedBy: MatchedBy;
  readonly note: string | null;
}

function describeLedger(refund: LedgerRefund): string {
  return `refund ${refund.refundId} (case ${refund.caseId})`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function duplicateRow(
  ledger: LedgerRefund | null,
  provider: ProviderRefundRow | null,
  note: string,
): ReconciliationRow {
  return { category: 'duplicate', matchedBy: null, ledger, provider, difference: null, note };
}

/** The ledger refunds to match, earliest first, and the ones recording an already recorded payment. */
function setAsideLedgerDuplicates(refunds: readonly LedgerRefund[]) {
  const paidAt = new Map(refunds.map((refund) => [refund, toEpochMs(refund.paidAt)]));
  const sorted = [...refunds].sort(
    (a, b) => paidAt.get(a)! - paidAt.get(b)! || compareText(a.refundId, b.refundId),
  );
  const byId = new Map<string, LedgerRefund>();
  const byRef = new Map<string, LedgerRefund>();
  const kept: LedgerRefund[] = [];
  const duplicates: ReconciliationRow[] = [];
  for (const refund of sorted) {
    const sameRef = refund.paymentRef === null ? undefined : byRef.get(refund.paymentRef);
    if (byId.has(refund.refundId)) {
      duplicates.push(duplicateRow(refund, null, `refund ${refund.refundId} is listed twice`));
    } else if (sameRef) {
      const note = `payment reference ${refund.paymentRef} is already recorded on ${describeLedger(sameRef)}`;
      duplicates.push(duplicateRow(refund, null, note));
    } else {
      byId.set(refund.refundId, refund);
      if (refund.paymentRef !== null) byRef.set(refund.paymentRef, refund);
      kept.push(refund);
    }
  }
  return { kept, duplicates };
}

/**
 * The provider rows to match, in file order, and the ones repeating a refund: the same provider
 * refund id, or the same merchant refund request on the same payment (one request paid twice).
 */
function setAsideProviderDuplicates(rows: readonly ProviderRefundRow[]) {
  const sorted = [...rows].sort((a, b) => a.line - b.line);
  const byId = new Map<string, ProviderRefundRow>();
  const byRequest = new Map<string, ProviderRefundRow>();
  const kept: ProviderRefundRow[] = [];
  const duplicates: ReconciliationRow[] = [];
  const aliases = new Map<string, ProviderRefundRow>();
  for (const row of sorted) {
    const requestKey =
      row.merchantRefundId === null ? null : `${row.originalPaymentId ?? ''}\u0000${row.merchantRefundId}`;
    const sameId = byId.get(row.providerRefundId);
    const sameRequest = requestKey === null ? undefined : byRequest.get(requestKey);
    if (sameId) {
      const note = `provider refund ${row.providerRefundId} is already on line ${sameId.line}`;
      duplicates.push(duplicateRow(null, row, note));
    } else if (sameRequest) {
      // A ledger refund that recorded the second payment's id still finds the request it paid.
      aliases.set(row.providerRefundId, sameRequest);
      const note = `merchant refund request ${row.merchantRefundId} was already refunded on line ${sameRequest.line}: paid twice`;
      duplicates.push(duplicateRow(null, row, note));
    } else {
      byId.set(row.providerRefundId, row);
      if (requestKey !== null) byRequest.set(requestKey, row);
      kept.push(row);
    }
  }
  return { kept, duplicates, aliases };
}

/** Pairs by the ledger's paymentRef = provider refund id or merchant refund request id. */
function matchByReference(
  ledger: readonly LedgerRefund[],
  provider: {
    readonly kept: readonly ProviderRefundRow[];
    readonly aliases: ReadonlyMap<string, ProviderRefundRow>;
  },
  claimedBy: Map<ProviderRefundRow, LedgerRefund>,
) {
  const byReference = new Map<string, ProviderRefundRow[]>();
  for (const row of provider.kept) {
    pushTo(byReference, row.providerRefundId, row);
    if (row.merchantRefundId !== null && row.merchantRefundId !== row.providerRefundId) {
      pushTo(byReference, row.merchantRefundId, row);
    }
  }
  for (const [alias, row] of provider.aliases) if (!byReference.has(alias)) byReference.set(alias, [row]);
  const pairs: Pair[] = [];
  const duplicates: ReconciliationRow[] = [];
  const unmatched: LedgerRefund[] = [];
  for (const refund of ledger) {
    const candidates = refund.paymentRef === null ? [] : (byReference.get(refund.paymentRef) ?? []);
    const free = candidates.filter((row) => !claimedBy.has(row));
    const chosen = free.find((row) => row.orderId === refund.orderId) ?? free[0];
    const taken = candidates[0];
    if (chosen) {
      claimedBy.set(chosen, refund);
      pairs.push({ ledger: refund, provider: chosen, matchedBy: 'payment-reference', note: null });
    } else if (taken) {
      const note = `provider refund ${taken.providerRefundId} is already matched to ${describeLedger(claimedBy.get(taken)!)}`;
      duplicates.push(duplicateRow(refund, null, note));
    } else {
      unmatched.push(refund);
    }
  }
  return { pairs, duplicates, unmatched };
}

/** Pairs by order id, currency and exact amount within the window, nearest in time first. */
function matchByOrderAndAmount(
  ledger: readonly LedgerRefund[],
  provider: readonly ProviderRefundRow[],
  claimedBy: Map<ProviderRefundRow, LedgerRefund>,
  windowDays: number,
) {
  const byOrder = new Map<string, ProviderRefundRow[]>();
  for (const row of provider) if (row.orderId !== null) pushTo(byOrder, row.orderId, row);
  const windowMs = windowDays * DAY_MS;
  const pairs: Pair[] = [];
  const unmatched: LedgerRefund[] = [];
  for (const refund of ledger) {
    const paidAt = toEpochMs(refund.paidAt);
    let best: ProviderRefundRow | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const row of byOrder.get(refund.orderId) ?? []) {
      if (claimedBy.has(row) || row.currency !== refund.currency || row.amount !== refund.amount) continue;
      const distance = Math.abs(toEpochMs(row.occurredAt) - paidAt);
      if (distance <= windowMs && distance < bestDistance) {
        best = row;
        bestDistance = distance;
      }
    }
    if (best) {
      claimedBy.set(best, refund);
      const note =
        refund.paymentRef === null
          ? null
          : `payment reference ${refund.paymentRef} is not in the report; matched by order and amount`;
      pairs.push({ ledger: refund, provider: best, matchedBy: 'order-amount', note });
    } else {
      unmatched.push(refund);
    }
  }
  return { pairs, unmatched };
}

/**
 * Matches the refunds the ledger paid with the refunds a provider reports.
 *
 * 1. Duplicates are set aside first, on each side, keeping the earliest: a ledger refund id or
 *    payment reference seen twice; a provider refund id, or one merchant refund request on one
 *    payment, seen twice (the same refund paid twice).
 * 2. By payment reference: the ledger's paymentRef equals the provider's refund id or the merchant
 *    refund request id. A ledger refund pointing at a provider refund another ledger refund already
 *    claimed is a duplicate too.
 * 3. The ledger refunds still alone (no paymentRef, or one the report lacks) are tried by order id,
 *    currency and exact amount with a provider row within `windowDays`, nearest in time first.
 * 4. A pair is `pending` when the provider's status may still change, `ledger-only` with a note when
 *    the provider says the refund failed, else matched or a mismatch of currency or amount.
 */
export function reconcile(
  ledgerRefunds: readonly LedgerRefund[],
  providerRows: readonly ProviderRefundRow[],
  options: ReconciliationOptions = {},
): ReconciliationResult {
  const windowDays = options.windowDays ?? 3;
  if (!Number.isFinite(windowDays) || windowDays < 0) throw new RangeError(`Bad windowDays: ${windowDays}`);
  const ledger = setAsideLedgerDuplicates(ledgerRefunds);
  const provider = setAsideProviderDuplicates(providerRows);
  const claimedBy = new Map<ProviderRefundRow, LedgerRefund>();
  const byReference = matchByReference(ledger.kept, provider, claimedBy);
  const byOrder = matchByOrderAndAmount(byReference.unmatched, provider.kept, claimedBy, windowDays);

  const rows: ReconciliationRow[] = [
    ...ledger.duplicates,
    ...provider.duplicates,
    ...byReference.duplicates,
    ...[...byReference.pairs, ...byOrder.pairs].map(categorisePair),
  ];
  for (const refund of byOrder.unmatched) {
    const note =
      refund.paymentRef === null ? null : `payment reference ${refund.paymentRef} is not in the report`;
    rows.push({
      category: 'ledger-only',
      matchedBy: null,
      ledger: refund,
      provider: null,
      difference: null,
      note,
    });
  }
  for (const row of provider.kept) {
    if (claimedBy.has(row)) continue;
    const category = row.status === 'pending' ? 'pending' : 'provider-only';
    const note = row.status === 'failed' ? 'failed at the provider: no money went out' : null;
    rows.push({ category, matchedBy: null, ledger: null, provider: row, difference: null, note });
  }
  sortRows(rows);
  return { rows, summary: summarise(rows, ledgerRefunds.length, providerRows.length) };
}

function categorisePair({ ledger, provider, matchedBy, note }: Pair): ReconciliationRow {
  const sameCurrency = ledger.currency === provider.currency;
  const difference = sameCurrency ? provider.amount - ledger.amount : null;
  const base = { matchedBy, ledger, provider, difference };
  if (provider.status === 'failed') {
    return {
      ...base,
      category: 'ledger-only',
      note: 'the provider reports this refund failed: no money went out',
    };
  }
  if (provider.status === 'pending') return { ...base, category: 'pending', note };
  if (!sameCurrency) return { ...base, category: 'currency-mismatch', note };
  if (difference !== 0) return { ...base, category: 'amount-mismatch', note };
  return { ...base, category: 'matched', note };
}

/** Rows in time order, so that a re-run of the same inputs gives the same file. */
function sortRows(rows: ReconciliationRow[]): void {
  const time = new Map(
    rows.map((row) => [
      row,
      toEpochMs(row.provider?.occurredAt ?? row.ledger?.paidAt ?? '1970-01-01T00:00:00Z'),
    ]),
  );
  rows.sort(
    (a, b) =>
      time.get(a)! - time.get(b)! ||
      (a.provider?.line ?? 0) - (b.provider?.line ?? 0) ||
      compareText(a.ledger?.refundId ?? '', b.ledger?.refundId ?? ''),
  );
}

function emptyByCategory<T>(make: () => T): Record<ReconciliationCategory, T> {
  return Object.fromEntries(RECONCILIATION_CATEGORIES.map((category) => [category, make()])) as Record<
    ReconciliationCategory,
    T
  >;
}

interface MutableTotals {
  ledgerRefunds: number;
  ledgerAmount: number;
  providerRows: number;
  providerRefunded: number;
  providerPending: number;
  byCategory: Record<ReconciliationCategory, { ledger: number; provider: number }>;
  vendorCredited: number;
}

function summarise(
  rows: readonly ReconciliationRow[],
  ledgerRefunds: number,
  providerRows: number,
): ReconciliationSummary {
  const byCategory = emptyByCategory(() => 0);
  const totals = new Map<string, MutableTotals>();
  const totalsOf = (currency: string): MutableTotals => {
    let entry = totals.get(currency);
    if (!entry) {
      entry = {
        ledgerRefunds: 0,
        ledgerAmount: 0,
        providerRows: 0,
        providerRefunded: 0,
        providerPending: 0,
        byCategory: emptyByCategory(() => ({ ledger: 0, provider: 0 })),
        vendorCredited: 0,
      };
      totals.set(currency, entry);
    }
    return entry;
  };
  const creditedUnits = new Set<string>();

  for (const row of rows) {
    byCategory[row.category] += 1;
    if (row.ledger) {
      const entry = totalsOf(row.ledger.currency);
      entry.ledgerRefunds += 1;
      entry.ledgerAmount += row.ledger.amount;
      entry.byCategory[row.category].ledger += row.ledger.amount;
      const credit = row.ledger.vendorCredit;
      if (credit && !creditedUnits.has(credit.unitId)) {
        creditedUnits.add(credit.unitId);
        totalsOf(credit.currency).vendorCredited += credit.amount;
      }
    }
    if (row.provider) {
      const entry = totalsOf(row.provider.currency);
      entry.providerRows += 1;
      if (row.provider.status === 'succeeded') entry.providerRefunded += row.provider.amount;
      if (row.provider.status === 'pending') entry.providerPending += row.provider.amount;
      entry.byCategory[row.category].provider += row.provider.amount;
    }
  }
  const currencies = [...totals]
    .sort(([a], [b]) => compareText(a, b))
    .map(([currency, entry]) => ({ currency, ...entry }));
  return { ledgerRefunds, providerRows, rows: rows.length, byCategory, currencies };
}
