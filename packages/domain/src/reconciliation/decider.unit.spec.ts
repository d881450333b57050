import { describe, expect, it } from 'vitest';
import { specify } from '../testing/given-when-then.js';
import {
  isReconciliationComplete,
  type RecordReconciliationRows,
  type RecordReconciliationRun,
  reconciliationChunkCount,
  reconciliationDecider,
} from './decider.js';
import type { ReconciliationEvent, ReconciliationRowData, ReconciliationSummaryData } from './events.js';
import { reconciliationRunId } from './run-id.js';

const T1 = '2026-04-01T09:00:00.000Z';
const T2 = '2026-04-01T09:00:01.000Z';
const SHA = 'a'.repeat(64);
const RUN_ID = reconciliationRunId('stripe', SHA, 1);

const categories = <T>(value: () => T) => ({
  matched: value(),
  'amount-mismatch': value(),
  'currency-mismatch': value(),
  'provider-only': value(),
  'ledger-only': value(),
  duplicate: value(),
  pending: value(),
});

function summary(rows: number): ReconciliationSummaryData {
  return {
    ledgerRefunds: rows,
    providerRows: 0,
    rows,
    byCategory: { ...categories(() => 0), 'ledger-only': rows },
    currencies:
      rows === 0
        ? []
        : [
            {
              currency: 'USD',
              ledgerRefunds: rows,
              ledgerAmount: rows * 100,
              providerRows: 0,
              providerRefunded: 0,
              providerPending: 0,
              byCategory: {
                ...categories(() => ({ ledger: 0, provider: 0 })),
                'ledger-only': { ledger: rows * 100, provider: 0 },
              },
              vendorCredited: 0,
            },
          ],
  };
}

function ledgerOnly(n: number): ReconciliationRowData {
  return {
    category: 'ledger-only',
    matchedBy: null,
    ledger: {
      refundId: `rf-${n}`,
      caseId: `case-${n}`,
      orderId: `order-${n}`,
      amount: 100,
      currency: 'USD',
      paidAt: T1,
      paymentRef: null,
      vendorCredit: n === 1 ? { unitId: 'case-1-u1', amount: 60, currency: 'USD' } : null,
    },
    provider: null,
    difference: null,
    note: null,
  };
}

const matched: ReconciliationRowData = {
  category: 'matched',
  matchedBy: 'payment-reference',
  ledger: { ...ledgerOnly(9).ledger!, paymentRef: 're_9' },
  provider: {
    providerRefundId: 're_9',
    originalPaymentId: 'ch_9',
    orderId: 'order-9',
    merchantRefundId: null,
    amount: 100,
    currency: 'USD',
    occurredAt: T1,
    status: 'succeeded',
    line: 4,
  },
  difference: 0,
  note: null,
};

function recordRun(
  rowCount: number,
  overrides: Partial<RecordReconciliationRun> = {},
): RecordReconciliationRun {
  return {
    type: 'RecordReconciliationRun',
    runId: RUN_ID,
    provider: 'stripe',
    fileName: 'balance_change_from_activity.csv',
    fileSha256: SHA,
    resultSha256: 'b'.repeat(64),
    encoding: 'utf-8',
    options: { parse: { orderIdColumn: 'payment_metadata[order_id]' }, windowDays: 3 },
    ranBy: 'token:finance-1',
    rerunOf: null,
    summary: summary(rowCount),
    skipped: [{ reason: 'charge', count: 2 }],
    warnings: [],
    rowCount,
    chunkSize: 2,
    occurredAt: T1,
    ...overrides,
  };
}

function runRecorded(rowCount: number): ReconciliationEvent {
  const { type: _type, ...data } = recordRun(rowCount);
  return { type: 'ReconciliationRunRecorded', data };
}

const recordRows = (
  chunkNo: number,
  rows: ReconciliationRowData[],
  runId = RUN_ID,
): RecordReconciliationRows => ({
  type: 'RecordReconciliationRows',
  runId,
  chunkNo,
  rows,
  occurredAt: T2,
});

const rowsRecorded = (chunkNo: number, rows: ReconciliationRowData[]): ReconciliationEvent => ({
  type: 'ReconciliationRowsRecorded',
  data: { runId: RUN_ID, chunkNo, rows, occurredAt: T2 },
});

describe('a reconciliation run', () => {
  const spec = specify(reconciliationDecider);

  it('is recorded with who ran it, the file by hash, its options and summary', () => {
    const state = spec
      .given()
      .when(recordRun(3))
      .thenEmits([runRecorded(3)]);
    expect(state.run).toMatchObject({ runId: RUN_ID, ranBy: 'token:finance-1', fileSha256: SHA });
    expect(isReconciliationComplete(state)).toBe(false);
  });

  it('of no rows is complete as soon as it is recorded', () => {
    const state = spec
      .given()
      .when(recordRun(0))
      .thenEmits([runRecorded(0)]);
    expect(isReconciliationComplete(state)).toBe(true);
  });

  it('cannot be recorded twice', () => {
    const error = spec
      .given(runRecorded(3))
      .when(recordRun(3))
      .thenRefused('LDG_RECONCILIATION_RUN_ALREADY_RECORDED', 'runId');
    expect(error.details).toEqual({ resultSha256: 'b'.repeat(64) });
  });

  it('refuses a row count the summary does not have', () => {
    spec
      .given()
      .when(recordRun(3, { rowCount: 4 }))
      .thenRefused('LDG_INVALID_COMMAND', 'rowCount');
  });

  it('refuses a file hash that is not a SHA-256, and a summary missing a category', () => {
    spec
      .given()
      .when(recordRun(1, { fileSha256: 'abc' }))
      .thenRefused('LDG_INVALID_COMMAND', 'fileSha256');
    const { pending: _pending, ...byCategory } = summary(1).byCategory;
    spec
      .given()
      .when(recordRun(1, { summary: { ...summary(1), byCategory } as ReconciliationSummaryData }))
      .thenRefused('LDG_INVALID_COMMAND');
  });

  it('names the n-th run of one file from the provider and the file hash', () => {
    expect(reconciliationRunId('wechat', SHA, 2)).toBe(`wechat-${'a'.repeat(32)}-2`);
    expect(() => reconciliationRunId('wechat', 'ABC', 1)).toThrow(RangeError);
    expect(() => reconciliationRunId('wechat', SHA, 0)).toThrow(RangeError);
  });
});

describe("a reconciliation run's rows", () => {
  const spec = specify(reconciliationDecider);

  it('are recorded in numbered chunks of the chunk size, the last one shorter, until complete', () => {
    const afterFirst = spec
      .given(runRecorded(3))
      .when(recordRows(1, [ledgerOnly(1), matched]))
      .thenEmits([rowsRecorded(1, [ledgerOnly(1), matched])]);
    expect(afterFirst).toMatchObject({ chunksRecorded: 1, rowsRecorded: 2 });
    expect(isReconciliationComplete(afterFirst)).toBe(false);

    const done = spec
      .given(runRecorded(3), rowsRecorded(1, [ledgerOnly(1), matched]))
      .when(recordRows(2, [ledgerOnly(3)]))
      .thenEmits([rowsRecorded(2, [ledgerOnly(3)])]);
    expect(isReconciliationComplete(done)).toBe(true);
    expect(reconciliationChunkCount(3, 2)).toBe(2);
    expect(reconciliationChunkCount(0, 2)).toBe(0);
  });

  it('must belong to a recorded run, and to this one', () => {
    spec
      .given()
      .when(recordRows(1, [matched]))
      .thenRefused('LDG_RECONCILIATION_RUN_NOT_FOUND', 'runId');
    spec
      .given(runRecorded(3))
      .when(recordRows(1, [matched, matched], reconciliationRunId('stripe', SHA, 2)))
      .thenRefused('LDG_RECONCILIATION_RUN_NOT_FOUND', 'runId');
  });

  it('come in chunk order: a recorded chunk is refused, and so is a gap', () => {
    const history = [runRecorded(5), rowsRecorded(1, [ledgerOnly(1), ledgerOnly(2)])];
    spec
      .given(...history)
      .when(recordRows(1, [ledgerOnly(1), ledgerOnly(2)]))
      .thenRefused('LDG_RECONCILIATION_CHUNK_ALREADY_RECORDED', 'chunkNo');
    const gap = spec
      .given(...history)
      .when(recordRows(3, [ledgerOnly(5)]))
      .thenRefused('LDG_RECONCILIATION_CHUNK_OUT_OF_ORDER', 'chunkNo');
    expect(gap.details).toEqual({ nextChunkNo: 2 });
  });

  it('fill every chunk but the last, and never exceed the run', () => {
    spec
      .given(runRecorded(3))
      .when(recordRows(1, [ledgerOnly(1)]))
      .thenRefused('LDG_RECONCILIATION_CHUNK_SIZE', 'rows');
    spec
      .given(runRecorded(3), rowsRecorded(1, [ledgerOnly(1), ledgerOnly(2)]))
      .when(recordRows(2, [ledgerOnly(3), ledgerOnly(4)]))
      .thenRefused('LDG_RECONCILIATION_CHUNK_SIZE', 'rows');
    spec
      .given(runRecorded(1), rowsRecorded(1, [ledgerOnly(1)]))
      .when(recordRows(2, [ledgerOnly(2)]))
      .thenRefused('LDG_RECONCILIATION_CHUNK_SIZE', 'rows');
  });

  it('refuses a malformed row, naming the field', () => {
    const bad = { ...matched, provider: { ...matched.provider!, currency: 'usd' } };
    spec
      .given(runRecorded(1))
      .when(recordRows(1, [bad]))
      .thenRefused('LDG_INVALID_COMMAND', 'rows.0.provider.currency');
  });

  it('are not recorded before the run in business time', () => {
    spec
      .given(runRecorded(1))
      .when({ ...recordRows(1, [matched]), occurredAt: '2026-03-31T00:00:00.000Z' })
      .thenRefused('LDG_OCCURRED_AT_BEFORE_PREVIOUS', 'occurredAt');
  });
});
