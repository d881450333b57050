import { describe, expect, it } from 'vitest';
import type { ProviderRefundRow } from './provider-row.js';
import { type LedgerRefund, type ReconciliationRow, reconcile } from './reconcile.js';

const HOUR = 3_600_000;
const start = Date.parse('2024-08-20T00:00:00Z');
const at = (hours: number) => new Date(start + hours * HOUR).toISOString();

function ledger(id: string, overrides: Partial<LedgerRefund> = {}): LedgerRefund {
  return {
    refundId: `rf-${id}`,
    caseId: `case-${id}`,
    orderId: `order-${id}`,
    amount: 1000,
    currency: 'CNY',
    paidAt: at(1),
    paymentRef: `re-${id}`,
    ...overrides,
  };
}

let nextLine = 2;
function provider(id: string, overrides: Partial<ProviderRefundRow> = {}): ProviderRefundRow {
  return {
    provider: 'wechat',
    providerRefundId: `re-${id}`,
    originalPaymentId: `pay-${id}`,
    orderId: `order-${id}`,
    merchantRefundId: null,
    amount: 1000,
    currency: 'CNY',
    occurredAt: at(2),
    status: 'succeeded',
    line: nextLine++,
    ...overrides,
  };
}

/** A month of clean refunds, then one planted discrepancy of every kind. */
function business() {
  const ledgerRefunds: LedgerRefund[] = [];
  const providerRows: ProviderRefundRow[] = [];
  for (let i = 0; i < 30; i += 1) {
    const amount = 1000 + i * 37;
    ledgerRefunds.push(ledger(`ok${i}`, { amount, paidAt: at(i * 20) }));
    providerRows.push(provider(`ok${i}`, { amount, occurredAt: at(i * 20 + 1) }));
  }
  const planted = {
    amountMismatch: { ledger: ledger('am', { amount: 5000 }), provider: provider('am', { amount: 4500 }) },
    currencyMismatch: { ledger: ledger('cm'), provider: provider('cm', { currency: 'USD' }) },
    providerOnly: provider('po'),
    ledgerOnly: ledger('lo'),
    providerDuplicate: provider('ok3', { line: 900 }),
    ledgerDuplicate: ledger('dl', { paymentRef: 're-ok5', paidAt: at(200) }),
    paidTwice: provider('twice-2', { merchantRefundId: 'REQ-9', originalPaymentId: 'pay-twice', line: 901 }),
    pending: { ledger: ledger('pe'), provider: provider('pe', { status: 'pending' }) },
    failed: { ledger: ledger('fl'), provider: provider('fl', { status: 'failed' }) },
  };
  const byOrder = {
    ledger: ledger('oa', { paymentRef: null, amount: 777, paidAt: at(10) }),
    provider: provider('oa', { amount: 777, occurredAt: at(30) }),
  };
  const twiceFirst = provider('twice-1', { merchantRefundId: 'REQ-9', originalPaymentId: 'pay-twice' });
  const twiceLedger = ledger('twice', { paymentRef: 'REQ-9' });
  const outOfWindow = {
    ledger: ledger('ow', { paymentRef: null, paidAt: at(0) }),
    provider: provider('ow', { occurredAt: at(24 * 4) }),
  };
  ledgerRefunds.push(
    planted.amountMismatch.ledger,
    planted.currencyMismatch.ledger,
    planted.ledgerOnly,
    planted.ledgerDuplicate,
    planted.pending.ledger,
    planted.failed.ledger,
    byOrder.ledger,
    twiceLedger,
    outOfWindow.ledger,
  );
  providerRows.push(
    planted.amountMismatch.provider,
    planted.currencyMismatch.provider,
    planted.providerOnly,
    planted.providerDuplicate,
    planted.paidTwice,
    planted.pending.provider,
    planted.failed.provider,
    byOrder.provider,
    twiceFirst,
    outOfWindow.provider,
  );
  return { ledgerRefunds, providerRows, planted, byOrder, twiceFirst, twiceLedger, outOfWindow };
}

const holding = (rows: readonly ReconciliationRow[], item: LedgerRefund | ProviderRefundRow) =>
  rows.filter((row) => row.ledger === item || row.provider === item);

describe('reconcile', () => {
  const world = business();
  const { rows, summary } = reconcile(world.ledgerRefunds, world.providerRows, { windowDays: 3 });

  it('puts every ledger refund and every provider row in exactly one result row', () => {
    for (const item of [...world.ledgerRefunds, ...world.providerRows])
      expect(holding(rows, item)).toHaveLength(1);
    const ledgerSides = rows.filter((row) => row.ledger !== null).length;
    const providerSides = rows.filter((row) => row.provider !== null).length;
    expect(ledgerSides).toBe(world.ledgerRefunds.length);
    expect(providerSides).toBe(world.providerRows.length);
  });

  it('finds each planted discrepancy exactly once, in its category', () => {
    const { planted } = world;
    const only = (item: LedgerRefund | ProviderRefundRow) => holding(rows, item)[0]!;
    expect(only(planted.amountMismatch.ledger)).toMatchObject({
      category: 'amount-mismatch',
      provider: planted.amountMismatch.provider,
      difference: -500,
    });
    expect(only(planted.currencyMismatch.ledger)).toMatchObject({
      category: 'currency-mismatch',
      provider: planted.currencyMismatch.provider,
      difference: null,
    });
    expect(only(planted.providerOnly)).toMatchObject({ category: 'provider-only', ledger: null });
    expect(only(planted.ledgerOnly)).toMatchObject({ category: 'ledger-only', provider: null });
    expect(only(planted.providerDuplicate)).toMatchObject({ category: 'duplicate', ledger: null });
    expect(only(planted.providerDuplicate).note).toMatch(/re-ok3 is already on line/);
    expect(only(planted.ledgerDuplicate)).toMatchObject({ category: 'duplicate', provider: null });
    expect(only(planted.ledgerDuplicate).note).toMatch(/re-ok5 is already recorded on refund rf-ok5/);
    expect(only(planted.paidTwice)).toMatchObject({ category: 'duplicate' });
    expect(only(planted.paidTwice).note).toMatch(/REQ-9 was already refunded .*paid twice/);
    expect(only(planted.pending.ledger)).toMatchObject({
      category: 'pending',
      provider: planted.pending.provider,
    });
    expect(only(planted.failed.ledger)).toMatchObject({
      category: 'ledger-only',
      provider: planted.failed.provider,
    });
    expect(only(planted.failed.ledger).note).toMatch(/failed/);
  });

  it('matches by reference first, then rows without one by order and amount within the window', () => {
    const only = (item: LedgerRefund) => holding(rows, item)[0]!;
    expect(only(world.twiceLedger)).toMatchObject({
      category: 'matched',
      matchedBy: 'payment-reference',
      provider: world.twiceFirst,
    });
    expect(only(world.byOrder.ledger)).toMatchObject({
      category: 'matched',
      matchedBy: 'order-amount',
      provider: world.byOrder.provider,
    });
    expect(only(world.outOfWindow.ledger).category).toBe('ledger-only');
    expect(holding(rows, world.outOfWindow.provider)[0]!.category).toBe('provider-only');
    const wider = reconcile([world.outOfWindow.ledger], [world.outOfWindow.provider], { windowDays: 5 });
    expect(wider.rows.map((row) => row.category)).toEqual(['matched']);
  });

  it('counts categories and keeps totals per currency', () => {
    expect(summary.byCategory).toEqual({
      matched: 32,
      'amount-mismatch': 1,
      'currency-mismatch': 1,
      'provider-only': 2,
      'ledger-only': 3,
      duplicate: 3,
      pending: 1,
    });
    expect(summary.rows).toBe(rows.length);
    expect(summary.ledgerRefunds).toBe(world.ledgerRefunds.length);
    expect(summary.providerRows).toBe(world.providerRows.length);
    const [cny, usd] = summary.currencies;
    expect(cny?.currency).toBe('CNY');
    expect(usd).toMatchObject({ currency: 'USD', providerRows: 1, providerRefunded: 1000, ledgerRefunds: 0 });
    expect(usd?.byCategory['currency-mismatch']).toEqual({ ledger: 0, provider: 1000 });
    expect(cny?.byCategory['currency-mismatch']).toEqual({ ledger: 1000, provider: 0 });
    expect(cny?.byCategory['amount-mismatch']).toEqual({ ledger: 5000, provider: 4500 });
    expect(cny?.providerPending).toBe(1000);
    const ledgerCny = world.ledgerRefunds.reduce((sum, refund) => sum + refund.amount, 0);
    expect(cny?.ledgerAmount).toBe(ledgerCny);
  });

  it('gives the same rows whatever order the inputs come in', () => {
    const again = reconcile([...world.ledgerRefunds].reverse(), [...world.providerRows].reverse(), {
      windowDays: 3,
    });
    expect(again.rows).toEqual(rows);
  });

  it('prefers the nearest provider row in time when several fit order and amount', () => {
    const refund = ledger('n', { paymentRef: null, paidAt: at(48) });
    const far = provider('n-far', { orderId: 'order-n', occurredAt: at(0) });
    const near = provider('n-near', { orderId: 'order-n', occurredAt: at(50) });
    const result = reconcile([refund], [far, near]);
    expect(result.rows.find((row) => row.ledger === refund)?.provider).toBe(near);
    expect(result.rows.find((row) => row.provider === far)?.category).toBe('provider-only');
  });

  it('falls back to order and amount when a reference is not in the report, and says so', () => {
    const refund = ledger('x', { paymentRef: 'ch_typed_by_hand' });
    const result = reconcile([refund], [provider('x')]);
    expect(result.rows).toEqual([
      expect.objectContaining({
        category: 'matched',
        matchedBy: 'order-amount',
        note: expect.stringMatching(/ch_typed_by_hand/),
      }),
    ]);
  });

  it('matches a ledger refund that recorded the second payment of a request paid twice by reference', () => {
    const first = provider('p1', {
      merchantRefundId: 'REQ-p',
      originalPaymentId: 'pay-p',
      orderId: 'order-p',
    });
    const second = provider('p2', {
      merchantRefundId: 'REQ-p',
      originalPaymentId: 'pay-p',
      orderId: 'order-p',
    });
    const refund = ledger('p', { paymentRef: 're-p2' });
    const result = reconcile([refund], [first, second]);
    expect(
      result.rows.map((r) => [r.category, r.matchedBy, r.ledger?.refundId, r.provider?.providerRefundId]),
    ).toEqual([
      ['matched', 'payment-reference', 'rf-p', 're-p1'],
      ['duplicate', null, undefined, 're-p2'],
    ]);
  });

  it('calls a second ledger refund pointing at an already matched provider refund a duplicate', () => {
    const row = provider('m', { merchantRefundId: 'REQ-m' });
    const first = ledger('m1', { paymentRef: 're-m' });
    const second = ledger('m2', { paymentRef: 'REQ-m', paidAt: at(5) });
    const result = reconcile([first, second], [row]);
    expect(result.rows.map((r) => [r.category, r.ledger?.refundId])).toEqual([
      ['matched', 'rf-m1'],
      ['duplicate', 'rf-m2'],
    ]);
  });

  it('shows the vendor credit beside the refund and totals each unit once in its own currency', () => {
    const credit = { unitId: 'unit-1', amount: 400, currency: 'USD' };
    const refunds = [ledger('v1', { vendorCredit: credit }), ledger('v2', { vendorCredit: credit })];
    const result = reconcile(refunds, [provider('v1'), provider('v2')]);
    expect(result.rows[0]?.ledger?.vendorCredit).toEqual(credit);
    expect(result.summary.currencies.find((totals) => totals.currency === 'USD')?.vendorCredited).toBe(400);
    expect(result.summary.currencies.find((totals) => totals.currency === 'CNY')?.vendorCredited).toBe(0);
  });
});
