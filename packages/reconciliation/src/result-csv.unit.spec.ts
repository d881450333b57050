import { describe, expect, it } from 'vitest';
import type { ReconciliationRow } from './reconcile.js';
import { RESULT_CSV_COLUMNS, writeResultCsv } from './result-csv.js';
import { parseCsv } from './text/csv.js';

const matched: ReconciliationRow = {
  category: 'amount-mismatch',
  matchedBy: 'payment-reference',
  ledger: {
    refundId: 'rf-1',
    caseId: 'case-1',
    orderId: 'order-1',
    amount: 5000,
    currency: 'CNY',
    paidAt: '2024-08-20T01:00:00.000Z',
    paymentRef: 're-1',
    vendorCredit: { unitId: 'unit-1', amount: 1200, currency: 'CNY' },
  },
  provider: {
    provider: 'stripe',
    providerRefundId: '=HYPERLINK("http://x")',
    originalPaymentId: 'ch_1',
    orderId: 'order-1',
    merchantRefundId: null,
    amount: 4500,
    currency: 'CNY',
    occurredAt: '2024-08-20T02:00:00.000Z',
    status: 'succeeded',
    line: 7,
  },
  difference: -500,
  note: 'a note, with "quotes"',
};

describe('writeResultCsv', () => {
  it('writes the fixed columns, header first, CRLF', () => {
    const csv = writeResultCsv([matched]);
    expect(csv.split('\r\n')[0]).toBe(RESULT_CSV_COLUMNS.join(','));
    expect(csv.endsWith('\r\n')).toBe(true);
    const [, row] = parseCsv(csv);
    const cells = Object.fromEntries(RESULT_CSV_COLUMNS.map((name, index) => [name, row?.fields[index]]));
    expect(cells).toMatchObject({
      category: 'amount-mismatch',
      matched_by: 'payment-reference',
      ledger_refund_id: 'rf-1',
      ledger_amount_minor: '5000',
      provider_amount_minor: '4500',
      provider_line: '7',
      difference_minor: '-500',
      merchant_refund_id: '',
      vendor_credit_amount_minor: '1200',
      note: 'a note, with "quotes"',
    });
  });

  it('defuses text that a spreadsheet would run as a formula, but not negative numbers', () => {
    const [, row] = parseCsv(writeResultCsv([matched]));
    expect(row?.fields[RESULT_CSV_COLUMNS.indexOf('provider_refund_id')]).toBe('\'=HYPERLINK("http://x")');
    expect(row?.fields[RESULT_CSV_COLUMNS.indexOf('difference_minor')]).toBe('-500');
  });

  it('leaves the absent side empty', () => {
    const csv = writeResultCsv([
      { ...matched, category: 'ledger-only', provider: null, difference: null, note: null },
    ]);
    const [, row] = parseCsv(csv);
    expect(row?.fields).toHaveLength(RESULT_CSV_COLUMNS.length);
    expect(row?.fields[RESULT_CSV_COLUMNS.indexOf('provider')]).toBe('');
  });
});
