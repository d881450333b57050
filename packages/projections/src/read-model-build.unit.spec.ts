import { describe, expect, it } from 'vitest';
import { progressEverySecond } from './read-model-build.js';

describe('progressEverySecond', () => {
  it('passes on a position once a second has passed, looking at the clock every 1,000 positions', () => {
    let now = 0;
    const reported: number[] = [];
    const progress = progressEverySecond(
      (position) => reported.push(position),
      () => now,
    );
    for (let p = 1; p <= 999; p++) progress(p);
    now = 5_000;
    progress(1000);
    expect(reported).toEqual([1000]);
    now = 5_500;
    for (let p = 1001; p <= 2000; p++) progress(p);
    expect(reported).toEqual([1000]);
    now = 6_000;
    for (let p = 2001; p <= 2999; p++) progress(p);
    expect(reported).toEqual([1000]);
    progress(3000);
    expect(reported).toEqual([1000, 3000]);
  });
});
