import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyKeyReusedError, SubscriptionError, WrongExpectedRevisionError } from '../errors.js';
import { computeEventHash, nextLogDigest } from '../hash-chain.js';
import type {
  EventMetadataInput,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  JsonValue,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
} from '../types.js';

/** What an adapter's test file supplies to run the contract suite. */
export interface ContractHarness {
  /** A fresh, empty store for one test. */
  create(): Promise<EventStore>;
  /**
   * Changes stored bytes of one event behind the store's back (e.g. raw SQL on the SQLite file).
   * A store whose events are immutable (EventStoreDB) cannot; it appends a forged copy of the event
   * instead and returns it: verify must then report the forgery as the first broken link.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a harness that changes bytes in place returns nothing
  tamper(store: EventStore, event: RecordedEvent): Promise<RecordedEvent | void>;
  /** When set, every contract test is registered as skipped and this reason appears in the test names/output. */
  skipReason?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function metadata(overrides: Partial<EventMetadataInput> = {}): EventMetadataInput {
  return { actor: 'user:alice', correlationId: 'corr-1', causationId: null, schemaVersion: 1, ...overrides };
}

function event(type: string, data: JsonValue = {}, overrides: Partial<EventToAppend> = {}): EventToAppend {
  return { type, data, metadata: metadata(), ...overrides };
}

/** `count` events numbered from `from`, each with distinct data. */
function events(count: number, from = 0): EventToAppend[] {
  return Array.from({ length: count }, (_, i) => event('Numbered', { n: from + i }));
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

function ids(list: readonly RecordedEvent[]): string[] {
  return list.map((recorded) => recorded.eventId);
}

/** Records what a subscription delivers and lets a test await a given count or the next catch-up. */
class Recorder {
  readonly delivered: RecordedEvent[] = [];
  readonly caughtUpAt: (number | null)[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private caughtUpWaiters: (() => void)[] = [];

  constructor(private readonly failOn?: (event: RecordedEvent) => boolean) {}

  options(after?: number): SubscribeToAllOptions {
    return {
      ...(after === undefined ? {} : { after }),
      handler: (recorded) => {
        if (this.failOn?.(recorded)) throw new Error(`handler refuses position ${recorded.position}`);
        this.delivered.push(recorded);
        this.waiters = this.waiters.filter((waiter) => {
          if (this.delivered.length < waiter.count) return true;
          waiter.resolve();
          return false;
        });
      },
      onCaughtUp: (position) => {
        this.caughtUpAt.push(position);
        for (const resolve of this.caughtUpWaiters.splice(0)) resolve();
      },
    };
  }

  received(count: number): Promise<void> {
    if (this.delivered.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  nextCaughtUp(): Promise<void> {
    return new Promise((resolve) => this.caughtUpWaiters.push(resolve));
  }
}

/**
 * Registers the event-store contract: the behaviour every adapter of the port must show. Call it
 * from an adapter's integration spec; a skip reason that needs async work (is a Docker engine
 * reachable?) is computed there, with top-level await, before calling.
 */
export function describeEventStoreContract(adapterName: string, harness: ContractHarness): void {
  const title =
    harness.skipReason === undefined
      ? `${adapterName}: event-store contract`
      : `${adapterName}: event-store contract (skipped: ${harness.skipReason})`;
  const register = harness.skipReason === undefined ? describe : describe.skip;

  register(title, () => {
    const opened: EventStore[] = [];
    const fresh = async (): Promise<EventStore> => {
      const store = await harness.create();
      opened.push(store);
      return store;
    };
    const subscriptions: Subscription[] = [];
    const track = (subscription: Subscription): Subscription => {
      subscriptions.push(subscription);
      return subscription;
    };

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    describe('expected revision', () => {
      const cases: {
        readonly stream: 'missing' | 'at revision 1';
        readonly expected: ExpectedRevision;
        readonly outcome: 'appends' | 'conflicts';
      }[] = [
        { stream: 'missing', expected: 'no_stream', outcome: 'appends' },
        { stream: 'at revision 1', expected: 'no_stream', outcome: 'conflicts' },
        { stream: 'missing', expected: 'stream_exists', outcome: 'conflicts' },
        { stream: 'at revision 1', expected: 'stream_exists', outcome: 'appends' },
        { stream: 'missing', expected: 'any', outcome: 'appends' },
        { stream: 'at revision 1', expected: 'any', outcome: 'appends' },
        { stream: 'missing', expected: 0, outcome: 'conflicts' },
        { stream: 'at revision 1', expected: 1, outcome: 'appends' },
        { stream: 'at revision 1', expected: 0, outcome: 'conflicts' },
        { stream: 'at revision 1', expected: 2, outcome: 'conflicts' },
      ];

      for (const { stream, expected, outcome } of cases) {
        it(`given a stream that is ${stream}, when appending with expected ${String(expected)}, then it ${outcome}`, async () => {
          const store = await fresh();
          await store.append('other-1', events(1));
          const actual = stream === 'missing' ? null : 1;
          if (actual !== null) await store.append('order-1', events(2));
          const headBefore = await store.headPosition();

          const attempt = store.append('order-1', [event('Attempted')], { expectedRevision: expected });

          if (outcome === 'appends') {
            const result = await attempt;
            const revision = actual === null ? 0 : actual + 1;
            expect(result.nextExpectedRevision).toBe(revision);
            expect(result.deduplicated).toBe(false);
            expect(result.events.map((recorded) => recorded.revision)).toEqual([revision]);
            expect(await store.streamRevision('order-1')).toBe(revision);
          } else {
            const error = await rejection(attempt);
            expect(error).toBeInstanceOf(WrongExpectedRevisionError);
            expect(error).toMatchObject({
              code: 'LDG_STORE_WRONG_EXPECTED_REVISION',
              streamName: 'order-1',
              expected,
              actual,
            });
            expect(await store.streamRevision('order-1')).toBe(actual);
            expect(await store.headPosition()).toBe(headBefore);
          }
        });
      }
    });

    describe('atomic appends', () => {
      it('given several events in one append, then they get consecutive revisions and increasing positions', async () => {
        const store = await fresh();
        const result = await store.append('order-1', events(3), { expectedRevision: 'no_stream' });

        expect(result.events.map((recorded) => recorded.revision)).toEqual([0, 1, 2]);
        const positions = result.events.map((recorded) => recorded.position);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect(new Set(positions).size).toBe(3);
        expect(result.nextExpectedRevision).toBe(2);
        expect(result.position).toBe(positions[2]);
        expect(await collect(store.readStream('order-1'))).toEqual(result.events);
      });

      it('given an append whose expected revision fails, then none of its events is written', async () => {
        const store = await fresh();
        await store.append('order-1', events(1));
        const error = await rejection(store.append('order-1', events(3, 1), { expectedRevision: 5 }));

        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await collect(store.readAll())).toHaveLength(1);
      });

      it('given an append whose last event cannot be stored, then none of its events is written', async () => {
        const store = await fresh();
        await store.append('order-1', events(1));
        const unstorable = event('Broken', { amount: Number.NaN });

        await rejection(store.append('order-1', [...events(2, 1), unstorable]));

        expect(await store.streamRevision('order-1')).toBe(0);
        expect(await collect(store.readAll())).toHaveLength(1);
      });
    });

    describe('idempotent appends', () => {
      it('given an append repeated with the same key and events, then it returns the first result and writes nothing', async () => {
        const store = await fresh();
        const first = await store.append('order-1', events(2), { idempotencyKey: 'cmd-1' });

        const again = await store.append('order-1', events(2), { idempotencyKey: 'cmd-1' });

        expect(again.deduplicated).toBe(true);
        expect(again.events).toEqual(first.events);
        expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(again.position).toBe(first.position);
        expect(await collect(store.readAll())).toHaveLength(2);
      });

      it('given the stream moved on since, when the keyed append is repeated with any or a stale revision, then it is still deduplicated', async () => {
        const store = await fresh();
        const first = await store.append('order-1', events(1), {
          expectedRevision: 'no_stream',
          idempotencyKey: 'cmd-1',
        });
        await store.append('order-1', events(2, 1));

        for (const expectedRevision of ['any', 'no_stream', 0] as const) {
          const again = await store.append('order-1', events(1), {
            expectedRevision,
            idempotencyKey: 'cmd-1',
          });
          expect(again).toEqual({ ...first, deduplicated: true });
        }
        expect(await store.streamRevision('order-1')).toBe(2);
      });

      it('given a retry that differs only in event ids, actor and correlation, then it is recognised as the same append', async () => {
        const store = await fresh();
        const first = await store.append('order-1', [event('Placed', { total: 10 })], {
          idempotencyKey: 'cmd-1',
        });

        const retry = await store.append(
          'order-1',
          [
            event(
              'Placed',
              { total: 10 },
              {
                eventId: '0b7a6c1e-3f0c-4b0e-9d3a-2c1e8f5a7b90',
                metadata: metadata({ actor: 'user:bob', correlationId: 'corr-2' }),
              },
            ),
          ],
          { idempotencyKey: 'cmd-1' },
        );

        expect(retry.deduplicated).toBe(true);
        expect(ids(retry.events)).toEqual(ids(first.events));
      });

      it('given a key reused with different events, then it throws IdempotencyKeyReusedError and writes nothing', async () => {
        const store = await fresh();
        await store.append('order-1', [event('Placed', { total: 10 })], { idempotencyKey: 'cmd-1' });

        const error = await rejection(
          store.append('order-1', [event('Placed', { total: 11 })], { idempotencyKey: 'cmd-1' }),
        );

        expect(error).toBeInstanceOf(IdempotencyKeyReusedError);
        expect(error).toMatchObject({
          code: 'LDG_STORE_IDEMPOTENCY_KEY_REUSED',
          idempotencyKey: 'cmd-1',
          streamName: 'order-1',
        });
        expect(await collect(store.readAll())).toHaveLength(1);
      });

      it('given a caller-supplied fingerprint, then the fingerprint alone decides what counts as the same append', async () => {
        const store = await fresh();
        const first = await store.append('order-1', [event('Placed', { at: '10:00' })], {
          idempotencyKey: 'cmd-1',
          idempotencyFingerprint: 'command-hash-a',
        });

        const retry = await store.append('order-1', [event('Placed', { at: '10:01' })], {
          idempotencyKey: 'cmd-1',
          idempotencyFingerprint: 'command-hash-a',
        });
        const reused = await rejection(
          store.append('order-1', [event('Placed', { at: '10:00' })], {
            idempotencyKey: 'cmd-1',
            idempotencyFingerprint: 'command-hash-b',
          }),
        );

        expect(retry.deduplicated).toBe(true);
        expect(retry.events).toEqual(first.events);
        expect(reused).toBeInstanceOf(IdempotencyKeyReusedError);
        expect(await collect(store.readAll())).toHaveLength(1);
      });

      it('given two concurrent appends with one key and fingerprint to two new streams, then one stream is written and the other append returns its events', async () => {
        const store = await fresh();
        const options = {
          expectedRevision: 'no_stream',
          idempotencyKey: 'open-1',
          idempotencyFingerprint: 'command-hash-a',
        } as const;

        const results = await Promise.all([
          store.append('case-x', [event('CaseOpened', { caseId: 'x' })], options),
          store.append('case-y', [event('CaseOpened', { caseId: 'y' })], options),
        ]);

        const written = await collect(store.readAll());
        expect(new Set(written.map((recorded) => recorded.streamName)).size).toBe(1);
        expect(results.filter((result) => !result.deduplicated)).toHaveLength(1);
        expect(results.filter((result) => result.deduplicated)).toHaveLength(1);
        expect(results[0]!.events).toEqual(written);
        expect(results[1]!.events).toEqual(written);
      });

      it('given a keyed append that conflicted, then the key stays free for the corrected append', async () => {
        const store = await fresh();
        await store.append('order-1', events(1));
        await rejection(
          store.append('order-1', events(1, 1), { expectedRevision: 'no_stream', idempotencyKey: 'k' }),
        );

        const corrected = await store.append('order-1', events(1, 1), {
          expectedRevision: 0,
          idempotencyKey: 'k',
        });

        expect(corrected.deduplicated).toBe(false);
        expect(corrected.nextExpectedRevision).toBe(1);
      });

      it('lookupIdempotencyKey returns null for an unknown key and the first append with its fingerprint for a used one', async () => {
        const store = await fresh();
        expect(await store.lookupIdempotencyKey('cmd-1')).toBeNull();
        const first = await store.append('order-1', events(2), {
          idempotencyKey: 'cmd-1',
          idempotencyFingerprint: 'command-hash-a',
        });

        const found = await store.lookupIdempotencyKey('cmd-1');

        expect(found).toEqual({ fingerprint: 'command-hash-a', result: { ...first, deduplicated: true } });
        expect(await store.lookupIdempotencyKey('cmd-2')).toBeNull();
      });
    });

    describe('metadata and hash chain stamped on write', () => {
      it('given events appended, then each carries the write time, caller metadata, key and chained hashes', async () => {
        const store = await fresh();
        const suppliedId = '6f1d2c3b-4a59-4e7f-8a1b-2c3d4e5f6a7b';
        const first = await store.append('order-1', [
          event(
            'Placed',
            { total: 10 },
            {
              eventId: suppliedId,
              metadata: { actor: 'user:alice', correlationId: 'req-7', causationId: null, schemaVersion: 2 },
            },
          ),
        ]);
        const second = await store.append(
          'order-1',
          [
            event(
              'Paid',
              { total: 10 },
              {
                metadata: {
                  actor: 'system:payments',
                  correlationId: 'req-7',
                  causationId: suppliedId,
                  schemaVersion: 1,
                },
              },
            ),
            event('Shipped'),
          ],
          { idempotencyKey: 'cmd-9' },
        );
        const stored = await collect(store.readStream('order-1'));

        expect(stored).toEqual([...first.events, ...second.events]);
        const [placed, paid, shipped] = stored;
        expect(placed).toMatchObject({
          streamName: 'order-1',
          eventId: suppliedId,
          type: 'Placed',
          revision: 0,
          data: { total: 10 },
          metadata: {
            actor: 'user:alice',
            correlationId: 'req-7',
            causationId: null,
            schemaVersion: 2,
            idempotencyKey: null,
            prevHash: null,
          },
        });
        expect(paid?.eventId).toMatch(UUID);
        expect(paid?.metadata).toMatchObject({
          actor: 'system:payments',
          correlationId: 'req-7',
          causationId: suppliedId,
          schemaVersion: 1,
          idempotencyKey: 'cmd-9',
          prevHash: placed?.metadata.hash,
        });
        expect(shipped?.metadata.prevHash).toBe(paid?.metadata.hash);
        for (const recorded of stored) {
          expect(recorded.metadata.recordedAt).toMatch(ISO_UTC);
          expect(new Date(recorded.metadata.recordedAt).toISOString()).toBe(recorded.metadata.recordedAt);
          expect(recorded.metadata.hash).toBe(
            computeEventHash({
              ...recorded,
              recordedAt: recorded.metadata.recordedAt,
              idempotencyKey: recorded.metadata.idempotencyKey,
              prevHash: recorded.metadata.prevHash,
            }),
          );
        }
      });
    });

    describe('reading a stream', () => {
      async function storeWithTenEvents(): Promise<{ store: EventStore; written: RecordedEvent[] }> {
        const store = await fresh();
        const first = await store.append('order-1', events(6));
        await store.append('order-2', events(3));
        const second = await store.append('order-1', events(4, 6));
        return { store, written: [...first.events, ...second.events] };
      }

      it('forwards by default, every event in revision order', async () => {
        const { store, written } = await storeWithTenEvents();
        expect(await collect(store.readStream('order-1'))).toEqual(written);
      });

      it('forwards from a revision with a max count', async () => {
        const { store, written } = await storeWithTenEvents();
        const read = await collect(store.readStream('order-1', { fromRevision: 3, maxCount: 4 }));
        expect(read).toEqual(written.slice(3, 7));
      });

      it('backwards from the end, and from a revision with a max count', async () => {
        const { store, written } = await storeWithTenEvents();
        const all = await collect(store.readStream('order-1', { direction: 'backwards' }));
        const some = await collect(
          store.readStream('order-1', { direction: 'backwards', fromRevision: 5, maxCount: 3 }),
        );
        expect(all).toEqual([...written].reverse());
        expect(some.map((recorded) => recorded.revision)).toEqual([5, 4, 3]);
        expect(some).toEqual([written[5], written[4], written[3]]);
      });

      it('from a revision past the end, then nothing', async () => {
        const { store } = await storeWithTenEvents();
        expect(await collect(store.readStream('order-1', { fromRevision: 10 }))).toEqual([]);
      });

      it('given a stream that does not exist, then both directions yield nothing', async () => {
        const { store } = await storeWithTenEvents();
        expect(await collect(store.readStream('order-404'))).toEqual([]);
        expect(await collect(store.readStream('order-404', { direction: 'backwards' }))).toEqual([]);
      });
    });

    describe('reading the global log', () => {
      it('given appends interleaved across streams, then readAll yields them in commit order with increasing positions', async () => {
        const store = await fresh();
        const written: RecordedEvent[] = [];
        for (const stream of ['order-1', 'order-2', 'order-1', 'order-3', 'order-2']) {
          written.push(...(await store.append(stream, events(2))).events);
        }

        const read = await collect(store.readAll());

        expect(read).toEqual(written);
        for (let i = 1; i < read.length; i += 1) {
          expect(read[i]!.position).toBeGreaterThan(read[i - 1]!.position);
        }
      });

      it('given a position, then readAll starts strictly after it, and pages of maxCount cover the log exactly once', async () => {
        const store = await fresh();
        for (const stream of ['a', 'b', 'c', 'a']) await store.append(stream, events(3));
        const all = await collect(store.readAll());

        expect(await collect(store.readAll({ after: all[4]!.position }))).toEqual(all.slice(5));
        const paged: RecordedEvent[] = [];
        let after: number | undefined;
        for (;;) {
          const page = await collect(
            store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 5 }),
          );
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(5);
          paged.push(...page);
          after = page[page.length - 1]!.position;
        }
        expect(paged).toEqual(all);
      });

      it('given a log longer than any internal page, then readAll still yields every event once in order', async () => {
        const store = await fresh();
        let expected = 0;
        for (let batch = 0; batch < 12; batch += 1) {
          await store.append(`stream-${batch % 3}`, events(100, batch * 100));
          expected += 100;
        }

        const read = await collect(store.readAll());

        expect(read).toHaveLength(expected);
        expect(new Set(ids(read)).size).toBe(expected);
        for (let i = 1; i < read.length; i += 1) {
          expect(read[i]!.position).toBeGreaterThan(read[i - 1]!.position);
        }
      });

      it('given an empty store, then readAll yields nothing and there is no head position', async () => {
        const store = await fresh();
        expect(await collect(store.readAll())).toEqual([]);
        expect(await store.headPosition()).toBeNull();
        expect(await store.streamRevision('order-1')).toBeNull();
      });

      it('streamRevision and headPosition follow the appends; ping answers', async () => {
        const store = await fresh();
        await store.ping();
        await store.append('order-1', events(3));
        const last = await store.append('order-2', events(2));

        expect(await store.streamRevision('order-1')).toBe(2);
        expect(await store.streamRevision('order-2')).toBe(1);
        expect(await store.headPosition()).toBe(last.position);
      });
    });

    describe('catch-up subscription', () => {
      it('from the start: delivers the history in order, then reports it has caught up', async () => {
        const store = await fresh();
        await store.append('order-1', events(3));
        await store.append('order-2', events(2));
        const history = await collect(store.readAll());
        const recorder = new Recorder();
        const caughtUp = recorder.nextCaughtUp();

        track(store.subscribeToAll(recorder.options()));
        await caughtUp;

        expect(recorder.delivered).toEqual(history);
        expect(recorder.caughtUpAt[0]).toBe(history[4]!.position);
      });

      it('from a checkpoint: delivers only the events after it', async () => {
        const store = await fresh();
        await store.append('order-1', events(3));
        await store.append('order-2', events(2));
        const history = await collect(store.readAll());
        const recorder = new Recorder();
        const caughtUp = recorder.nextCaughtUp();

        track(store.subscribeToAll(recorder.options(history[2]!.position)));
        await caughtUp;

        expect(recorder.delivered).toEqual(history.slice(3));
      });

      it('live: events appended after catching up are delivered exactly once, in order', async () => {
        const store = await fresh();
        await store.append('order-1', events(2));
        const recorder = new Recorder();
        const caughtUp = recorder.nextCaughtUp();
        track(store.subscribeToAll(recorder.options()));
        await caughtUp;

        await store.append('order-2', events(2));
        await store.append('order-1', events(1, 2));
        await recorder.received(5);
        // A marker appended last: once it arrives, anything delivered twice before it would show.
        await store.append('marker', events(1));
        await recorder.received(6);

        const log = await collect(store.readAll());
        expect(recorder.delivered).toEqual(log);
      });

      it('given a handler that throws, then the subscription stops with a SubscriptionError at that position, and resumes from the last good checkpoint', async () => {
        const store = await fresh();
        await store.append('order-1', events(5));
        const log = await collect(store.readAll());
        const failing = log[2]!.position;
        const errors: SubscriptionError[] = [];
        const recorder = new Recorder((recorded) => recorded.position === failing);

        const subscription = track(
          store.subscribeToAll({ ...recorder.options(), onError: (error) => errors.push(error) }),
        );
        const error = await rejection(subscription.done);

        expect(error).toBeInstanceOf(SubscriptionError);
        expect(error).toMatchObject({ code: 'LDG_STORE_SUBSCRIPTION_FAILED', position: failing });
        expect(errors).toEqual([error]);
        expect(recorder.delivered).toEqual(log.slice(0, 2));

        const checkpoint = recorder.delivered[recorder.delivered.length - 1]!.position;
        const resumed = new Recorder();
        const caughtUp = resumed.nextCaughtUp();
        track(store.subscribeToAll(resumed.options(checkpoint)));
        await caughtUp;
        expect([...recorder.delivered, ...resumed.delivered]).toEqual(log);
      });

      it('with event types: delivers every event of those types in order, and reports caught up at the last event read', async () => {
        const store = await fresh();
        await store.append('order-1', [event('Opened'), event('Noted'), event('Closed'), event('Noted')]);
        const history = await collect(store.readAll());
        const recorder = new Recorder();
        const caughtUp = recorder.nextCaughtUp();
        const wanted = (list: readonly RecordedEvent[]) => list.filter((e) => e.type !== 'Noted');

        track(store.subscribeToAll({ ...recorder.options(), eventTypes: ['Opened', 'Closed'] }));
        await caughtUp;
        // a store may skip the other types, or deliver them too
        expect(wanted(recorder.delivered)).toEqual([history[0], history[2]]);
        expect(recorder.caughtUpAt[0]).toBe(history[3]!.position);

        await store.append('order-2', [event('Noted'), event('Closed'), event('Noted')]);
        await store.append('marker', [event('Opened')]);
        await expect.poll(() => wanted(recorder.delivered).length).toBe(4);
        const log = await collect(store.readAll());
        expect(wanted(recorder.delivered)).toEqual([history[0], history[2], log[5], log[7]]);
      });

      it('stop() ends the subscription: done resolves', async () => {
        const store = await fresh();
        await store.append('order-1', events(1));
        const recorder = new Recorder();
        const caughtUp = recorder.nextCaughtUp();
        const subscription = store.subscribeToAll(recorder.options());
        await caughtUp;

        await subscription.stop();

        await expect(subscription.done).resolves.toBeUndefined();
      });
    });

    describe('concurrent appenders', () => {
      it('given 20 appenders racing on one stream with exact expected revisions, then no event is lost or duplicated and each revision has one winner', async () => {
        const store = await fresh();
        const winners = new Map<number, number>();
        let conflicts = 0;

        const appender = async (worker: number): Promise<void> => {
          for (;;) {
            const revision = await store.streamRevision('counter');
            try {
              const result = await store.append('counter', [event('Incremented', { worker })], {
                expectedRevision: revision ?? 'no_stream',
              });
              const won = result.nextExpectedRevision;
              expect(winners.has(won)).toBe(false);
              winners.set(won, worker);
              return;
            } catch (error) {
              if (!(error instanceof WrongExpectedRevisionError)) throw error;
              conflicts += 1;
            }
          }
        };
        await Promise.all(Array.from({ length: 20 }, (_, worker) => appender(worker)));

        const stored = await collect(store.readStream('counter'));
        expect(stored.map((recorded) => recorded.revision)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(
          stored.map((recorded) => (recorded.data as { worker: number }).worker).sort((a, b) => a - b),
        ).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(stored.map((recorded) => (recorded.data as { worker: number }).worker)).toEqual(
          [...winners.keys()].sort((a, b) => a - b).map((revision) => winners.get(revision)),
        );
        expect(conflicts).toBeGreaterThan(0);
        expect(await store.verify()).toMatchObject({ ok: true, events: 20 });
      });
    });

    describe('verify', () => {
      it('given an empty store, then it is ok with nothing counted', async () => {
        const store = await fresh();
        expect(await store.verify()).toEqual({ ok: true, streams: 0, events: 0, head: null });
      });

      it('given a clean store, then it is ok and counts every stream and event', async () => {
        const store = await fresh();
        await store.append('order-1', events(3));
        await store.append('order-2', events(1));
        await store.append('order-1', events(2, 3));
        await store.append('order-3', events(1));

        expect(await store.verify()).toEqual({ ok: true, streams: 3, events: 7, head: expect.anything() });
      });

      it('given a clean store, then its head is the digest of every event in log order', async () => {
        const store = await fresh();
        await store.append('order-1', events(2));
        await store.append('order-2', events(1));

        const logged = await collect(store.readAll());
        const digest = logged.reduce<string | null>(
          (previous, recorded) =>
            nextLogDigest(previous, { position: recorded.position, hash: recorded.metadata.hash }),
          null,
        );
        expect((await store.verify()).head).toEqual({ position: logged.at(-1)!.position, digest });
      });

      it('given an anchor recorded earlier, when the log has only grown since, then it still holds', async () => {
        const store = await fresh();
        await store.append('order-1', events(2));
        const anchor = (await store.verify()).head!;
        await store.append('order-2', events(3));

        const report = await store.verify({ anchors: [anchor] });
        expect(report.ok).toBe(true);
        expect(report.head?.position).toBeGreaterThan(anchor.position);
      });

      it('given an anchor that does not match the log, then it reports an anchor mismatch at its position', async () => {
        const store = await fresh();
        const { position } = await store.append('order-1', events(2));
        await store.append('order-2', events(1));

        const report = await store.verify({ anchors: [{ position, digest: '0'.repeat(64) }] });
        expect(report).toMatchObject({
          ok: false,
          firstBroken: { position, streamName: 'order-1', revision: 1, reason: 'anchor-mismatch' },
        });
      });

      it('given an anchor beyond the end of the log, then it reports the tail as removed', async () => {
        const store = await fresh();
        const { position } = await store.append('order-1', events(2));

        const report = await store.verify({
          anchors: [{ position: position + 1000, digest: 'f'.repeat(64) }],
        });
        expect(report).toMatchObject({ ok: false, firstBroken: { position, reason: 'anchor-mismatch' } });
        expect(report.firstBroken?.detail).toMatch(/tail was removed/);
      });

      it('given one stored byte of an event changed behind the store, then it reports that event as the first broken link', async () => {
        const store = await fresh();
        await store.append('order-1', events(3));
        const target = (
          await store.append('order-2', [event('Refunded', { amount: 1250, note: 'damaged box' })])
        ).events[0]!;
        await store.append('order-2', events(2, 1));
        await store.append('order-3', events(2));

        const broken = (await harness.tamper(store, target)) ?? target;
        const report = await store.verify();

        expect(report.ok).toBe(false);
        expect(report.firstBroken).toMatchObject({
          streamName: 'order-2',
          revision: broken.revision,
          position: broken.position,
          eventId: broken.eventId,
        });
        expect(['hash-mismatch', 'prev-hash-mismatch', 'unreadable']).toContain(report.firstBroken?.reason);
        expect(report.firstBroken?.detail).toEqual(expect.any(String));
      });
    });
  });
}
