import { currentSchemaVersion, type DomainEvent } from '@rma-ledger/domain';
import type { JsonValue } from '@rma-ledger/event-store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseDomainEvent } from '../parse-domain-event.js';
import { ProjectionRunner } from '../projection-runner.js';
import { dumpTables } from '../table-dump.js';
import { InMemoryEventStore } from '../test-support/in-memory-event-store.js';
import { CASE_LIST_MODEL, type CaseListFilter, caseListProjection, listCases } from './case-list.js';

const t = (day: number, hour = 0) => new Date(Date.UTC(2026, 2, day, hour)).toISOString();
const money = (amount: number) => ({ amount, currency: 'CNY' });
const sealed = {
  alg: 'aes-256-gcm',
  keyId: 'customer',
  iv: 'AAAAAAAAAAAAAAAA',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
  ciphertext: 'c2VhbGVk',
};

let runner: ProjectionRunner<DomainEvent> | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

function write(store: InMemoryEventStore, caseId: string, type: string, data: Record<string, JsonValue>) {
  store.appendSync(`case-${caseId}`, [
    {
      type,
      data,
      metadata: {
        actor: 'test',
        correlationId: 'c',
        causationId: null,
        schemaVersion: currentSchemaVersion(type),
      },
    },
  ]);
}

function open(
  store: InMemoryEventStore,
  caseId: string,
  at: string,
  owner: { sku?: string; vendorId?: string; pmId?: string } = {},
) {
  write(store, caseId, 'CaseOpened', {
    caseId,
    orderId: `o-${caseId}`,
    channel: 'tmall',
    sku: owner.sku ?? 'sku-1',
    quantity: 1,
    unitPrice: money(12900),
    purchasedAt: t(1),
    reason: 'broken',
    resolution: 'repair',
    customer: { id: `cust-${caseId}`, personalData: sealed },
    vendorId: owner.vendorId ?? 'v1',
    pmId: owner.pmId ?? 'pm-li',
    occurredAt: at,
  });
}

async function project(store: InMemoryEventStore) {
  runner = ProjectionRunner.start<DomainEvent>({
    store,
    directory: null,
    projections: [caseListProjection],
    parse: parseDomainEvent,
  });
  await runner.waitFor(store.events.length);
  return runner;
}

const list = (
  r: ProjectionRunner<DomainEvent>,
  query: CaseListFilter & { limit?: number; after?: never } = {},
) => r.read(CASE_LIST_MODEL, (db) => listCases(db, { limit: 100, ...query }));

describe('the case list projection', () => {
  it('keeps one row per case with its status, attribution, times, resolution and stream revision', async () => {
    const store = new InMemoryEventStore();
    open(store, 'c1', t(2, 9));
    write(store, 'c1', 'CaseApproved', { by: 'rule', rule: 'auto', occurredAt: t(2, 9) });
    write(store, 'c1', 'CustomerPromiseSet', {
      promisedBy: t(22, 9),
      basis: 'policy',
      promiseDays: 20,
      repairPlan: null,
      occurredAt: t(2, 9),
    });
    write(store, 'c1', 'ItemReceived', { unitId: 'c1-u1', receiptNo: 1, location: null, occurredAt: t(4) });
    write(store, 'c1', 'CaseClosed', { resolution: 'repair', occurredAt: t(20) });
    open(store, 'c2', t(3), { sku: 'sku-2', vendorId: 'v2', pmId: 'pm-wu' });
    write(store, 'c2', 'CaseRejected', { reason: 'out of warranty', occurredAt: t(3, 5) });
    open(store, 'c3', t(5));

    const page = list(await project(store));

    expect(page.next).toBeNull();
    expect(page.items).toEqual([
      {
        caseId: 'c3',
        orderId: 'o-c3',
        channel: 'tmall',
        sku: 'sku-1',
        quantity: 1,
        vendorId: 'v1',
        pmId: 'pm-li',
        status: 'open',
        resolution: 'repair',
        closedWith: null,
        openedAt: t(5),
        promisedBy: null,
        closedAt: null,
        updatedAt: t(5),
        revision: 0,
      },
      expect.objectContaining({ caseId: 'c2', status: 'rejected', updatedAt: t(3, 5), revision: 1 }),
      expect.objectContaining({
        caseId: 'c1',
        status: 'closed',
        closedWith: 'repair',
        openedAt: t(2, 9),
        promisedBy: t(22, 9),
        closedAt: t(20),
        updatedAt: t(20),
        revision: 4,
      }),
    ]);
  });

  it('filters by status, PM, vendor and SKU together', async () => {
    const store = new InMemoryEventStore();
    open(store, 'a', t(2), { sku: 'kettle', vendorId: 'acme', pmId: 'li' });
    open(store, 'b', t(3), { sku: 'kettle', vendorId: 'acme', pmId: 'wu' });
    open(store, 'c', t(4), { sku: 'toaster', vendorId: 'acme', pmId: 'li' });
    open(store, 'd', t(5), { sku: 'kettle', vendorId: 'bolt', pmId: 'li' });
    write(store, 'a', 'CaseApproved', { by: 'person', approverId: 'u', occurredAt: t(6) });
    const r = await project(store);

    const ids = (filter: CaseListFilter) => list(r, filter).items.map((item) => item.caseId);
    expect(ids({ pm: 'li' })).toEqual(['d', 'c', 'a']);
    expect(ids({ vendor: 'acme' })).toEqual(['c', 'b', 'a']);
    expect(ids({ sku: 'kettle', pm: 'li' })).toEqual(['d', 'a']);
    expect(ids({ status: 'approved' })).toEqual(['a']);
    expect(ids({ status: 'open', vendor: 'acme', sku: 'kettle' })).toEqual(['b']);
    expect(ids({ vendor: 'nobody' })).toEqual([]);
  });

  it('pages newest first by a keyset that neither repeats nor skips, even with equal opening times', async () => {
    const store = new InMemoryEventStore();
    for (const id of ['k1', 'k2', 'k3', 'k4', 'k5']) open(store, id, id === 'k5' ? t(9) : t(8));
    const r = await project(store);

    const first = r.read(CASE_LIST_MODEL, (db) => listCases(db, { limit: 2 }));
    expect(first.items.map((i) => i.caseId)).toEqual(['k5', 'k4']);
    expect(first.next).toEqual({ openedAt: Date.parse(t(8)), caseId: 'k4' });

    // A case opened between two pages does not shift the next page.
    open(store, 'k0', t(10));
    await r.waitFor(store.events.length);
    const second = r.read(CASE_LIST_MODEL, (db) => listCases(db, { limit: 2, after: first.next! }));
    expect(second.items.map((i) => i.caseId)).toEqual(['k3', 'k2']);
    const third = r.read(CASE_LIST_MODEL, (db) => listCases(db, { limit: 2, after: second.next! }));
    expect(third.items.map((i) => i.caseId)).toEqual(['k1']);
    expect(third.next).toBeNull();
  });

  it('rebuilds (loading in bulk) the same rows it wrote event by event while following the log', async () => {
    const store = new InMemoryEventStore();
    // caught up with the empty log first, so every event below is applied one by one
    const r = ProjectionRunner.start<DomainEvent>({
      store,
      directory: null,
      projections: [caseListProjection],
      parse: parseDomainEvent,
    });
    runner = r;
    await vi.waitFor(async () => expect((await r.lag())[0]?.status).toBe('live'));
    open(store, 'r1', t(2));
    write(store, 'r1', 'CaseApproved', { by: 'rule', rule: 'auto', occurredAt: t(2, 1) });
    write(store, 'r1', 'CustomerPromiseSet', {
      promisedBy: t(22),
      basis: 'policy',
      promiseDays: 20,
      repairPlan: null,
      occurredAt: t(2, 1),
    });
    open(store, 'r2', t(3), { sku: 'sku-2', vendorId: 'v2', pmId: 'pm-wu' });
    await r.waitFor(store.events.length);
    write(store, 'r2', 'CaseRejected', { reason: 'out of warranty', occurredAt: t(3, 5) });
    write(store, 'r1', 'ItemReceived', { unitId: 'r1-u1', receiptNo: 1, location: null, occurredAt: t(4) });
    write(store, 'r1', 'CaseClosed', { resolution: 'repair', occurredAt: t(20) });
    // an event of a case the list never saw opened changes nothing
    write(store, 'ghost', 'CaseApproved', { by: 'rule', rule: 'auto', occurredAt: t(5) });
    await r.waitFor(store.events.length);
    const live = r.read(CASE_LIST_MODEL, dumpTables);
    expect(live.case_list).toHaveLength(2);

    await r.rebuild(CASE_LIST_MODEL);
    expect(r.read(CASE_LIST_MODEL, dumpTables)).toEqual(live);
  });
});
