import { describe, expect, it } from 'vitest';
import { readCurrency, readSignedMajorUnits, readSignedMinorUnits } from './amounts.js';
import { ReportError } from './errors.js';

const at = { line: 7, column: 'gross' };

describe('amounts', () => {
  it('reads signed major units exactly per currency', () => {
    expect(readSignedMajorUnits('-25.50', 'USD', at)).toBe(-2550);
    expect(readSignedMajorUnits('0.29', 'USD', at)).toBe(29); // 0.29 * 100 is 28.999… in floating point
    expect(readSignedMajorUnits('-1500', 'JPY', at)).toBe(-1500);
    expect(readSignedMajorUnits('+1.234', 'KWD', at)).toBe(1234);
    expect(readSignedMajorUnits(' 12.3 ', 'CNY', at)).toBe(1230);
  });

  it('refuses more decimals than the currency has, and non-numbers, naming the place', () => {
    expect(() => readSignedMajorUnits('1500.5', 'JPY', at)).toThrow(ReportError);
    expect(() => readSignedMajorUnits('1,234.00', 'USD', at)).toThrow(/line 7, column 'gross'/);
    expect(() => readSignedMajorUnits('', 'USD', at)).toThrow(ReportError);
  });

  it('reads integer minor units', () => {
    expect(readSignedMinorUnits('1999', at)).toBe(1999);
    expect(readSignedMinorUnits('-5', at)).toBe(-5);
    expect(() => readSignedMinorUnits('19.99', at)).toThrow(ReportError);
    expect(() => readSignedMinorUnits('99999999999999999999', at)).toThrow(ReportError);
  });

  it('upper-cases currency codes and refuses others', () => {
    expect(readCurrency(' usd', at)).toBe('USD');
    expect(() => readCurrency('人民币', at)).toThrow(ReportError);
  });
});
