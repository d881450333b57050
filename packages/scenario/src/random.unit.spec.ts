import { describe, expect, it } from 'vitest';
import { Agenda } from './agenda.js';
import { Random } from './random.js';

describe('Random', () => {
  it('repeats its sequence for a seed and differs for another', () => {
    const draw = (seed: number) => {
      const random = new Random(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(8)).not.toEqual(draw(7));
  });

  it('stays within the bounds it is asked for', () => {
    const random = new Random(1);
    for (let i = 0; i < 10_000; i++) {
      const x = random.next();
      expect(x >= 0 && x < 1).toBe(true);
      const n = random.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
  });

  it('draws Poisson counts around their mean and weighted picks by their weights', () => {
    const random = new Random(2);
    const mean = (draws: number[]) => draws.reduce((s, d) => s + d, 0) / draws.length;
    expect(mean(Array.from({ length: 20_000 }, () => random.poisson(3)))).toBeCloseTo(3, 1);
    expect(mean(Array.from({ length: 20_000 }, () => random.poisson(200)))).toBeCloseTo(200, 0);
    const picks = Array.from({ length: 20_000 }, () => random.weighted({ a: 1, b: 3 }));
    expect(picks.filter((p) => p === 'b').length / picks.length).toBeCloseTo(0.75, 1);
    expect(random.pickBy(['x', 'y'], (item) => (item === 'y' ? 1 : 0))).toBe('y');
  });
});

describe('Agenda', () => {
  it('hands out steps by time, and steps due at the same time in the order they were scheduled', () => {
    const agenda = new Agenda();
    const order: string[] = [];
    for (const [at, name] of [
      [30, 'c'],
      [10, 'a1'],
      [20, 'b'],
      [10, 'a2'],
      [5, 'first'],
    ] as const) {
      agenda.schedule(at, () => {
        order.push(name);
      });
    }
    for (let next = agenda.pop(); next; next = agenda.pop()) void next.step();
    expect(order).toEqual(['first', 'a1', 'a2', 'b', 'c']);
    expect(agenda.pop()).toBeNull();
  });
});
