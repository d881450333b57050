import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SubscribeToAllOptions } from '@rma-ledger/event-store';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProjectionApplyError, ProjectionNotReadyError } from './errors.js';
import type { Projection } from './projection.js';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner.js';
import { dumpTables } from './table-dump.js';
import {
  type Added,
  added,
  bulkCounterProjection,
  counterProjection,
  noise,
  parseAdded,
} from './test-support/counter-projection.js';
import { InMemoryEventStore } from './test-support/in-memory-event-store.js';

const here = dirname(fileURLToPath(import.meta.url));
let directory: string;
const runners: ProjectionRunner<Added>[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'projections-'));
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  rmSync(directory, { recursive: true, force: true });
});

function start(
  store: InMemoryEventStore,
  overrides: Partial<ProjectionRunnerOptions<Added>> = {},
): ProjectionRunner<Added> {
  const runner = ProjectionRunner.start<Added>({
    store,
    directory,
    projections: [counterProjection()],
    parse: parseAdded,
    batchSize: 3,
    maxBatchDelayMs: Number.POSITIVE_INFINITY,
    ...overrides,
  });
  runners.push(runner);
  return runner;
}

/** The counter under another name, failing on a negative amount. */
function refusingNegatives(name: string): Projection<Added> {
  const counter = counterProjection();
  return {
    ...counter,
    name,
    bind(db) {
      const apply = counter.bind(db);
      return (event, recorded) => {
        if (event.amount < 0) throw new Error(`negative amount ${event.amount}`);
        apply(event, recorded);
      };
    },
  };
}

function counts(runner: ProjectionRunner<Added>) {
  return runner.read('counter', (db) => db.prepare('SELECT * FROM counts ORDER BY stream').all());
}

function fileCheckpoint(): { position: number | null; events_processed: number } {
  const file = readdirSync(directory).find((f) => f.endsWith('.db'))!;
  const db = new BetterSqlite3(join(directory, file), { readonly: true });
  try {
    return db.prepare('SELECT position, events_processed FROM projection_meta').get() as {
      position: number | null;
      events_processed: number;
    };
  } finally {
    db.close();
  }
}

function fileMeta(): { state: string; position: number | null; events_processed: number } {
  const file = readdirSync(directory).find((f) => f.endsWith('.db'))!;
  const db = new BetterSqlite3(join(directory, file), { readonly: true });
  try {
    return db.prepare('SELECT state, position, events_processed FROM projection_meta').get() as {
      state: string;
      position: number | null;
      events_processed: number;
    };
  } finally {
    db.close();
  }
}

function fileIndexes(): string[] {
  const file = readdirSync(directory).find((f) => f.endsWith('.db'))!;
  const db = new BetterSqlite3(join(directory, file), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      )
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
}

describe('a fresh read model', () => {
  it('is loaded in bulk up to the head, written at once with its checkpoint and marked live, then fed in batches', async () => {
    const store = new InMemoryEventStore();
    store.appendSync('a', [added(1), added(2), noise()]);
    store.appendSync('b', [added(10)]);
    const calls: string[] = [];
    const runner = start(store, { projections: [bulkCounterProjection(calls)] });
    await runner.waitFor(4);
    expect(calls).toEqual(['bulk 1', 'bulk 2', 'bulk 4', 'finish']);
    // the noise event is of no type the projection wants: the store skipped it
    expect(fileMeta()).toEqual({ state: 'live', position: 4, events_processed: 3 });
    expect(counts(runner)).toEqual([
      { stream: 'a', events: 2, total: 3 },
      { stream: 'b', events: 1, total: 10 },
    ]);

    await store.append('a', [added(5), added(6)]);
    await runner.waitFor(6);
    expect(calls.slice(4)).toEqual(['apply 5', 'apply 6']);
    expect(counts(runner)).toEqual([
      { stream: 'a', events: 4, total: 14 },
      { stream: 'b', events: 1, total: 10 },
    ]);
  });

  it('asks the store for its event types only, and checkpoints where the store read up to', async () => {
    const store = new InMemoryEventStore();
    store.appendSync('a', [added(1), noise()]);
    const subscribed: (readonly string[] | undefined)[] = [];
    const subscribeToAll = store.subscribeToAll.bind(store);
    store.subscribeToAll = (options) => {
      subscribed.push(options.eventTypes);
      return subscribeToAll(options);
    };
    const runner = start(store);
    await runner.waitFor(2);
    expect(subscribed).toEqual([['Added']]);
    expect(counts(runner)).toEqual([{ stream: 'a', events: 1, total: 1 }]);

    // live: only events of other types arrive, and the checkpoint still follows the log
    await store.append('b', [noise(), noise()]);
    await runner.waitFor(4);
    await runner.stop();
    expect(fileCheckpoint()).toEqual({ position: 4, events_processed: 1 });
  });

  it('commits a live batch once its delay has passed, on a store that reports caught up only once', async () => {
    const store = new InMemoryEventStore();
    store.caughtUpOnce = true;
    store.appendSync('a', [added(1)]);
    const runner = start(store, { maxBatchDelayMs: 10 });
    await runner.waitFor(1);
    await store.append('a', [added(2)]);
    // no event follows it and no catch-up is reported: the delay alone commits the batch
    await runner.waitFor(2);
    expect(counts(runner)).toEqual([{ stream: 'a', events: 2, total: 3 }]);
  });

  it('answers a rebuild asked while it loads from the first event by that load, not a second one', async () => {
    const store = new InMemoryEventStore();
    store.appendSync('a', [added(1), added(2)]);
    const calls: string[] = [];
    const runner = start(store, { projections: [bulkCounterProjection(calls)] });
    await runner.rebuild('counter');
    expect(calls).toEqual(['bulk 1', 'bulk 2', 'finish']);
    expect(readdirSync(directory).filter((f) => f.endsWith('.db'))).toEqual(['counter.1.db']);
    expect(counts(runner)).toEqual([{ stream: 'a', events: 2, total: 3 }]);
  });

  it('writes a bulk load once it holds maxBulkEvents, and feeds the rest of the catch-up in batches', async () => {
    const store = new InMemoryEventStore();
    for (let i = 1; i <= 7; i++) store.appendSync('a', [added(i)]);
    const calls: string[] = [];
    const runner = start(store, { projections: [bulkCounterProjection(calls)], maxBulkEvents: 3 });
    await runner.waitFor(7);
    expect(calls).toEqual([
      'bulk 1',
      'bulk 2',
      'bulk 3',
      'finish',
      'apply 4',
      'apply 5',
      'apply 6',
      'apply 7',
    ]);
    expect(counts(runner)).toEqual([{ stream: 'a', events: 7, total: 28 }]);
  });

  it('writes nothing of a bulk load that fails, and names the failing event', async () => {
    const store = new InMemoryEventStore();
    for (const amount of [1, 2, -1, 4]) store.appendSync('a', [added(amount)]);
    const runner = start(store, { projections: [bulkCounterProjection()] });
    const failure = await runner.waitFor(4).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProjectionApplyError);
    expect(failure).toMatchObject({ projection: 'counter', position: 3, eventType: 'Added' });
    expect(counts(runner)).toEqual([]);
    expect(fileMeta()).toEqual({ state: 'building', position: null, events_processed: 0 });
  });

  it('gets its query indexes once caught up, and waitFor resolves only then', async () => {
    const store = new InMemoryEventStore();
    for (let i = 1; i <= 3; i++) store.appendSync('a', [added(i)]);
    const indexed = { ...counterProjection(), indexes: bulkCounterProjection().indexes! };
    // batches of 3: the third event commits the checkpoint before the runner sees it is caught up
    const runner = start(store, { projections: [indexed], batchSize: 3 });
    await runner.waitFor(3);
    expect(fileIndexes()).toEqual(['counts_by_total']);
    expect(counts(runner)).toEqual([{ stream: 'a', events: 3, total: 6 }]);
  });
});

describe('the projection runner', () => {
  it('catches up on history, then follows live appends, skipping event types it does not want', async () => {
    const store = new InMemoryEventStore();
    store.appendSync('a', [added(1), added(2), noise()]);
    store.appendSync('b', [added(10)]);
    const runner = start(store);
    await runner.waitFor(4);
    expect(counts(runner)).toEqual([
      { stream: 'a', events: 2, total: 3 },
      { stream: 'b', events: 1, total: 10 },
    ]);

    await store.append('b', [added(5), noise()]);
    await runner.waitFor(6);
    expect(counts(runner)).toEqual([
      { stream: 'a', events: 2, total: 3 },
      { stream: 'b', events: 2, total: 15 },
    ]);
  });

  it('resumes after a restart from its checkpoint without applying any event twice', async () => {
    const store = new InMemoryEventStore();
    for (let i = 1; i <= 5; i++) store.appendSync('a', [added(i)]);
    const first = start(store);
    await first.waitFor(5);
    await first.stop();

    for (let i = 6; i <= 8; i++) store.appendSync('a', [added(i)]);
    const second = start(store);
    await second.waitFor(8);
    expect(counts(second)).toEqual([{ stream: 'a', events: 8, total: 36 }]);
  });

  it('stops on a failing event naming projection, position and type, keeps the events before it, and resumes there', async () => {
    const store = new InMemoryEventStore();
    // batches of 3: [1 2 3] [4 5 6] — the poison is the second event of the second batch
    for (const amount of [1, 2, 3, 4, -1, 6]) store.appendSync('a', [added(amount)]);
    const failures: Error[] = [];
    const runner = start(store, { onFailure: (_name, error) => failures.push(error) });

    const failure = await runner.waitFor(6).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProjectionApplyError);
    expect(failure).toMatchObject({
      code: 'LDG_PROJECTION_APPLY_FAILED',
      projection: 'counter',
      position: 5,
      eventType: 'Added',
    });
    expect((failure as Error).message).toContain("Projection 'counter' failed on event Added at position 5");
    expect(failures).toEqual([failure]);
    expect(counts(runner)).toEqual([{ stream: 'a', events: 4, total: 10 }]);
    const [lag] = await runner.lag();
    expect(lag).toMatchObject({ status: 'failed', checkpoint: 4, eventsBehind: 2 });
    expect(lag?.error).toMatchObject({ code: 'LDG_PROJECTION_APPLY_FAILED' });
    await runner.stop();
    expect(fileCheckpoint()).toEqual({ position: 4, events_processed: 4 });

    // the fix: the same code now accepts the event (here, it reads the amount as its absolute value)
    const fixed = start(store, {
      parse: (recorded) => ({
        type: 'Added',
        amount: Math.abs((recorded.data as { amount: number }).amount),
      }),
    });
    await fixed.waitFor(6);
    expect(counts(fixed)).toEqual([{ stream: 'a', events: 6, total: 17 }]);
  });

  it('reads the log once for all projections: one failing leaves the others following it', async () => {
    const store = new InMemoryEventStore();
    for (const amount of [1, 2, 3, 4, -1, 6]) store.appendSync('a', [added(amount)]);
    const failures: string[] = [];
    const subscribe = vi.spyOn(store, 'subscribeToAll');
    const runner = start(store, {
      projections: [counterProjection(), refusingNegatives('picky')],
      parse: (recorded) => ({ type: 'Added', amount: (recorded.data as { amount: number }).amount }),
      onFailure: (name) => failures.push(name),
    });

    await expect.poll(() => failures).toEqual(['picky']);
    store.appendSync('a', [added(7)]);
    await expect.poll(() => counts(runner)).toEqual([{ stream: 'a', events: 7, total: 22 }]);
    expect(runner.read('picky', (db) => db.prepare('SELECT * FROM counts').all())).toEqual([
      { stream: 'a', events: 4, total: 10 },
    ]);
    expect(subscribe).toHaveBeenCalledTimes(1);
  });

  it('feeds a new projection from the first event and an existing one from its checkpoint, in one pass', async () => {
    const store = new InMemoryEventStore();
    for (const amount of [1, 2, 3, 4]) store.appendSync('a', [added(amount)]);
    const first = start(store);
    await first.waitFor(4);
    await first.stop();
    store.appendSync('a', [added(5)]);

    const both = start(store, { projections: [counterProjection(), refusingNegatives('second')] });
    await both.waitFor(5);
    expect(counts(both)).toEqual([{ stream: 'a', events: 5, total: 15 }]);
    expect(both.read('second', (db) => db.prepare('SELECT * FROM counts').all())).toEqual([
      { stream: 'a', events: 5, total: 15 },
    ]);
  });

  it.each([
    ['in the middle of a batch', 12],
    ['on the first event of a batch', 15],
    ['on the last event of a batch', 14],
  ])('loses and repeats nothing when the process is killed %s', async (_when, killAt) => {
    const total = 30;
    const child = spawnSync(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        join(here, 'test-support/crash-child.ts'),
        directory,
        String(killAt),
        String(total),
      ],
      { cwd: join(here, '..'), encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGKILL');
    // batches of 7 commit at positions 7, 14, 21...: the killed batch left no trace
    const committed = Math.floor((killAt - 1) / 7) * 7;
    expect(fileCheckpoint()).toEqual({ position: committed, events_processed: committed });
    // never caught up, so never marked live: the next start discards it and begins again
    expect(fileMeta().state).toBe('building');

    const store = new InMemoryEventStore();
    for (let i = 1; i <= total; i++) store.appendSync(`s${i % 3}`, [added(i)]);
    const runner = start(store, { batchSize: 7 });
    await runner.waitFor(total);
    const expected = [0, 1, 2].map((r) => {
      const amounts = Array.from({ length: total }, (_, i) => i + 1).filter((i) => i % 3 === r);
      return { stream: `s${r}`, events: amounts.length, total: amounts.reduce((a, b) => a + b, 0) };
    });
    expect(counts(runner)).toEqual(expected);
  });

  it('rebuilds into a fresh read model equal to the live one, answering from the old one until the swap', async () => {
    const gate = { open: false, release: () => {} };
    const store = new InMemoryEventStore();
    const gatedStore = Object.create(store) as InMemoryEventStore;
    let subscriptions = 0;
    gatedStore.subscribeToAll = (options: SubscribeToAllOptions) => {
      subscriptions++;
      if (subscriptions === 1) return store.subscribeToAll(options);
      // the rebuild's subscription stalls after its third event until the test releases it
      return store.subscribeToAll({
        ...options,
        handler: async (event) => {
          if (event.position > 3 && !gate.open) await new Promise<void>((r) => (gate.release = r));
          gate.open = true;
          return options.handler(event);
        },
      });
    };
    for (let i = 1; i <= 6; i++) store.appendSync(`s${i % 2}`, [added(i), noise()]);
    const runner = start(gatedStore);
    await runner.waitFor(12);
    await store.append('s1', [added(100)]);
    await runner.waitFor(13);
    const live = runner.read('counter', dumpTables);

    const rebuilt = runner.rebuild('counter');
    while (readdirSync(directory).filter((f) => f.endsWith('.db')).length < 2)
      await new Promise((r) => setTimeout(r, 1));
    expect(runner.read('counter', dumpTables)).toEqual(live);
    await store.append('s0', [added(1000)]);
    await runner.waitFor(14);
    gate.release();
    await rebuilt;

    expect(runner.read('counter', dumpTables)).toEqual({
      counts: [
        ['s0', 4, 1012],
        ['s1', 4, 109],
      ],
    });
    // the same events through a fresh runner's catch-up give the same tables
    await runner.stop();
    rmSync(directory, { recursive: true, force: true });
    directory = mkdtempSync(join(tmpdir(), 'projections-'));
    const fresh = start(store);
    await fresh.waitFor(14);
    expect(fresh.read('counter', dumpTables)).toEqual({
      counts: [
        ['s0', 4, 1012],
        ['s1', 4, 109],
      ],
    });
  });

  it('deletes the replaced read model after a rebuild and opens the rebuilt one at the next start', async () => {
    const store = new InMemoryEventStore();
    for (let i = 1; i <= 4; i++) store.appendSync('a', [added(i)]);
    const runner = start(store);
    await runner.waitFor(4);
    await runner.rebuild('counter');
    await new Promise((r) => setTimeout(r, 10));
    expect(readdirSync(directory).filter((f) => f.endsWith('.db'))).toEqual(['counter.2.db']);
    await runner.stop();

    const again = start(store);
    await again.waitFor(4);
    expect(counts(again)).toEqual([{ stream: 'a', events: 4, total: 10 }]);
    expect(readdirSync(directory).filter((f) => f.endsWith('.db'))).toEqual(['counter.2.db']);
  });

  it('rebuilds from the first event when the projection version changed', async () => {
    const store = new InMemoryEventStore();
    for (let i = 1; i <= 4; i++) store.appendSync('a', [added(i)]);
    const v1 = start(store);
    await v1.waitFor(4);
    await v1.stop();

    const v2 = start(store, { projections: [counterProjection(2, 10)] });
    await v2.waitFor(4);
    expect(counts(v2)).toEqual([{ stream: 'a', events: 4, total: 100 }]);
    expect(readdirSync(directory).filter((f) => f.endsWith('.db'))).toEqual(['counter.2.db']);
  });

  it('reports lag in events and in seconds since the oldest unapplied event was recorded', async () => {
    const store = new InMemoryEventStore();
    store.recordedAt = '2026-03-01T10:00:00.000Z';
    store.appendSync('a', [added(1), added(2)]);
    store.recordedAt = '2026-03-01T10:00:30.000Z';
    store.appendSync('a', [added(-1), added(4), added(5)]);
    const now = () => Date.parse('2026-03-01T10:01:00.000Z');
    const runner = start(store, { now, batchSize: 1 });
    await runner.waitFor(5).catch(() => {});

    expect(await runner.lag()).toEqual([
      {
        name: 'counter',
        version: 1,
        status: 'failed',
        checkpoint: 2,
        head: 5,
        eventsBehind: 3,
        eventsBehindIsLowerBound: false,
        secondsBehind: 30,
        rebuilding: false,
        error: expect.objectContaining({ code: 'LDG_PROJECTION_APPLY_FAILED' }),
      },
    ]);
    await runner.stop();

    const limited = start(store, { now, batchSize: 1, lagCountLimit: 2 });
    await limited.waitFor(5).catch(() => {});
    expect(await limited.lag()).toMatchObject([{ eventsBehind: 2, eventsBehindIsLowerBound: true }]);
  });

  it('reports no lag once caught up, however old the last event is', async () => {
    const store = new InMemoryEventStore();
    store.recordedAt = '2026-03-01T10:00:00.000Z';
    store.appendSync('a', [added(1)]);
    const runner = start(store, { now: () => Date.parse('2026-03-02T00:00:00.000Z') });
    await runner.waitFor(1);
    expect(await runner.lag()).toMatchObject([
      { status: 'live', checkpoint: 1, head: 1, eventsBehind: 0, secondsBehind: 0, error: null },
    ]);
  });

  it('refuses queries once stopped', async () => {
    const runner = start(new InMemoryEventStore());
    await runner.stop();
    expect(() => counts(runner)).toThrow(ProjectionNotReadyError);
  });
});
