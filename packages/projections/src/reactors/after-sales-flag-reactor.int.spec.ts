import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@rma-ledger/event-store';
import { openSqliteEventStore, type SqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { day, ReportScenario } from '../test-support/report-scenario.js';
import type { AfterSalesFlagConfig } from './after-sales-flag-model.js';
import {
  type AfterSalesFlagChange,
  type AfterSalesFlagReactor,
  type AfterSalesFlagWriter,
  startAfterSalesFlagReactor,
} from './after-sales-flag-reactor.js';

const HOUR = 3_600_000;
const on = (n: number) => day(n).slice(0, 10);
/** A ten-day window keeps the fixtures small; thresholds and minimum are the defaults. */
const config: Partial<AfterSalesFlagConfig> = { windowDays: 10 };

type Call = [change: 'raise' | 'clear', sku: string, level: string, ratio: number, from: string, to: string];

/** An idempotent writer, like the SKU aggregate behind idempotency keys: a key seen before writes nothing. */
class RecordingWriter implements AfterSalesFlagWriter {
  readonly calls: Call[] = [];
  readonly changes: AfterSalesFlagChange[] = [];
  readonly written = new Set<string>();
  /** Keys whose first attempt fails. */
  readonly failOnce = new Set<string>();
  readonly failed: string[] = [];

  async raise(change: AfterSalesFlagChange & { level: 'alert' | 'delist' }): Promise<void> {
    this.record(change, [
      'raise',
      change.sku,
      change.level,
      change.ratio,
      change.period.from,
      change.period.to,
    ]);
  }
  async clear(change: AfterSalesFlagChange & { previousLevel: 'alert' | 'delist' }): Promise<void> {
    this.record(change, [
      'clear',
      change.sku,
      change.previousLevel,
      change.ratio,
      change.period.from,
      change.period.to,
    ]);
  }
  private record(change: AfterSalesFlagChange, call: Call): void {
    if (this.failOnce.delete(change.idempotencyKey)) {
      this.failed.push(change.idempotencyKey);
      throw new Error('the ledger is unavailable');
    }
    this.calls.push(call);
    this.changes.push(change);
    this.written.add(change.idempotencyKey);
  }
}

async function append(store: EventStore, scenario: ReportScenario): Promise<number> {
  let last = 0;
  for (const [stream, events] of scenario.chunks) last = (await store.append(stream, events)).position;
  return last;
}

/** One unit of SKU T sold, recorded at noon of day n: moves the business clock, never flags T. */
const tick = (s: ReportScenario, n: number) => s.sales('T', 1, on(n), day(n, 12 * HOUR));

/**
 * SKU K over a ten-day window (every evaluation at a UTC midnight, over the ten days before it):
 * 2 % at day 2, 5 % at day 4, back to 2 % at day 5, 1.92 % at day 6, then day 0's sales and
 * day 1's cases slide out of the window at days 11 and 12.
 */
const firstHalf = () => {
  const s = new ReportScenario()
    .sku('K', 'V1', 'P1', 100, 'EUR', day(-30))
    .sku('T', 'V1', 'P1', 1, 'EUR', day(-30));
  s.sales('K', 100, on(0), day(0, 23 * HOUR));
  s.openCase('k1', 'K', 2, 'V1', 'P1', day(1, 10 * HOUR));
  tick(s, 2);
  s.openCase('k2', 'K', 1, 'V1', 'P1', day(2, 14 * HOUR));
  s.openCase('k3', 'K', 2, 'V1', 'P1', day(3, 9 * HOUR));
  tick(s, 4);
  return s;
};
const secondHalf = () => {
  const s = new ReportScenario();
  s.sales('K', 150, on(4), day(4, 23 * HOUR));
  tick(s, 5);
  s.sales('K', 10, on(5), day(5, 23 * HOUR));
  tick(s, 6);
  tick(s, 12);
  return s;
};
const K_CALLS_FIRST_HALF: Call[] = [
  ['raise', 'K', 'alert', 0.02, day(-8), day(2)],
  ['raise', 'K', 'delist', 0.05, day(-6), day(4)],
];
const K_CALLS: Call[] = [
  ...K_CALLS_FIRST_HALF,
  ['raise', 'K', 'alert', 0.02, day(-5), day(5)],
  ['clear', 'K', 'alert', 5 / 260, day(-4), day(6)],
  ['raise', 'K', 'alert', 5 / 160, day(1), day(11)],
  ['clear', 'K', 'alert', 3 / 160, day(2), day(12)],
];

describe('SKU after-sales flag reactor', () => {
  let store: SqliteEventStore;
  let writer: RecordingWriter;
  let failures: Error[];
  let directory: string;
  const running: AfterSalesFlagReactor[] = [];

  const start = (options: { directory?: string | null; config?: Partial<AfterSalesFlagConfig> } = {}) => {
    const reactor = startAfterSalesFlagReactor({
      store,
      directory: options.directory ?? null,
      write: writer,
      config: options.config ?? config,
      onFailure: (error) => failures.push(error),
      batchSize: 3,
    });
    running.push(reactor);
    return reactor;
  };

  beforeEach(() => {
    store = openSqliteEventStore({ path: ':memory:' });
    writer = new RecordingWriter();
    failures = [];
    directory = mkdtempSync(join(tmpdir(), 'flag-reactor-'));
  });
  afterEach(async () => {
    for (const reactor of running.splice(0)) await reactor.stop();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('raises alert at 2 %, delist at 5 %, steps back to alert, clears below 2 %, and follows the sliding window', async () => {
    const reactor = start();
    await append(store, firstHalf());
    await reactor.waitFor(await append(store, secondHalf()));
    expect(writer.calls).toEqual(K_CALLS);
    expect(failures).toEqual([]);
  });

  it('hands over each change with its units, its period, the evaluation instant and a key derived from them', async () => {
    const reactor = start();
    await reactor.waitFor(await append(store, firstHalf()));
    expect(writer.changes[0]).toEqual({
      sku: 'K',
      ratio: 0.02,
      unitsSold: 100,
      unitsOnCases: 2,
      period: { from: day(-8), to: day(2) },
      occurredAt: day(2),
      idempotencyKey: `sku-flag:K:alert:${day(-8)}/${day(2)}`,
      level: 'alert',
    });
  });

  it('flags exactly at the thresholds and at minUnitsSold, never below minUnitsSold', async () => {
    const s = new ReportScenario();
    const sku = (name: string, sold: number, cased: number) => {
      if (cased > 0) s.openCase(`c-${name}`, name, cased, 'V1', 'P1', day(0, 10 * HOUR));
      s.sales(name, sold, on(0), day(0, 23 * HOUR));
    };
    sku('A', 100, 2); // exactly 2 %
    sku('B', 100, 5); // exactly 5 %
    sku('C', 101, 2); // 1.98 %
    sku('D', 1000, 49); // 4.9 %
    sku('E', 49, 10); // 20 %, but one unit short of minUnitsSold
    sku('F', 50, 1); // 2 % at exactly minUnitsSold
    tick(s, 1);
    s.sales('E', 1, on(1), day(1, 23 * HOUR)); // E reaches 50 units sold
    tick(s, 2);
    const reactor = start();
    await reactor.waitFor(await append(store, s));
    expect(writer.calls).toEqual([
      ['raise', 'A', 'alert', 0.02, day(-9), day(1)],
      ['raise', 'B', 'delist', 0.05, day(-9), day(1)],
      ['raise', 'D', 'alert', 0.049, day(-9), day(1)],
      ['raise', 'F', 'alert', 0.02, day(-9), day(1)],
      ['raise', 'E', 'delist', 0.2, day(-8), day(2)],
    ]);
  });

  it('counts an event that arrives after its day was evaluated from the next midnight on', async () => {
    const s = new ReportScenario();
    s.sales('G', 100, on(0), day(0, 23 * HOUR));
    s.openCase('g1', 'G', 1, 'V1', 'P1', day(0, 10 * HOUR));
    tick(s, 1); // evaluated at day 1: 1 %
    s.openCase('g2', 'G', 1, 'V1', 'P1', day(0, 20 * HOUR)); // backdated into day 0
    s.sales('G', 5, on(-20), day(1, 13 * HOUR)); // a day already out of the window: never counted
    tick(s, 2);
    const reactor = start();
    await reactor.waitFor(await append(store, s));
    expect(writer.calls).toEqual([['raise', 'G', 'alert', 0.02, day(-8), day(2)]]);
  });

  it('uses a 90-day window with the default configuration', async () => {
    const s = new ReportScenario();
    s.sales('H', 100, on(0), day(0, 23 * HOUR));
    s.openCase('h1', 'H', 2, 'V1', 'P1', day(0, 10 * HOUR));
    tick(s, 1);
    tick(s, 91);
    const reactor = start({ config: {} });
    await reactor.waitFor(await append(store, s));
    expect(writer.calls).toEqual([
      ['raise', 'H', 'alert', 0.02, day(-89), day(1)],
      // day 0 leaves the window at day 91: nothing sold in it, so no flag
      ['clear', 'H', 'alert', 0, day(1), day(91)],
    ]);
  });

  it('refuses a configuration it cannot apply', () => {
    const withConfig = (c: Partial<AfterSalesFlagConfig>) => () =>
      startAfterSalesFlagReactor({ store, directory: null, write: writer, config: c });
    expect(withConfig({ windowDays: 1.5 })).toThrow(/windowDays/);
    expect(withConfig({ windowDays: 0 })).toThrow(/windowDays/);
    expect(withConfig({ alertRatio: 0.06 })).toThrow(/alertRatio/);
    expect(withConfig({ minUnitsSold: -1 })).toThrow(/minUnitsSold/);
  });

  it('resumes from its checkpoint after a restart without repeating a write', async () => {
    const first = start({ directory });
    await first.waitFor(await append(store, firstHalf()));
    await first.stop();
    expect(writer.calls).toEqual(K_CALLS_FIRST_HALF);

    const second = start({ directory });
    await second.waitFor(await append(store, secondHalf()));
    expect(writer.calls).toEqual(K_CALLS);
  });

  it('keeps a failed write pending, across a restart, and retries it with the same key', async () => {
    const delistKey = `sku-flag:K:delist:${day(-6)}/${day(4)}`;
    writer.failOnce.add(delistKey);
    const first = start({ directory });
    await first.waitFor(await append(store, firstHalf()));
    await first.stop();
    expect(writer.failed).toEqual([delistKey]);
    expect(failures.map((e) => e.message)).toEqual(['the ledger is unavailable']);
    expect(writer.calls).toEqual(K_CALLS_FIRST_HALF.slice(0, 1));

    const second = start({ directory });
    await second.waitFor(await append(store, secondHalf()));
    expect(writer.calls).toEqual(K_CALLS);
    expect(writer.changes[1]!.idempotencyKey).toBe(delistKey);
  });

  it('retries a failed write on its own after the retry delay', async () => {
    writer.failOnce.add(`sku-flag:K:alert:${day(-8)}/${day(2)}`);
    const reactor = startAfterSalesFlagReactor({
      store,
      directory: null,
      write: writer,
      config,
      onFailure: (error) => failures.push(error),
      retryDelayMs: 1,
    });
    running.push(reactor);
    await reactor.waitFor(await append(store, firstHalf()));
    await expect.poll(() => writer.calls).toEqual(K_CALLS_FIRST_HALF);
    expect(failures).toHaveLength(1);
  });

  it('rerun from the first event hands over the same changes with the same keys, so nothing new is written', async () => {
    const live = start();
    await append(store, firstHalf());
    const head = await append(store, secondHalf());
    await live.waitFor(head);
    const written = [...writer.written];
    const firstRun = writer.changes.splice(0);
    writer.calls.length = 0;

    const rerun = start();
    await rerun.waitFor(head);
    expect(writer.changes).toEqual(firstRun);
    expect([...writer.written]).toEqual(written);
  });
});
