import { join } from 'node:path';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../app.js';
import { CheckpointStore, CUSTODY_REACTOR } from '../checkpoints.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { EVENTS_DB_FILE } from '../stores.js';
import { removeDir, tempDataDir } from '../test-support/fixture.js';
import { FlakyStore } from '../test-support/flaky-store.js';
import { caseBody, policyBody, skuBody, vendorBody } from '../test-support/http.js';
import { ManualSchedule } from '../test-support/manual-schedule.js';
import { superviseCustodyReactor } from './custody-reactor.js';
import type { FailureReport } from './supervisor.js';

interface Harness {
  readonly dir: string;
  readonly store: FlakyStore;
  readonly runtime: Runtime;
  readonly app: FastifyInstance;
  readonly clock: ManualSchedule;
  readonly failures: FailureReport[];
  readonly cs: { authorization: string };
  readonly admin: { authorization: string };
}

/** Polls until the assertion holds; the bound only guards against a hang, never measures speed. */
const eventually = (assertion: () => void) => vi.waitFor(assertion, { timeout: 20_000, interval: 5 });

let harness: Harness | undefined;
afterEach(async () => {
  if (harness === undefined) return;
  await harness.app.close();
  await harness.runtime.close();
  removeDir(harness.dir);
  harness = undefined;
});

async function open(startDown: boolean): Promise<Harness> {
  const dir = tempDataDir();
  const store = new FlakyStore(openSqliteEventStore({ path: join(dir, EVENTS_DB_FILE) }));
  store.down = startDown;
  const clock = new ManualSchedule();
  const failures: FailureReport[] = [];
  const runtime = await openRuntime(
    { store: 'sqlite', data: dir },
    { store, background: { schedule: clock.schedule, onFailure: (report) => failures.push(report) } },
  );
  const app = await buildApp({
    store,
    ledger: runtime.ledger,
    projections: runtime.projections,
    background: runtime.background,
    reports: runtime.projections,
    tokens: runtime.tokens,
    idempotency: runtime.idempotency,
  });
  const bearer = (role: 'cs' | 'admin') => ({
    authorization: `Bearer ${runtime.tokens.create(role).token}`,
  });
  harness = { dir, store, runtime, app, clock, failures, cs: bearer('cs'), admin: bearer('admin') };
  return harness;
}

const stateOf = (h: Harness) =>
  Object.fromEntries(h.runtime.background.status().map((t) => [t.name, t.state]));

async function ready(h: Harness) {
  const res = await h.app.inject({ method: 'GET', url: '/ready' });
  return { status: res.statusCode, body: res.json() };
}

async function send(
  h: Harness,
  auth: { authorization: string },
  method: 'PUT' | 'POST',
  url: string,
  body: unknown,
) {
  const res = await h.app.inject({
    method,
    url,
    headers: { ...auth, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
}

describe('background tasks under the supervisor', () => {
  it('keeps retrying while the store is unreachable at start, reports it on /ready, and recovers', async () => {
    const h = await open(true);
    await eventually(() => expect(stateOf(h)).toEqual({ projections: 'restarting' }));

    const down = await ready(h);
    expect(down.status).toBe(503);
    expect(down.body.background).toEqual([
      expect.objectContaining({
        name: 'projections',
        state: 'restarting',
        consecutiveFailures: 1,
        lastError: expect.objectContaining({
          code: 'LDG_STORE_SUBSCRIPTION_FAILED <- LDG_STORE_UNAVAILABLE',
        }),
      }),
    ]);
    expect((await h.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    // Still down at the first retry: the next one waits twice as long.
    h.clock.fire();
    await eventually(() => expect(h.failures).toHaveLength(2));
    expect(h.clock.delays).toEqual([500, 1000]);

    h.store.comeBack();
    h.clock.fire();
    await eventually(() => expect(stateOf(h)).toEqual({ projections: 'running' }));
    const up = await ready(h);
    expect(up.status).toBe(200);
    // The last error stays visible for the operator; the task is healthy again.
    expect(up.body.background[0]).toMatchObject({ state: 'running', consecutiveFailures: 0, retryAt: null });
    expect(h.failures.map((f) => f.task)).toEqual(['projections', 'projections']);
  });

  it('restarts the projections and the custody reactor after the store drops, resuming from their checkpoints', async () => {
    const h = await open(false);
    const checkpoints = new CheckpointStore(h.runtime.db);
    superviseCustodyReactor(h.runtime.background, h.runtime.ledger, checkpoints, () => {});
    await send(h, h.admin, 'PUT', '/vendors/v1', vendorBody);
    await send(h, h.admin, 'PUT', '/skus/sku-1', skuBody);
    await send(h, h.admin, 'PUT', '/policies/tmall', policyBody);
    await send(h, h.cs, 'POST', '/cases', caseBody());
    const before = (await h.store.headPosition())!;
    await h.runtime.projections.waitFor(before);
    const opened = h.store.subscriptionsOpened;

    h.store.goDown();
    await eventually(() =>
      expect(stateOf(h)).toEqual({ projections: 'restarting', [CUSTODY_REACTOR]: 'restarting' }),
    );
    const down = await ready(h);
    expect(down.status).toBe(503);
    expect(down.body.background.map((t: { name: string }) => t.name).sort()).toEqual([
      CUSTODY_REACTOR,
      'projections',
    ]);

    h.store.comeBack();
    await send(h, h.cs, 'POST', '/cases', caseBody({ caseId: 'c2', orderId: 'o-1002' }));
    const head = (await h.store.headPosition())!;
    h.clock.fire();
    await eventually(() =>
      expect(stateOf(h)).toEqual({ projections: 'running', [CUSTODY_REACTOR]: 'running' }),
    );
    // New runs subscribed again (how many subscriptions a runner opens is its own business).
    expect(h.store.subscriptionsOpened).toBeGreaterThanOrEqual(opened + 2);
    expect(checkpoints.get(CUSTODY_REACTOR)).toBe(head);
    await h.runtime.projections.waitFor(head);
    const cases = h.runtime.projections.read('reports', (db) =>
      db.prepare('SELECT case_id FROM cases ORDER BY case_id').pluck().all(),
    );
    expect(cases).toEqual(['c1', 'c2']);
    expect((await ready(h)).status).toBe(200);
  });
});
