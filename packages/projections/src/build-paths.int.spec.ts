import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonalDataVault, SqliteKeyStore } from '@rma-ledger/application';
import type { DomainEvent } from '@rma-ledger/domain';
import { writeScenario } from '@rma-ledger/scenario';
import { openSqliteEventStore, type SqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionBuildError } from './errors.js';
import { parseDomainEvent } from './parse-domain-event.js';
import type { Projection } from './projection.js';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner.js';
import type { AfterSalesFlagConfig } from './reactors/after-sales-flag-model.js';
import { dumpTables, type TableDump } from './table-dump.js';
import { ledgerProjections, type TestWorkerData } from './test-support/worker-setup.js';

/** How long to wait for a thread to get somewhere: starting one takes a second on a busy machine. */
const WAITING = { timeout: 20_000, interval: 20 };
const SETUP = new URL('./test-support/worker-setup.ts', import.meta.url);
const METADATA = { actor: 'test', correlationId: 'test', causationId: null, schemaVersion: 1 };

/** A short window and a low minimum, so that the tiny business raises and clears flags. */
const FLAGS: AfterSalesFlagConfig = { alertRatio: 0.02, delistRatio: 0.05, minUnitsSold: 10, windowDays: 20 };

/**
 * Every read model of the ledger built three ways from one generated business: event by event
 * through `bind`'s statements, bulk-loaded in this thread, and bulk-loaded in worker threads.
 * All three must hold the same rows.
 */
describe('the ways of building a read model', () => {
  let directory: string;
  let path: string;
  let store: SqliteEventStore;
  let head: number;
  /** Every model built through `bind`'s statements only: what the other ways must equal. */
  let eventByEvent: Record<string, TableDump>;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'rma-build-paths-'));
    path = join(directory, 'events.db');
    store = openSqliteEventStore({ path });
    const keys = new SqliteKeyStore({ path: ':memory:' });
    await writeScenario(store, { preset: 'tiny', seed: 7 }, { personalData: new PersonalDataVault(keys) });
    await keys.close();
    head = (await store.headPosition())!;
    eventByEvent = await build(ledgerProjections(FLAGS).map(({ bulkLoad: _, ...p }) => p));
  });

  afterAll(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function build(
    projections: readonly Projection<DomainEvent>[],
    options: Partial<ProjectionRunnerOptions<DomainEvent>> = {},
  ): Promise<Record<string, TableDump>> {
    const runner = ProjectionRunner.start<DomainEvent>({
      store,
      directory: null,
      projections,
      parse: parseDomainEvent,
      batchSize: 100,
      ...options,
    });
    try {
      await runner.waitFor(head);
      return Object.fromEntries(projections.map((p) => [p.name, runner.read(p.name, dumpTables)]));
    } finally {
      await runner.stop();
    }
  }

  /** A runner of every ledger model in `models`, built in threads the test setup module sets up with `data`. */
  function startInThreads(
    models: string,
    data: Partial<TestWorkerData> = {},
    options: Partial<ProjectionRunnerOptions<DomainEvent>> = {},
  ): ProjectionRunner<DomainEvent> {
    return ProjectionRunner.start<DomainEvent>({
      store,
      directory: models,
      projections: ledgerProjections(FLAGS),
      parse: parseDomainEvent,
      workers: { setup: SETUP, data: { path, flags: FLAGS, ...data } satisfies TestWorkerData },
      ...options,
    });
  }

  it('has something to compare: every model holds rows, and flags were raised and cleared', () => {
    const rows = (model: string, table: string) => eventByEvent[model]?.[table] ?? [];
    expect(rows('reports', 'unit_states').length).toBeGreaterThan(100);
    expect(rows('case-list', 'case_list').length).toBeGreaterThan(50);
    const changes = rows('after-sales-flags', 'flag_outbox').map((row) => row[2]);
    expect(changes).toContain('raise');
    expect(changes).toContain('clear');
  });

  it('bulk-loaded in this thread, from one read of the log', async () => {
    const bulk = await build(ledgerProjections(FLAGS));
    expect(bulk).toEqual(eventByEvent);
  });

  it('bulk-loaded in worker threads, then taken over by the runner and marked live', async () => {
    const models = join(directory, 'workers');
    const data: TestWorkerData = { path, flags: FLAGS };
    const workers = { setup: SETUP, data, threads: 2 };
    const built = await build(ledgerProjections(FLAGS), { directory: models, workers });
    expect(built).toEqual(eventByEvent);
    // a restart finds them live and carries on from their checkpoints: no build
    const restarted = await build(ledgerProjections(FLAGS), {
      directory: models,
      workers: { ...workers, setup: 'file:///nowhere/setup.js' },
    });
    expect(restarted).toEqual(eventByEvent);
  });

  it('rebuilds a live model in a worker thread and swaps it in', async () => {
    const models = join(directory, 'rebuilt');
    const runner = startInThreads(models);
    try {
      await runner.waitFor(head);
      await runner.rebuild('reports');
      expect(runner.read('reports', dumpTables)).toEqual(eventByEvent.reports);
      const reportFiles = () => readdirSync(models).filter((f) => /^reports\.\d+\.db$/.test(f));
      await expect.poll(reportFiles, WAITING).toEqual(['reports.2.db']);
    } finally {
      await runner.stop();
    }
  });

  it('fails a model whose build fails in its thread, with the reason, and leaves no file of it', async () => {
    const models = join(directory, 'failing');
    const failures: [string, Error][] = [];
    const runner = startInThreads(
      models,
      {},
      {
        workers: { setup: new URL('./test-support/no-such-setup.ts', import.meta.url), threads: 1 },
        onFailure: (name, error) => failures.push([name, error]),
      },
    );
    try {
      const error = await runner.waitFor(head).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProjectionBuildError);
      expect(error).toMatchObject({ code: 'LDG_PROJECTION_BUILD_FAILED', message: /no-such-setup/ });
      await expect
        .poll(() => failures.map(([name]) => name).sort(), WAITING)
        .toEqual(
          ledgerProjections(FLAGS)
            .map((p) => p.name)
            .sort(),
        );
      expect((await runner.lag()).map((l) => l.status)).toEqual(['failed', 'failed', 'failed']);
      expect(readdirSync(models)).toEqual([]);
    } finally {
      await runner.stop();
    }
  });

  it('stops the threads of builds under way when the runner stops, and deletes their files', async () => {
    const models = join(directory, 'stopped');
    const runner = startInThreads(models, { stallIfExists: path });
    const waiting = runner.waitFor(head).catch((e: unknown) => e);
    // the threads have created their files, and never finish
    await expect.poll(() => readdirSync(models).length, WAITING).toBeGreaterThan(0);
    await runner.stop();
    expect(await waiting).toMatchObject({ code: 'LDG_PROJECTION_NOT_READY' });
    expect(readdirSync(models)).toEqual([]);
  });

  it('fails only the model whose build fails in a thread it shares; the others go live', async () => {
    const models = join(directory, 'one-failing');
    const failures: [string, string][] = [];
    const runner = startInThreads(
      models,
      {},
      {
        workers: { setup: SETUP, data: { path, flags: FLAGS, failing: 'case-list' }, threads: 1 },
        onFailure: (name, error) => failures.push([name, (error as ProjectionBuildError).code]),
      },
    );
    try {
      await expect.poll(() => failures, WAITING).toEqual([['case-list', 'LDG_PROJECTION_APPLY_FAILED']]);
      await expect
        .poll(async () => (await runner.lag()).map((l) => [l.name, l.status]), WAITING)
        .toEqual([
          ['reports', 'live'],
          ['after-sales-flags', 'live'],
          ['case-list', 'failed'],
        ]);
      expect(runner.read('reports', dumpTables)).toEqual(eventByEvent.reports);
      expect(readdirSync(models).filter((f) => f.startsWith('case-list.'))).toEqual([]);
    } finally {
      await runner.stop();
    }
  });

  it('fails a live model that a rebuild swapped in as the live one, while another rebuild runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rma-build-paths-live-'));
    const ownPath = join(dir, 'events.db');
    const own = openSqliteEventStore({ path: ownPath });
    for await (const event of store.readAll()) {
      await own.append(event.streamName, [{ type: event.type, data: event.data, metadata: event.metadata }]);
    }
    const stall = join(dir, 'stall');
    const runner = startInThreads(
      join(dir, 'models'),
      {},
      {
        store: own,
        workers: { setup: SETUP, data: { path: ownPath, flags: FLAGS, stallIfExists: stall } },
      },
    );
    try {
      await runner.waitFor(head);
      const before = runner.read('case-list', dumpTables);
      writeFileSync(stall, '');
      const rebuilding = runner.rebuild('case-list').catch((e: unknown) => e);
      // a case event the case list cannot parse
      await own.append('case-broken', [
        { type: 'CaseApproved', data: { nonsense: true }, metadata: METADATA },
      ]);
      await expect
        .poll(async () => (await runner.lag()).find((l) => l.name === 'case-list')?.status, WAITING)
        .toBe('failed');
      // still served from its last good state, and the rebuild still under way
      expect(runner.read('case-list', dumpTables)).toEqual(before);
      expect((await runner.lag()).find((l) => l.name === 'case-list')?.rebuilding).toBe(true);
      await runner.stop();
      expect(await rebuilding).toMatchObject({ code: 'LDG_PROJECTION_NOT_READY' });
    } finally {
      await runner.stop();
      await own.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
