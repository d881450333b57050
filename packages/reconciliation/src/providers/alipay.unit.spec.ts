import { describe, expect, it } from 'vitest';
import { encodeGbk } from '../fixtures/gbk.js';
import { ALIPAY_DETAIL_TEXT, ALIPAY_ZIP } from '../fixtures/reports.js';
import { writeZip } from '../fixtures/zip-writer.js';
import { parseAlipayReport } from './alipay.js';

describe('parseAlipayReport', () => {
  const report = parseAlipayReport(ALIPAY_ZIP);

  it('reads 退款 rows from the GBK detail entry of the zip, past # framing, trailing tabs and full-width brackets', () => {
    expect(report.encoding).toBe('gbk');
    expect(report.rows).toEqual([
      {
        provider: 'alipay',
        providerRefundId: '2024082022001400001/RQ4001-1',
        originalPaymentId: '2024082022001400001',
        orderId: '4001',
        merchantRefundId: 'RQ4001-1',
        amount: 5990,
        currency: 'CNY',
        occurredAt: '2024-08-20T07:00:02.000Z',
        status: 'succeeded',
        line: 7,
      },
      // No 完成时间: 创建时间 is used.
      expect.objectContaining({
        merchantRefundId: 'RQ4009-1',
        amount: 2000,
        occurredAt: '2024-08-20T15:30:00.000Z',
      }),
    ]);
  });

  it('skips payments and other business types, and ignores the # totals after the end line', () => {
    expect(report.skipped).toEqual([
      { reason: 'not a refund: 业务类型=交易', count: 1 },
      { reason: 'not a refund: 业务类型=其它', count: 1 },
    ]);
    expect(report.warnings).toEqual([]);
  });

  it('reads the CSV alone, in UTF-8, and the amount the merchant paid when asked', () => {
    const alone = parseAlipayReport(new TextEncoder().encode(ALIPAY_DETAIL_TEXT), {
      amountColumn: '商家实收(元)',
    });
    expect(alone.rows.map((row) => row.amount)).toEqual([5990, 2000]);
    expect(alone.encoding).toBe('utf-8');
  });

  it('warns when the end line is missing', () => {
    const cut = ALIPAY_DETAIL_TEXT.split('\r\n').slice(0, 7).join('\r\n');
    expect(parseAlipayReport(encodeGbk(cut)).warnings).toEqual([expect.stringMatching(/业务明细列表结束/)]);
  });

  it('refuses a zip without the detail entry', () => {
    const zip = writeZip([{ name: 'other.csv', bytes: encodeGbk('x') }]);
    expect(() => parseAlipayReport(zip)).toThrow(/业务明细\.csv/);
  });
});
