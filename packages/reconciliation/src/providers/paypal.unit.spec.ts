import { describe, expect, it } from 'vitest';
import { PAYPAL_CH, PAYPAL_STL } from '../fixtures/reports.js';
import { parsePayPalReport } from './paypal.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parsePayPalReport', () => {
  const report = parsePayPalReport(bytes(PAYPAL_STL));

  it('reads T1107 debits by column name, with the two-space header, unsigned minor units and offsets', () => {
    expect(report.rows).toEqual([
      {
        provider: 'paypal',
        providerRefundId: '9REFUND1',
        originalPaymentId: '5SALE001',
        orderId: '2001',
        merchantRefundId: null,
        amount: 1999,
        currency: 'USD',
        occurredAt: '2024-08-20T07:01:17.000Z',
        status: 'succeeded',
        line: 6,
      },
      // No completion date: the initiation date is used.
      expect.objectContaining({
        providerRefundId: '9REFUND2',
        amount: 300,
        currency: 'JPY',
        occurredAt: '2024-08-20T12:00:00.000Z',
      }),
    ]);
  });

  it('skips the sale, the T1105 hold release and the T1201 chargeback by their exact codes', () => {
    expect(report.skipped).toEqual([
      { reason: 'not a refund: event code T0006', count: 1 },
      { reason: 'not a refund: event code T1105', count: 1 },
      { reason: 'not a refund: event code T1201', count: 1 },
    ]);
    expect(report.warnings).toEqual([]);
  });

  it('follows the column header, not positions', () => {
    const names = PAYPAL_CH.split(',').slice(1);
    const reordered = ['"CH"', ...names.reverse()].join(',');
    const row = PAYPAL_STL.split('\r\n')[5]!.split(',').slice(1).reverse();
    const text = ['"RH","x"', reordered, ['"SB"', ...row].join(','), '"SC","1"'].join('\n');
    expect(parsePayPalReport(bytes(text)).rows).toEqual([{ ...report.rows[0], line: 3 }]);
  });

  it('warns when the footer counts disagree with the data rows read (a truncated file)', () => {
    const truncated = PAYPAL_STL.split('\r\n')
      .filter((line) => !line.includes('8CHBK001'))
      .join('\r\n');
    expect(parsePayPalReport(bytes(truncated)).warnings).toEqual([
      expect.stringMatching(/SC declares 5 data rows but 4/),
      expect.stringMatching(/RC declares 5 data rows but 4/),
    ]);
  });

  it('refuses data rows before any column header', () => {
    expect(() => parsePayPalReport(bytes('"RH","x"\n"SB","1"\n'))).toThrow(/line 2/);
  });
});
