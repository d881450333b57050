import { describe, expect, it } from 'vitest';
import { reportSha256 } from './fingerprint.js';
import { ALIPAY_ZIP, WECHAT_BILL_GBK } from './fixtures/reports.js';
import { parseReport } from './providers/parse-report.js';
import { reconcile } from './reconcile.js';
import { writeResultCsv } from './result-csv.js';

describe('a reconciliation from report bytes to result CSV', () => {
  it('reconciles a GBK WeChat Pay bill against the ledger', () => {
    const report = parseReport(WECHAT_BILL_GBK, { provider: 'wechat' });
    const ledger = [
      {
        refundId: 'rf-3001',
        caseId: 'case-3001',
        orderId: '3001',
        amount: 3050,
        currency: 'CNY',
        paidAt: '2024-08-20T04:29:00.000Z',
        paymentRef: 'RF3001',
      },
      {
        refundId: 'rf-3009',
        caseId: 'case-3009',
        orderId: '3009',
        amount: 990,
        currency: 'CNY',
        paidAt: '2024-08-20T06:00:00.000Z',
        paymentRef: null,
      },
    ];
    const { rows, summary } = reconcile(ledger, report.rows);
    expect(
      rows.map((row) => [row.category, row.ledger?.refundId ?? null, row.provider?.providerRefundId ?? null]),
    ).toEqual([
      ['matched', 'rf-3001', '50300000001'],
      ['pending', null, '50300000002'],
      ['ledger-only', 'rf-3009', null],
    ]);
    expect(summary.currencies).toEqual([
      expect.objectContaining({
        currency: 'CNY',
        ledgerAmount: 4040,
        providerRefunded: 3050,
        providerPending: 1200,
      }),
    ]);
    expect(writeResultCsv(rows).split('\r\n')).toHaveLength(5);
  });

  it('names a file by its SHA-256, so a re-run of the same bytes is recognisable', () => {
    expect(reportSha256(ALIPAY_ZIP)).toMatch(/^[0-9a-f]{64}$/);
    expect(reportSha256(ALIPAY_ZIP)).toBe(reportSha256(ALIPAY_ZIP.slice()));
    expect(reportSha256(new TextEncoder().encode(''))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
