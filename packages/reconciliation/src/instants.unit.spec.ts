import { describe, expect, it } from 'vitest';
import { ReportError } from './errors.js';
import { checkOffset, readInstant } from './instants.js';

const at = { line: 3 };

describe('readInstant', () => {
  it('reads each layout to a UTC instant', () => {
    expect(readInstant('2024/08/20 00:01:17 -0700', 'Z', at)).toBe('2024-08-20T07:01:17.000Z');
    expect(readInstant('2024-08-20 10:01:02', '+08:00', at)).toBe('2024-08-20T02:01:02.000Z');
    expect(readInstant('2024-08-20 10:01:02', 'Z', at)).toBe('2024-08-20T10:01:02.000Z');
    expect(readInstant('2024-08-20T10:00:00+02:00', 'Z', at)).toBe('2024-08-20T08:00:00.000Z');
    expect(readInstant('2024-08-20T10:00:00.5Z', '+08:00', at)).toBe('2024-08-20T10:00:00.500Z');
    expect(readInstant('2024-08-20', '+08:00', at)).toBe('2024-08-19T16:00:00.000Z');
  });

  it('refuses impossible or unreadable dates', () => {
    expect(() => readInstant('2024-02-30 10:00:00', 'Z', at)).toThrow(ReportError);
    expect(() => readInstant('2024-08-20 24:00:00', 'Z', at)).toThrow(ReportError);
    expect(() => readInstant('20/08/2024', 'Z', at)).toThrow(/line 3/);
  });

  it('checks offsets given as options', () => {
    expect(checkOffset('+08:00')).toBe('+08:00');
    expect(() => checkOffset('Asia/Shanghai')).toThrow(RangeError);
  });
});
