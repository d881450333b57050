import { describe, expect, it } from 'vitest';
import { startDateEndingYesterday } from './demo.js';

function endOf(startDate: string, months: number): string {
  const end = new Date(`${startDate}T00:00:00Z`);
  end.setUTCMonth(end.getUTCMonth() + months); // as the scenario generator counts its span
  return end.toISOString().slice(0, 10);
}

describe('the demo business period', () => {
  it('ends yesterday, so reports as of now show a business in progress', () => {
    const start = startDateEndingYesterday(12, new Date('2026-11-23T10:00:00Z'));
    expect(start).toBe('2025-11-22');
    expect(endOf(start, 12)).toBe('2026-11-22');
  });

  it('never ends after today when yesterday was late in a month', () => {
    for (const today of ['2026-03-01', '2026-03-31', '2026-05-30', '2026-01-01']) {
      for (const months of [3, 12, 24]) {
        const start = startDateEndingYesterday(months, new Date(`${today}T12:00:00Z`));
        expect(endOf(start, months) < today).toBe(true);
      }
    }
  });
});
