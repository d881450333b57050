import { createHash } from 'node:crypto';
import { RECONCILIATION_CHUNK_SIZE, reconciliationStream } from '@rma-ledger/domain';
import type { EventStore, RecordedEvent } from '@rma-ledger/event-store';
import { type LedgerRefund, parseReport, reconcile, writeResultCsv } from '@rma-ledger/reconciliation';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock, CommandContext } from './command-handler.js';
import { Ledger } from './ledger.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

const finance: CommandContext = { actor: 'token:fin-1', correlationId: 'req-1' };
const HEADER =
  'balance_transaction_id,created_utc,charge_id,payment_intent_id,currency,gross,fee,net,reporting_category,source_id,description,payment_metadata[order_id]';

/** A Stripe itemized balance-change report with a discrepancy of each kind Stripe can show. */
const STRIPE = [
  HEADER,
  'txn_00,2026-03-10 08:00:00,ch_00,pi_00,usd,80.00,-2.00,78.00,charge,ch_00,Order 1000,1000',
  'txn_01,2026-03-10 09:00:00,ch_01,pi_01,usd,-25.50,0.00,-25.50,refund,re_1,Refund,1001',
  'txn_02,2026-03-10 10:00:00,ch_02,pi_02,usd,-20.00,0.00,-20.00,refund,re_2,Refund,1002',
  'txn_03,2026-03-10 11:00:00,ch_03,pi_03,usd,-15.00,0.00,-15.00,refund,re_3,Refund,1003',
  'txn_04,2026-03-10 12:00:00,ch_04,pi_04,usd,-9.99,0.00,-9.99,refund,re_4,Refund,1004',
  'txn_05,2026-03-10 13:00:00,ch_01,pi_01,usd,-25.50,0.00,-25.50,refund,re_1,Refund again,1001',
  'txn_06,2026-03-11 09:00:00,ch_07,pi_07,usd,-12.00,0.00,-12.00,refund,re_7,Refund,1007',
  'txn_07,2026-03-11 10:00:00,ch_08,pi_08,usd,-30.00,0.00,-30.00,refund,re_8,Refund,1008',
  'txn_08,2026-03-12 10:00:00,ch_08,pi_08,usd,30.00,0.00,30.00,refund_failure,re_8,Refund failed,1008',
  '',
].join('\r\n');
const bytes = (text: string) => new TextEncoder().encode(text);

const refund = (n: number, amount: number, currency: string, paymentRef: string | null, paidAt: string) =>
  ({
    refundId: `rf-${n}`,
    caseId: `case-${n}`,
    orderId: `100${n}`,
    amount,
    currency,
    paidAt,
    paymentRef,
    vendorCredit: null,
  }) satisfies LedgerRefund;

const LEDGER: LedgerRefund[] = [
  {
    ...refund(1, 2550, 'USD', 're_1', '2026-03-10T08:59:00Z'),
    vendorCredit: { unitId: 'case-1-u1', amount: 1000, currency: 'USD' },
  },
  refund(2, 3000, 'USD', 're_2', '2026-03-10T09:59:00Z'),
  refund(3, 1500, 'EUR', 're_3', '2026-03-10T10:59:00Z'),
  refund(5, 4000, 'USD', 're_5', '2026-03-10T12:00:00+08:00'),
  { ...refund(6, 2550, 'USD', 're_1', '2026-03-10T09:30:00Z'), orderId: '1001' },
  refund(7, 1200, 'USD', 'bank-7', '2026-03-12T09:00:00Z'),
  refund(8, 3000, 'USD', 're_8', '2026-03-11T09:59:00Z'),
];

const categoriesOf = (
  rows: readonly {
    category: string;
    ledger: { refundId: string } | null;
    provider: { providerRefundId: string; line: number } | null;
  }[],
) =>
  rows.map((row) => [
    row.category,
    row.ledger?.refundId ?? null,
    row.provider ? `${row.provider.providerRefundId}@${row.provider.line}` : null,
  ]);

async function allEvents(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll()) events.push(event);
  return events;
}

/** A large Stripe report: `count` refunds, each matched by reference with a ledger refund. */
function largeReport(count: number) {
  const lines = [HEADER];
  const ledger: LedgerRefund[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(Date.parse('2026-03-01T00:00:00Z') + i * 60_000).toISOString();
    lines.push(
      `txn_${i},${at.slice(0, 19).replace('T', ' ')},ch_${i},pi_${i},usd,-1.${String(i % 100).padStart(2, '0')},0,0,refund,re_${i},Refund,${i}`,
    );
    ledger.push({
      ...refund(i, 100 + (i % 100), 'USD', `re_${i}`, at),
      refundId: `rf-${i}`,
      caseId: `case-${i}`,
      orderId: `${i}`,
    });
  }
  return { bytes: bytes(`${lines.join('\n')}\n`), ledger };
}

describe('reconciliation runs on the SQLite event store', () => {
  let store: EventStore;
  let keys: SqliteKeyStore;
  let ledger: Ledger;
  const clock: Clock = { now: () => new Date('2026-03-20T10:00:00.000Z') };

  beforeEach(() => {
    store = openSqliteEventStore({ path: ':memory:' });
    keys = new SqliteKeyStore({ path: ':memory:' });
    ledger = new Ledger({ store, keys, clock });
  });
  afterEach(async () => {
    await store.close();
    await keys.close();
  });

  const record = (ledgerRefunds: readonly LedgerRefund[] = LEDGER, context = finance, text = STRIPE) =>
    ledger.reconciliations.record(
      { bytes: bytes(text), fileName: 'balance_change.csv', provider: 'stripe', ledgerRefunds },
      context,
    );

  it('records a run with who ran it, the file by hash and the summary, and replays every row with its category', async () => {
    const recorded = await record();
    const sha = createHash('sha256').update(STRIPE).digest('hex');
    expect(recorded).toMatchObject({
      runId: `stripe-${sha.slice(0, 32)}-1`,
      rerunOf: null,
      deduplicated: false,
    });
    expect(recorded.summary.byCategory).toEqual({
      matched: 2,
      'amount-mismatch': 1,
      'currency-mismatch': 1,
      'provider-only': 1,
      'ledger-only': 2,
      duplicate: 2,
      pending: 0,
    });

    const run = await ledger.reconciliations.get(recorded.runId);
    expect(run).toMatchObject({
      runId: recorded.runId,
      provider: 'stripe',
      fileName: 'balance_change.csv',
      fileSha256: sha,
      encoding: 'utf-8',
      ranBy: 'token:fin-1',
      options: { parse: {}, windowDays: 3 },
      skipped: [
        { reason: 'not a refund: reporting_category=charge', count: 1 },
        { reason: 'not a refund: reporting_category=refund_failure', count: 1 },
      ],
      rerunOf: null,
      complete: true,
      occurredAt: '2026-03-20T10:00:00.000Z',
    });
    expect(run.summary).toEqual(recorded.summary);
    expect(categoriesOf(run.rows)).toEqual([
      ['ledger-only', 'rf-5', null],
      ['matched', 'rf-1', 're_1@3'],
      ['duplicate', 'rf-6', null],
      ['amount-mismatch', 'rf-2', 're_2@4'],
      ['currency-mismatch', 'rf-3', 're_3@5'],
      ['provider-only', null, 're_4@6'],
      ['duplicate', null, 're_1@7'],
      ['matched', 'rf-7', 're_7@8'],
      ['ledger-only', 'rf-8', 're_8@9'],
    ]);
    const byRefund = new Map(run.rows.map((row) => [row.ledger?.refundId, row]));
    expect(byRefund.get('rf-1')?.ledger?.vendorCredit).toEqual({
      unitId: 'case-1-u1',
      amount: 1000,
      currency: 'USD',
    });
    expect(byRefund.get('rf-2')?.difference).toBe(-1000);
    expect(byRefund.get('rf-7')?.matchedBy).toBe('order-amount');
    expect(byRefund.get('rf-5')?.ledger?.paidAt).toBe('2026-03-10T04:00:00.000Z');
    expect(byRefund.get('rf-8')?.note).toMatch(/failed/);

    // The replayed rows are the rows found: the CSV is byte for byte the one of the matching itself.
    const direct = reconcile(
      LEDGER.map((r) => ({ ...r, paidAt: new Date(r.paidAt).toISOString() })),
      parseReport(bytes(STRIPE), { provider: 'stripe' }).rows,
    );
    expect(writeResultCsv(run.rows)).toBe(writeResultCsv(direct.rows));
    expect(await store.verify()).toMatchObject({ ok: true, streams: 1, events: 2 });
  });

  it('recognises a re-run of the same file that finds the same: nothing is written and the first run is returned', async () => {
    const first = await record();
    const before = await allEvents(store);
    const again = await record([...LEDGER].reverse(), { actor: 'token:fin-2', correlationId: 'req-2' });
    expect(again).toEqual({
      runId: first.runId,
      summary: first.summary,
      rerunOf: first.runId,
      deduplicated: true,
    });
    expect(await allEvents(store)).toEqual(before);
    expect((await ledger.reconciliations.get(first.runId)).ranBy).toBe('token:fin-1');
  });

  it('records a re-run of the same file that finds something else as the next run, naming the first', async () => {
    const first = await record();
    const fixed = LEDGER.map((r) => (r.refundId === 'rf-2' ? { ...r, amount: 2000 } : r));
    const second = await record(fixed);
    expect(second).toMatchObject({
      runId: first.runId.replace(/-1$/, '-2'),
      rerunOf: first.runId,
      deduplicated: false,
    });
    expect(second.summary.byCategory).toMatchObject({ matched: 3, 'amount-mismatch': 0 });
    const third = await record(fixed);
    expect(third).toMatchObject({ runId: second.runId, rerunOf: first.runId, deduplicated: true });
    const replayed = await ledger.reconciliations.get(second.runId);
    expect(replayed.rerunOf).toBe(first.runId);
    expect(replayed.rows.find((row) => row.ledger?.refundId === 'rf-2')?.category).toBe('matched');
    expect(await store.verify()).toMatchObject({ ok: true, streams: 2, events: 4 });
  });

  it('answers a repeat under the same idempotency key with the first response, and refuses the key for another file', async () => {
    const keyed = { ...finance, idempotencyKey: 'rec-1' };
    const first = await record(LEDGER, keyed);
    const fixed = LEDGER.filter((r) => r.refundId !== 'rf-5');
    const repeat = await record(fixed, keyed);
    expect(repeat).toEqual({ ...first, deduplicated: true });
    expect(await store.verify()).toMatchObject({ streams: 1, events: 2 });
    await expect(record(LEDGER, keyed, STRIPE.replace('re_4', 're_44'))).rejects.toMatchObject({
      code: 'LDG_IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('records a large run in chunks and completes a run whose rows were cut short', async () => {
    const rowCount = RECONCILIATION_CHUNK_SIZE * 2 + 7;
    const { bytes: report, ledger: ledgerRefunds } = largeReport(rowCount);
    // The store fails the third append (the second chunk), as a crash would.
    let appends = 0;
    const flaky = new Proxy(store, {
      get(target, property) {
        if (property === 'append') {
          return (...args: Parameters<EventStore['append']>) => {
            appends += 1;
            return appends === 3 ? Promise.reject(new Error('disk gone')) : target.append(...args);
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const input = { bytes: report, fileName: 'big.csv', provider: 'stripe' as const, ledgerRefunds };
    await expect(
      new Ledger({ store: flaky, keys, clock }).reconciliations.record(input, finance),
    ).rejects.toThrow('disk gone');
    const runId = (await allEvents(store))[0]!.streamName.slice('reconciliation-'.length);
    expect(await ledger.reconciliations.get(runId)).toMatchObject({
      complete: false,
      rows: { length: RECONCILIATION_CHUNK_SIZE },
    });

    const resumed = await ledger.reconciliations.record(input, finance);
    expect(resumed).toMatchObject({ runId, deduplicated: true });
    const run = await ledger.reconciliations.get(runId);
    expect(run.complete).toBe(true);
    expect(run.rows).toHaveLength(rowCount);
    expect(run.rows.every((row) => row.category === 'matched')).toBe(true);
    expect(run.rows.map((row) => row.provider?.line)).toEqual(
      Array.from({ length: rowCount }, (_, i) => i + 2),
    );
    const stored = await allEvents(store);
    expect(stored.map((e) => [e.type, (e.data as { chunkNo?: number }).chunkNo ?? null])).toEqual([
      ['ReconciliationRunRecorded', null],
      ['ReconciliationRowsRecorded', 1],
      ['ReconciliationRowsRecorded', 2],
      ['ReconciliationRowsRecorded', 3],
    ]);
    expect(stored.every((e) => e.streamName === reconciliationStream(runId))).toBe(true);
    expect(await store.verify()).toMatchObject({ ok: true, events: 4 });
  });

  it('reports an unknown run as not found', async () => {
    await expect(ledger.reconciliations.get('stripe-nothing-1')).rejects.toMatchObject({
      code: 'LDG_RECONCILIATION_RUN_NOT_FOUND',
    });
  });
});
