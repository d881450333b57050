import { type EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import type { EventStore } from '@rma-ledger/event-store';
import { defaultIdempotencyFingerprint, IdempotencyKeyReusedError } from '@rma-ledger/event-store';
import { describeEventStoreContract } from '@rma-ledger/event-store/contract-suite';
import { describe, expect, it } from 'vitest';
import { deterministicEventId, idempotencyStreamName } from './event-ids.js';
import { eventStoreOnClient } from './eventstoredb-store.js';
import { type IdempotencyIntent, INTENT_EVENT_TYPE } from './idempotency-record.js';
import { appendForgedCopy } from './testing/forged-copy.js';
import { SimulatedEventStoreDb } from './testing/simulated-server.js';

// The adapter's mapping, run through the whole contract against an in-memory simulation of the
// server's client API (no EventStoreDB can be started here); eventstoredb-store.int.spec.ts runs the
// same contract against a real server.
const clients = new WeakMap<EventStore, EventStoreDBClient>();

describeEventStoreContract('EventStoreDB adapter on a simulated server', {
  async create() {
    const client = new SimulatedEventStoreDb().client();
    const store = eventStoreOnClient(client, () => new Date());
    clients.set(store, client);
    return store;
  },
  async tamper(store, event) {
    return appendForgedCopy(clients.get(store)!, event);
  },
});

describe('EventStoreDB adapter: keyed appends interrupted half-way', () => {
  const metadata = { actor: 'user:alice', correlationId: 'corr-1', causationId: null, schemaVersion: 1 };
  const placed = [{ type: 'Placed', data: { total: 10 }, metadata }];

  async function storeWithIntent(
    intent: Omit<IdempotencyIntent, 'idempotencyKey' | 'fingerprint' | 'events'>,
  ) {
    const client = new SimulatedEventStoreDb().client();
    const store = eventStoreOnClient(client, () => new Date());
    await client.appendToStream(
      idempotencyStreamName('cmd-1'),
      jsonEvent({
        type: INTENT_EVENT_TYPE,
        data: {
          ...intent,
          idempotencyKey: 'cmd-1',
          fingerprint: defaultIdempotencyFingerprint('order-1', placed),
          events: placed,
        },
      }),
    );
    return { client, store };
  }

  async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
    const items: T[] = [];
    for await (const item of iterable) items.push(item);
    return items;
  }

  it('given an intent recorded but its events never written, when the append is retried, then they are written once with the intended ids and reported as deduplicated', async () => {
    const intendedId = deterministicEventId('cmd-1', 0);
    const { store } = await storeWithIntent({
      streamName: 'order-1',
      streamRevision: null,
      eventIds: [intendedId],
    });

    const retried = await store.append('order-1', placed, { idempotencyKey: 'cmd-1' });
    const again = await store.append('order-1', placed, { idempotencyKey: 'cmd-1' });

    expect(retried.deduplicated).toBe(true);
    expect(retried.events.map((event) => event.eventId)).toEqual([intendedId]);
    expect(again).toEqual(retried);
    expect(await collect(store.readStream('order-1'))).toEqual(retried.events);
    expect(await store.verify()).toMatchObject({ ok: true, events: 1 });
  });

  it('given an intent whose stream has since moved on without its events, when retried with any, then it appends afresh after the newer events', async () => {
    const { store } = await storeWithIntent({
      streamName: 'order-1',
      streamRevision: null,
      eventIds: [deterministicEventId('cmd-1', 0)],
    });
    await store.append('order-1', [{ type: 'Noted', data: {}, metadata }]);

    const retried = await store.append('order-1', placed, { idempotencyKey: 'cmd-1' });

    expect(retried).toMatchObject({ deduplicated: false, nextExpectedRevision: 1 });
    expect(await store.lookupIdempotencyKey('cmd-1')).toEqual({
      fingerprint: defaultIdempotencyFingerprint('order-1', placed),
      result: { ...retried, deduplicated: true },
    });
    expect(await store.verify()).toMatchObject({ ok: true, events: 2 });
  });

  it('given an intent for another stream whose events were never written, when the key is used with its fingerprint, then the intent is finished and its result returned', async () => {
    const { store } = await storeWithIntent({
      streamName: 'order-1',
      streamRevision: null,
      eventIds: [deterministicEventId('cmd-1', 0)],
    });

    const result = await store.append('order-2', placed, {
      expectedRevision: 'no_stream',
      idempotencyKey: 'cmd-1',
      idempotencyFingerprint: defaultIdempotencyFingerprint('order-1', placed),
    });

    expect(result).toMatchObject({ deduplicated: true, events: [{ streamName: 'order-1', revision: 0 }] });
    expect(await store.streamRevision('order-2')).toBeNull();
    expect(await collect(store.readAll())).toEqual(result.events);
  });

  it('given an intent whose events were never written, when the key is used with another fingerprint, then the intent is finished and the reuse refused', async () => {
    const { store } = await storeWithIntent({
      streamName: 'order-1',
      streamRevision: null,
      eventIds: [deterministicEventId('cmd-1', 0)],
    });

    const error = await store.append('order-2', placed, { idempotencyKey: 'cmd-1' }).catch((e) => e);

    expect(error).toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await store.streamRevision('order-2')).toBeNull();
    expect((await collect(store.readAll())).map((event) => event.streamName)).toEqual(['order-1']);
  });

  it('given two appends with one key racing, then the events are written once and both return them', async () => {
    let tick = 0;
    const store = eventStoreOnClient(
      new SimulatedEventStoreDb().client(),
      () => new Date(Date.UTC(2026, 0, 1) + tick++),
    );

    const [first, second] = await Promise.all([
      store.append('order-1', placed, { idempotencyKey: 'cmd-1' }),
      store.append('order-1', placed, { idempotencyKey: 'cmd-1' }),
    ]);

    expect(await collect(store.readStream('order-1'))).toHaveLength(1);
    expect(second.events).toEqual(first.events);
    expect([first.deduplicated, second.deduplicated].sort()).toEqual([false, true]);
  });
});
