import { accept, type Decider, refuse } from '@rma-ledger/domain';
import type { EventStore, RecordedEvent } from '@rma-ledger/event-store';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clock, type CommandContext, CommandHandler } from './command-handler.js';
import {
  ConcurrencyConflictError,
  DomainRejectedError,
  IdempotencyKeyReusedError,
  OccurredAtInFutureError,
  PreconditionFailedError,
} from './errors.js';
import type { EventCodec } from './event-codec.js';
import { loadStream } from './stream-reader.js';

// A toy aggregate, so these tests exercise the handler alone: a tab whose items can each be paid once.
type TabEvent =
  | { type: 'ItemAdded'; data: { itemId: string; occurredAt: string } }
  | { type: 'ItemPaid'; data: { itemId: string; occurredAt: string } };
type TabCommand = { type: 'AddItem' | 'PayItem'; itemId: string; occurredAt: string };
interface TabState {
  readonly items: Readonly<Record<string, 'open' | 'paid'>>;
  readonly lastOccurredAt: string | null;
}

const tab: Decider<TabCommand, TabEvent, TabState> = {
  initialState: { items: {}, lastOccurredAt: null },
  evolve: (state, event) => ({
    items: { ...state.items, [event.data.itemId]: event.type === 'ItemAdded' ? 'open' : 'paid' },
    lastOccurredAt: event.data.occurredAt,
  }),
  decide: (command, state) => {
    if (state.lastOccurredAt !== null && command.occurredAt < state.lastOccurredAt) {
      return refuse({ code: 'LDG_OCCURRED_AT_BEFORE_PREVIOUS', message: 'earlier', field: 'occurredAt' });
    }
    const data = { itemId: command.itemId, occurredAt: command.occurredAt };
    if (command.type === 'AddItem') {
      return state.items[command.itemId] ? accept() : accept({ type: 'ItemAdded', data });
    }
    if (state.items[command.itemId] === 'paid') {
      return refuse({ code: 'LDG_TOY_ALREADY_PAID', message: 'already paid' });
    }
    return accept({ type: 'ItemPaid', data });
  },
};

const codec: EventCodec<TabEvent> = {
  decode: (recorded) => ({ type: recorded.type, data: recorded.data }) as TabEvent,
  encode: (event) => ({
    type: event.type,
    data: event.data,
    schemaVersion: event.type === 'ItemPaid' ? 2 : 1,
  }),
  occurredAt: (event) => event.data.occurredAt,
};

const STREAM = 'tab-1';
const context: CommandContext = { actor: 'user:ann', correlationId: 'corr-1' };

function tabCommand(type: TabCommand['type'], itemId: string, occurredAt?: string) {
  return {
    decider: tab,
    codec,
    streamName: STREAM,
    operation: `tab.${type}`,
    input: occurredAt === undefined ? { itemId } : { itemId, occurredAt },
    occurredAt,
    build: (_state: TabState, at: string): TabCommand => ({ type, itemId, occurredAt: at }),
  };
}

async function streamEvents(store: EventStore, streamName = STREAM): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(streamName)) events.push(event);
  return events;
}

describe('CommandHandler', () => {
  let store: EventStore;
  let now: Date;
  const clock: Clock = { now: () => now };
  let handler: CommandHandler;

  beforeEach(() => {
    store = openSqliteEventStore({ path: ':memory:' });
    now = new Date('2026-03-01T10:00:00.000Z');
    handler = new CommandHandler(store, { clock });
  });
  afterEach(() => store.close());

  it('appends the decided events with the caller metadata and the catalogue schema version', async () => {
    await handler.handle(tabCommand('AddItem', 'a'), context);
    const outcome = await handler.handle(tabCommand('PayItem', 'a'), { ...context, causationId: 'cmd-9' });

    expect(outcome.revision).toBe(1);
    expect(outcome.deduplicated).toBe(false);
    expect(outcome.events.map((e) => e.event)).toEqual([
      { type: 'ItemPaid', data: { itemId: 'a', occurredAt: '2026-03-01T10:00:00.000Z' } },
    ]);
    const [, paid] = await streamEvents(store);
    expect(paid?.metadata).toMatchObject({
      actor: 'user:ann',
      correlationId: 'corr-1',
      causationId: 'cmd-9',
      schemaVersion: 2,
    });
  });

  it('normalises occurredAt with an offset to UTC and accepts one up to 5 minutes ahead', async () => {
    const outcome = await handler.handle(tabCommand('AddItem', 'a', '2026-03-01T18:04:59+08:00'), context);
    expect(outcome.events[0]?.event.data.occurredAt).toBe('2026-03-01T10:04:59.000Z');
  });

  it('refuses an occurredAt more than 5 minutes in the future and writes nothing', async () => {
    await expect(
      handler.handle(tabCommand('AddItem', 'a', '2026-03-01T10:05:01Z'), context),
    ).rejects.toSatisfy((error) => error instanceof OccurredAtInFutureError && error.field === 'occurredAt');
    expect(await streamEvents(store)).toHaveLength(0);
  });

  it('wraps a domain refusal with the domain code and writes nothing', async () => {
    await handler.handle(tabCommand('AddItem', 'a'), context);
    await handler.handle(tabCommand('PayItem', 'a'), context);
    const refusal = handler.handle(tabCommand('PayItem', 'a'), context);
    await expect(refusal).rejects.toBeInstanceOf(DomainRejectedError);
    await expect(refusal).rejects.toMatchObject({ code: 'LDG_TOY_ALREADY_PAID' });
    expect(await streamEvents(store)).toHaveLength(2);
  });

  it('writes nothing when the decision is empty and reports the current revision', async () => {
    await handler.handle(tabCommand('AddItem', 'a'), context);
    const outcome = await handler.handle(tabCommand('AddItem', 'a'), context);
    expect(outcome).toMatchObject({ revision: 0, events: [], deduplicated: false });
  });

  describe('idempotency', () => {
    const keyed = { ...context, idempotencyKey: 'key-1' };

    it('writes once for the same key twice and returns the first outcome', async () => {
      await handler.handle(tabCommand('AddItem', 'a'), context);
      const first = await handler.handle(tabCommand('PayItem', 'a'), keyed);
      const again = await handler.handle(tabCommand('PayItem', 'a'), { ...keyed, correlationId: 'corr-2' });

      expect(again.deduplicated).toBe(true);
      expect(again.revision).toBe(first.revision);
      expect(again.events.map((e) => e.recorded.eventId)).toEqual(
        first.events.map((e) => e.recorded.eventId),
      );
      expect(await streamEvents(store)).toHaveLength(2);
    });

    it('recognises a retry without occurredAt although the defaulted time moved on', async () => {
      await handler.handle(tabCommand('AddItem', 'a'), keyed);
      now = new Date('2026-03-01T10:03:00.000Z');
      const again = await handler.handle(tabCommand('AddItem', 'a'), keyed);
      expect(again.deduplicated).toBe(true);
      expect(again.events[0]?.event.data.occurredAt).toBe('2026-03-01T10:00:00.000Z');
    });

    it('returns the first outcome to a repeat that loads the stream just after the original committed', async () => {
      await handler.handle(tabCommand('AddItem', 'a'), context);
      let originalCommitted: Promise<unknown> | undefined;
      // The original commits between the repeat's key lookup (a miss) and its stream load.
      const slow = new Proxy(store, {
        get(target, property) {
          if (property !== 'readStream') return Reflect.get(target, property).bind(target);
          return (...args: Parameters<EventStore['readStream']>) => {
            originalCommitted ??= handler.handle(tabCommand('PayItem', 'a'), keyed);
            return (async function* () {
              await originalCommitted;
              yield* target.readStream(...args);
            })();
          };
        },
      });
      const repeat = await new CommandHandler(slow, { clock }).handle(tabCommand('PayItem', 'a'), keyed);
      const first = await originalCommitted;

      expect(repeat.deduplicated).toBe(true);
      expect(repeat.events.map((e) => e.recorded.eventId)).toEqual(
        (first as Awaited<ReturnType<CommandHandler['handle']>>).events.map((e) => e.recorded.eventId),
      );
      expect(await streamEvents(store)).toHaveLength(2);
    });

    it('refuses the same key with a different command and writes nothing', async () => {
      await handler.handle(tabCommand('AddItem', 'a'), keyed);
      await expect(handler.handle(tabCommand('AddItem', 'b'), keyed)).rejects.toBeInstanceOf(
        IdempotencyKeyReusedError,
      );
      expect(await streamEvents(store)).toHaveLength(1);
    });

    it('returns the first outcome even when the If-Match revision has moved since', async () => {
      await handler.handle(tabCommand('AddItem', 'a'), context);
      await handler.handle(tabCommand('PayItem', 'a'), { ...keyed, expectedRevision: 0 });
      const again = await handler.handle(tabCommand('PayItem', 'a'), { ...keyed, expectedRevision: 0 });
      expect(again.deduplicated).toBe(true);
    });
  });

  describe('concurrency', () => {
    it('fails with a precondition error and writes nothing when If-Match is not the current revision', async () => {
      await handler.handle(tabCommand('AddItem', 'a'), context);
      await handler.handle(tabCommand('AddItem', 'b'), context);
      const stale = handler.handle(tabCommand('PayItem', 'a'), { ...context, expectedRevision: 0 });
      await expect(stale).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(stale).rejects.toMatchObject({ expectedRevision: 0, actualRevision: 1 });
      expect(await streamEvents(store)).toHaveLength(2);
    });

    it('lets exactly one of two racing commands win when they conflict in the domain', async () => {
      await handler.handle(tabCommand('AddItem', 'a'), context);
      const results = await Promise.allSettled([
        handler.handle(tabCommand('PayItem', 'a'), context),
        handler.handle(tabCommand('PayItem', 'a'), context),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const [rejected] = results.filter((r) => r.status === 'rejected');
      expect(rejected?.reason).toMatchObject({ code: 'LDG_TOY_ALREADY_PAID' });
      expect((await streamEvents(store)).map((e) => e.type)).toEqual(['ItemAdded', 'ItemPaid']);
    });

    it('defaults occurredAt afresh on a retry, after a rival recorded a later instant', async () => {
      let ticks = 0;
      const advancing: Clock = { now: () => new Date(Date.parse('2026-03-01T10:00:00Z') + 1000 * ++ticks) };
      const rival = new CommandHandler(store, { clock: advancing });
      let raced = false;
      // The rival, timed after this command's default, appends between this command's load and append.
      const racing = new Proxy(store, {
        get(target, property) {
          if (property !== 'append') return Reflect.get(target, property).bind(target);
          return async (...args: Parameters<EventStore['append']>) => {
            if (!raced) {
              raced = true;
              await rival.handle(tabCommand('AddItem', 'rival'), context);
            }
            return target.append(...args);
          };
        },
      });
      const outcome = await new CommandHandler(racing, { clock: advancing }).handle(
        tabCommand('AddItem', 'a'),
        context,
      );

      expect(outcome.revision).toBe(1);
      const [rivalEvent, own] = (await streamEvents(store)).map((e) => e.data as { occurredAt: string });
      expect(own!.occurredAt > rivalEvent!.occurredAt).toBe(true);
    });

    it('answers a keyed repeat that raced its original, and found nothing left to do, with the original outcome', async () => {
      const keyed = { ...context, idempotencyKey: 'add-a' };
      let original: Promise<unknown> | undefined;
      // The original commits while the repeat is still at its first key lookup.
      const racing = new Proxy(store, {
        get(target, property) {
          if (property !== 'lookupIdempotencyKey') return Reflect.get(target, property).bind(target);
          return async (key: string) => {
            if (original === undefined) {
              original = handler.handle(tabCommand('AddItem', 'a'), keyed);
              await original;
              return null;
            }
            return target.lookupIdempotencyKey(key);
          };
        },
      });
      const repeat = await new CommandHandler(racing, { clock }).handle(tabCommand('AddItem', 'a'), keyed);

      expect(repeat.deduplicated).toBe(true);
      expect(repeat.events.map((e) => e.event.type)).toEqual(['ItemAdded']);
      expect(await streamEvents(store)).toHaveLength(1);
    });

    it('re-decides against the new state when racing commands do not conflict in the domain', async () => {
      await Promise.all(['a', 'b', 'c'].map((item) => handler.handle(tabCommand('AddItem', item), context)));
      expect(await streamEvents(store)).toHaveLength(3);
    });

    it('gives up with a conflict error after the bounded number of attempts', async () => {
      let rivals = 0;
      const racing = new Proxy(store, {
        get(target, property) {
          if (property !== 'append') return Reflect.get(target, property).bind(target);
          return async (...[streamName, events, options]: Parameters<EventStore['append']>) => {
            // Another writer always gets in first.
            const rival = { itemId: `rival-${++rivals}`, occurredAt: '2026-03-01T09:00:00.000Z' };
            await target.append(streamName, [
              { type: 'ItemAdded', data: rival, metadata: events[0]!.metadata },
            ]);
            return target.append(streamName, events, options);
          };
        },
      });
      const impatient = new CommandHandler(racing, { clock, maxAttempts: 3 });
      await expect(impatient.handle(tabCommand('AddItem', 'a'), context)).rejects.toBeInstanceOf(
        ConcurrencyConflictError,
      );
    });
  });

  describe('state as of a business instant', () => {
    it('folds only the events that happened at or before the instant', async () => {
      await handler.handle(tabCommand('AddItem', 'a', '2026-03-01T08:00:00Z'), context);
      await handler.handle(tabCommand('PayItem', 'a', '2026-03-01T09:00:00Z'), context);

      const before = await loadStream(store, tab, codec, STREAM, { asOf: new Date('2026-03-01T08:30:00Z') });
      expect(before.state.items).toEqual({ a: 'open' });
      expect(before.revision).toBe(0);
      expect(before.events.map((e) => e.recorded.metadata.actor)).toEqual(['user:ann']);

      const exactly = await loadStream(store, tab, codec, STREAM, { asOf: new Date('2026-03-01T09:00:00Z') });
      expect(exactly.state.items).toEqual({ a: 'paid' });
      expect(exactly.revision).toBe(1);
    });
  });
});
