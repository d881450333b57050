import { describe, expect, it } from 'vitest';
import { encodeGbk } from '../fixtures/gbk.js';
import { decodeReport } from './decode.js';

const text = '交易时间,退款金额\n2024-08-20,30.50\n';

describe('decodeReport', () => {
  it('reads UTF-8 without a BOM', () => {
    expect(decodeReport(new TextEncoder().encode(text))).toEqual({ text, encoding: 'utf-8' });
  });

  it('reads UTF-8 with a BOM and removes it', () => {
    expect(decodeReport(new TextEncoder().encode(`\uFEFF${text}`))).toEqual({ text, encoding: 'utf-8' });
  });

  it('falls back to GBK when the bytes are not UTF-8', () => {
    expect(decodeReport(encodeGbk(text))).toEqual({ text, encoding: 'gbk' });
  });

  it('obeys an explicit override', () => {
    expect(decodeReport(encodeGbk(text), 'gbk').text).toBe(text);
    expect(() => decodeReport(encodeGbk(text), 'utf-8')).toThrow(/LDG_REPORT_ENCODING|not valid utf-8/);
  });
});
