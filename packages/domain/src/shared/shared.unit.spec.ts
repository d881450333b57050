import { describe, expect, it } from 'vitest';
import { caseStream, receiptUnitId, rmaUnitStream, streamCategory, streamId } from '../streams.js';
import {
  addMoney,
  CurrencyMismatchError,
  compareMoney,
  money,
  multiplyMoney,
  parseMajorUnits,
  subtractMoney,
} from './money.js';
import { addDays, compareInstants, DAY_MS, daysBetween } from './time.js';

describe('money', () => {
  it('adds, subtracts, multiplies and compares in one currency', () => {
    expect(addMoney(money(150, 'CNY'), money(50, 'CNY'))).toEqual(money(200, 'CNY'));
    expect(subtractMoney(money(150, 'CNY'), money(50, 'CNY'))).toEqual(money(100, 'CNY'));
    expect(multiplyMoney(money(19_900, 'CNY'), 3)).toEqual(money(59_700, 'CNY'));
    expect(compareMoney(money(1, 'CNY'), money(2, 'CNY'))).toBeLessThan(0);
  });

  it('never mixes currencies', () => {
    expect(() => addMoney(money(1, 'CNY'), money(1, 'USD'))).toThrow(CurrencyMismatchError);
    expect(() => compareMoney(money(1, 'CNY'), money(1, 'USD'))).toThrow(CurrencyMismatchError);
  });

  it('refuses fractional minor units, negative results and bad currency codes', () => {
    expect(() => money(1.5, 'CNY')).toThrow();
    expect(() => money(1, 'cny')).toThrow();
    expect(() => subtractMoney(money(1, 'CNY'), money(2, 'CNY'))).toThrow(RangeError);
    expect(() => multiplyMoney(money(Number.MAX_SAFE_INTEGER, 'CNY'), 2)).toThrow(RangeError);
  });

  it('converts decimal major units exactly, per currency', () => {
    expect(parseMajorUnits('0.29', 'USD')).toEqual(money(29, 'USD'));
    expect(parseMajorUnits('1234567.89', 'CNY')).toEqual(money(123_456_789, 'CNY'));
    expect(parseMajorUnits('500', 'JPY')).toEqual(money(500, 'JPY'));
    expect(parseMajorUnits('500.00', 'JPY')).toEqual(money(500, 'JPY'));
    expect(parseMajorUnits('1.005', 'BHD')).toEqual(money(1005, 'BHD'));
    expect(() => parseMajorUnits('1.005', 'USD')).toThrow(RangeError);
    expect(() => parseMajorUnits('-1', 'USD')).toThrow(RangeError);
  });
});

describe('time', () => {
  it('counts a day as 86,400,000 ms', () => {
    expect(DAY_MS).toBe(86_400_000);
    expect(addDays('2026-03-28T12:00:00Z', 2)).toBe('2026-03-30T12:00:00.000Z');
    expect(daysBetween('2026-03-01T00:00:00Z', '2026-03-02T12:00:00Z')).toBe(1.5);
  });

  it('compares instants, not strings', () => {
    expect(compareInstants('2026-03-01T00:00:00Z', '2026-03-01T00:00:00.000Z')).toBe(0);
    expect(compareInstants('2026-03-01T00:00:00.5Z', '2026-03-01T00:00:01Z')).toBeLessThan(0);
  });
});

describe('streams', () => {
  it('names streams and tells their category', () => {
    expect(caseStream('42')).toBe('case-42');
    expect(streamCategory(rmaUnitStream('c-1-u1'))).toBe('rma-unit');
    expect(streamCategory('case-rma-unit-x')).toBe('case');
    expect(streamCategory('other-1')).toBeNull();
    expect(streamId('rma-unit-c-1-u1', 'rma-unit')).toBe('c-1-u1');
    expect(streamId('case-1', 'sku')).toBeNull();
  });

  it('derives the same unit id for the same receipt', () => {
    expect(receiptUnitId('c-1', 2)).toBe('c-1-u2');
    expect(receiptUnitId('c-1', 2)).toBe(receiptUnitId('c-1', 2));
  });
});
