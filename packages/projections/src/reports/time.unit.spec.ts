import { describe, expect, it } from 'vitest';
import { toIso } from './time.js';

describe('toIso', () => {
  it('writes exactly what Date#toISOString writes, at day, second and millisecond edges', () => {
    const instants = [
      0,
      1,
      999,
      86_399_999,
      86_400_000,
      Date.parse('2024-02-29T23:59:59.999Z'),
      Date.parse('2026-01-01T12:03:33.786Z'),
      Date.parse('9999-12-31T23:59:59.999Z'),
      Date.parse('+010000-01-01T00:00:00.000Z'),
      -1,
      Date.parse('1969-12-31T23:59:59.010Z'),
    ];
    // and a spread of whole milliseconds over 1970–2069, every millisecond digit pattern included
    for (let i = 0; i < 3000; i++)
      instants.push(Math.floor((((i * 7919) % 3000) / 3000) * 3_155_760_000_000) + i);
    for (const ms of instants) expect(toIso(ms), String(ms)).toBe(new Date(ms).toISOString());
  });
});
