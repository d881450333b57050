import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { ProjectionRunner } from './projection-runner.js';
import { dumpTables } from './table-dump.js';
import {
  type Added,
  added,
  counterProjection,
  noise,
  parseAdded,
} from './test-support/counter-projection.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the projection runner on the SQLite event store', () => {
  it('gives the same read model through live following and through a rebuild', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    const runner = ProjectionRunner.start<Added>({
      store,
      directory: null,
      projections: [counterProjection()],
      parse: parseAdded,
      batchSize: 4,
    });
    cleanups.push(
      () => store.close(),
      () => runner.stop(),
    );

    let last = 0;
    for (let i = 1; i <= 10; i++) {
      const result = await store.append(`s${i % 3}`, [added(i), noise()]);
      last = result.position;
      if (i % 4 === 0) await runner.waitFor(last);
    }
    await runner.waitFor(last);
    const live = runner.read('counter', dumpTables);
    expect(live).toEqual({
      counts: [
        ['s0', 3, 18],
        ['s1', 4, 22],
        ['s2', 3, 15],
      ],
    });

    await runner.rebuild('counter');
    expect(runner.read('counter', dumpTables)).toEqual(live);
    expect(await runner.lag()).toMatchObject([
      { status: 'live', checkpoint: last, head: last, eventsBehind: 0 },
    ]);
  });
});
