import { describe, expect, it } from 'vitest';
import { type CsvColumnMapping, parseGenericCsvReport } from './generic-csv.js';

const bytes = (text: string) => new TextEncoder().encode(text);

const file = [
  'Refund;Amount;Cur;When;Ref;Order;Kind;State',
  'R-1;-1250;EUR;2024-08-20 10:00:00;MR-1;5001;refund;done',
  'R-2;-300;EUR;2024-08-20T11:00:00Z;;5002;refund;processing',
  'P-1;9900;EUR;2024-08-20 12:00:00;;5003;payment;done',
  'R-3;450;EUR;2024-08-20 13:00:00;;5004;refund;done',
  'R-4;-100;EUR;2024-08-20 14:00:00;;5005;refund;on hold',
  '',
].join('\n');

const mapping: CsvColumnMapping = {
  refundId: 'Refund',
  amount: 'Amount',
  currency: 'Cur',
  occurredAt: 'When',
  reference: 'Ref',
  orderId: 'Order',
  status: 'State',
  amountUnit: 'minor',
  sign: 'refund-negative',
  timeZone: '+02:00',
  delimiter: ';',
  rowFilter: { column: 'Kind', values: ['refund'] },
};

describe('parseGenericCsvReport', () => {
  it('reads through the mapping: minor units, refunds negative, naive times in the given zone', () => {
    const report = parseGenericCsvReport(bytes(file), { mapping: { ...mapping, status: undefined } });
    expect(report.rows[0]).toEqual({
      provider: 'csv',
      providerRefundId: 'R-1',
      originalPaymentId: null,
      orderId: '5001',
      merchantRefundId: 'MR-1',
      amount: 1250,
      currency: 'EUR',
      occurredAt: '2024-08-20T08:00:00.000Z',
      status: 'succeeded',
      line: 2,
    });
    expect(report.rows.map((row) => row.providerRefundId)).toEqual(['R-1', 'R-2', 'R-4']);
    expect(report.skipped).toEqual([
      { reason: 'Kind not in the row filter', count: 1 },
      { reason: 'amount of the non-refund sign', count: 1 },
    ]);
  });

  it('maps status words, reading unknown ones as pending with a warning', () => {
    const report = parseGenericCsvReport(bytes(file), { mapping: { ...mapping, status: 'State' } });
    expect(report.rows.map((row) => row.status)).toEqual(['pending', 'pending', 'pending']);
    const known = file.replaceAll(';done', ';completed');
    const statuses = parseGenericCsvReport(bytes(known), { mapping }).rows.map((row) => row.status);
    expect(statuses).toEqual(['succeeded', 'pending', 'pending']);
    expect(parseGenericCsvReport(bytes(file), { mapping }).warnings).toEqual([
      "Unknown status 'done' read as pending",
      "Unknown status 'on hold' read as pending",
    ]);
  });

  it('reads major units with a fixed currency and positive refunds, exactly per currency', () => {
    const text = 'id,amount,date\nA,12.34,2024-08-20\nB,-5.00,2024-08-20\n';
    const plain = { refundId: 'id', amount: 'amount', occurredAt: 'date' };
    const report = parseGenericCsvReport(bytes(text), { mapping: { ...plain, fixedCurrency: 'USD' } });
    expect(report.rows).toEqual([
      expect.objectContaining({ amount: 1234, currency: 'USD', status: 'succeeded' }),
    ]);
    expect(report.skipped).toEqual([{ reason: 'amount of the non-refund sign', count: 1 }]);
    expect(() => parseGenericCsvReport(bytes(text), { mapping: { ...plain, fixedCurrency: 'JPY' } })).toThrow(
      /line 2, column 'amount'/,
    );
  });

  it('refuses a mapping naming a missing column, or both or neither currency sources', () => {
    expect(() =>
      parseGenericCsvReport(bytes(file), { mapping: { ...mapping, orderId: 'Bestellung' } }),
    ).toThrow(/Bestellung/);
    expect(() =>
      parseGenericCsvReport(bytes(file), { mapping: { ...mapping, fixedCurrency: 'EUR' } }),
    ).toThrow(/exactly one/);
  });
});
