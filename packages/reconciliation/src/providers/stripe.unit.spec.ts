import { describe, expect, it } from 'vitest';
import { STRIPE_CSV } from '../fixtures/reports.js';
import { parseStripeReport } from './stripe.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseStripeReport', () => {
  const report = parseStripeReport(bytes(STRIPE_CSV));

  it('reads refund rows as positive minor units, including a zero-decimal currency', () => {
    expect(report.rows).toEqual([
      {
        provider: 'stripe',
        providerRefundId: 're_01',
        originalPaymentId: 'ch_01',
        orderId: '1001',
        merchantRefundId: null,
        amount: 2550,
        currency: 'USD',
        occurredAt: '2024-08-20T10:15:30.000Z',
        status: 'succeeded',
        line: 3,
      },
      expect.objectContaining({
        providerRefundId: 're_02',
        amount: 1500,
        currency: 'JPY',
        orderId: '1005',
        line: 7,
      }),
    ]);
  });

  it('skips every look-alike and unknown category with a counted reason, and warns of the unknown one', () => {
    expect(report.skipped).toEqual([
      { reason: 'not a refund: reporting_category=charge', count: 1 },
      { reason: 'not a refund: reporting_category=partial_capture_reversal', count: 1 },
      { reason: 'not a refund: reporting_category=refund_failure', count: 1 },
      { reason: 'not a refund: reporting_category=dispute', count: 1 },
      { reason: 'unknown reporting_category=brand_new_category', count: 1 },
      { reason: 'not a refund: reporting_category=payout', count: 1 },
    ]);
    expect(report.warnings).toEqual([
      expect.stringMatching(/^Refund re_09 failed \(refund_failure\) but is not in this report/),
      expect.stringContaining("'brand_new_category'"),
    ]);
  });

  it('marks a refund failed when its refund_failure is in the same report', () => {
    const failure =
      'txn_09,2024-08-22 08:00:00,ch_01,pi_01,usd,25.50,0.00,25.50,refund_failure,re_01,Refund failed,25.50,usd,1001';
    const { rows, warnings } = parseStripeReport(bytes(`${STRIPE_CSV}${failure}\r\n`));
    expect(rows.find((row) => row.providerRefundId === 're_01')?.status).toBe('failed');
    expect(rows.find((row) => row.providerRefundId === 're_02')?.status).toBe('succeeded');
    expect(warnings.some((warning) => warning.includes('re_01'))).toBe(false);
  });

  it('reads the order id from another metadata column when told', () => {
    const text =
      'created_utc,currency,gross,reporting_category,source_id,payment_metadata[shop_order]\n2024-08-20 10:00:00,eur,-1.00,refund,re_9,SO-1\n';
    const { rows } = parseStripeReport(bytes(text), { orderIdColumn: 'payment_metadata[shop_order]' });
    expect(rows[0]).toMatchObject({ orderId: 'SO-1', originalPaymentId: null, amount: 100, currency: 'EUR' });
  });

  it('refuses a report without the columns it needs, and a refund with an unreadable amount', () => {
    expect(() => parseStripeReport(bytes('created_utc,currency,gross\n'))).toThrow(/reporting_category/);
    const text =
      'created_utc,currency,gross,reporting_category,source_id\n2024-08-20 10:00:00,jpy,-15.5,refund,re_9\n';
    expect(() => parseStripeReport(bytes(text))).toThrow(/line 2, column 'gross'/);
  });
});
