import { describe, expect, it } from 'vitest';
import {
  WECHAT_BILL_GBK,
  WECHAT_BILL_TEXT,
  WECHAT_BILL_UTF8,
  WECHAT_BILL_UTF8_BOM,
} from '../fixtures/reports.js';
import { parseWeChatReport } from './wechat.js';

describe('parseWeChatReport', () => {
  const report = parseWeChatReport(WECHAT_BILL_UTF8);

  it('reads REFUND rows with a merchant refund id, stripping backticks, in China time', () => {
    expect(report.rows).toEqual([
      {
        provider: 'wechat',
        providerRefundId: '50300000001',
        originalPaymentId: '4200000001',
        orderId: '3001',
        merchantRefundId: 'RF3001',
        amount: 3050,
        currency: 'CNY',
        occurredAt: '2024-08-20T04:30:00.000Z',
        status: 'succeeded',
        line: 3,
      },
      expect.objectContaining({
        providerRefundId: '50300000002',
        merchantRefundId: 'RF3002',
        amount: 1200,
        status: 'pending',
      }),
    ]);
  });

  it('skips payments, REVOKED reversals and REFUND rows without a merchant refund id, and reads past the summary', () => {
    expect(report.skipped).toEqual([
      { reason: 'not a refund: 交易状态=SUCCESS', count: 1 },
      { reason: 'reversal, not a refund: 交易状态=REVOKED', count: 1 },
      { reason: 'REFUND row without 商户退款单号', count: 1 },
    ]);
    expect(report.warnings).toEqual([expect.stringMatching(/^Line 6: a REFUND row without 商户退款单号/)]);
  });

  it('reads the same bill from GBK bytes and from UTF-8 with a BOM', () => {
    const gbk = parseWeChatReport(WECHAT_BILL_GBK);
    expect(gbk.encoding).toBe('gbk');
    expect(gbk.rows).toEqual(report.rows);
    expect(parseWeChatReport(WECHAT_BILL_UTF8_BOM).rows).toEqual(report.rows);
  });

  it('warns when the summary count disagrees or the summary is missing', () => {
    const miscounted = WECHAT_BILL_TEXT.replace('`5,`100.00', '`6,`100.00');
    expect(parseWeChatReport(new TextEncoder().encode(miscounted)).warnings).toContainEqual(
      'The summary declares 6 trades but the bill lists 5',
    );
    const cut = WECHAT_BILL_TEXT.split('\r\n').slice(0, 4).join('\r\n');
    expect(parseWeChatReport(new TextEncoder().encode(cut)).warnings).toContainEqual(
      expect.stringMatching(/no summary/),
    );
  });

  it('refuses a file that is not a trade bill', () => {
    expect(() => parseWeChatReport(new TextEncoder().encode('a,b\n1,2\n'))).toThrow(/交易时间/);
  });
});
