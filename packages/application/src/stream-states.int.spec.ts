import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accept, type Decider } from '@rma-ledger/domain';
import type { EventStore, ReadStreamOptions } from '@rma-ledger/event-store';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventCodec } from './event-codec.js';
import { StreamStates } from './stream-states.js';

// A counter whose state is the list of amounts added, so a missed or repeated event shows.
type Added = { type: 'Added'; data: { amount: number; occurredAt: string } };
const counter: Decider<never, Added, readonly number[]> = {
  initialState: [],
  evolve: (state, event) => [...state, event.data.amount],
  decide: () => accept(),
};
const doubled: Decider<never, Added, readonly number[]> = {
  ...counter,
  evolve: (state, event) => [...state, event.data.amount * 2],
};
const codec: EventCodec<Added> = {
  decode: (recorded) => ({ type: 'Added', data: recorded.data }) as Added,
  encode: (event) => ({ type: event.type, data: event.data, schemaVersion: 1 }),
  occurredAt: (event) => event.data.occurredAt,
};
const metadata = { actor: 'user:ann', correlationId: 'corr-1', causationId: null, schemaVersion: 1 };
const added = (...amounts: number[]) =>
  amounts.map((amount) => ({
    type: 'Added',
    data: { amount, occurredAt: '2026-01-01T00:00:00.000Z' },
    metadata,
  }));

describe('StreamStates', () => {
  let dir: string;
  let store: EventStore;
  /** Revisions each readStream call started from, to see what a load reads again. */
  let readsFrom: (number | undefined)[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rma-states-'));
    store = openSqliteEventStore({ path: join(dir, 'events.db') });
    readsFrom = [];
    const readStream = store.readStream.bind(store);
    vi.spyOn(store, 'readStream').mockImplementation((streamName: string, options?: ReadStreamOptions) => {
      readsFrom.push(options?.fromRevision);
      return readStream(streamName, options);
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a stream loaded once, when more events are written (by anyone), then the next load folds only those, and an unchanged one reads none', async () => {
    const states = new StreamStates(store);
    await store.append('counter-1', added(1, 2));
    expect(await states.load(counter, codec, 'counter-1')).toEqual({ state: [1, 2], revision: 1 });

    await store.append('counter-1', added(3));
    expect(await states.load(counter, codec, 'counter-1')).toEqual({ state: [1, 2, 3], revision: 2 });
    expect(await states.load(counter, codec, 'counter-1')).toEqual({ state: [1, 2, 3], revision: 2 });
    expect(readsFrom).toEqual([undefined, 2]);
  });

  it('given a stream that does not exist, then its state is the initial one at revision null, and nothing is kept', async () => {
    const states = new StreamStates(store);
    expect(await states.load(counter, codec, 'counter-9')).toEqual({ state: [], revision: null });
    await store.append('counter-9', added(5));
    expect(await states.load(counter, codec, 'counter-9')).toEqual({ state: [5], revision: 0 });
  });

  it('given another decider over the same stream, then it folds from the start', async () => {
    const states = new StreamStates(store);
    await store.append('counter-1', added(1, 2));
    await states.load(counter, codec, 'counter-1');
    expect((await states.load(doubled, codec, 'counter-1')).state).toEqual([2, 4]);
  });

  it('given more streams than it keeps, then the least recently used is folded again from the start', async () => {
    const states = new StreamStates(store, 2);
    for (const name of ['counter-1', 'counter-2', 'counter-3']) await store.append(name, added(1));
    await states.load(counter, codec, 'counter-1');
    await states.load(counter, codec, 'counter-2');
    await states.load(counter, codec, 'counter-1');
    await states.load(counter, codec, 'counter-3');
    readsFrom = [];

    await store.append('counter-1', added(2));
    await states.load(counter, codec, 'counter-1');
    await states.load(counter, codec, 'counter-2');
    expect(readsFrom).toEqual([1, undefined]);
  });

  it('given events this process appended after a loaded state, then the next load reads nothing back', async () => {
    const states = new StreamStates(store);
    await store.append('counter-1', added(1));
    const loaded = await states.load(counter, codec, 'counter-1');
    const { nextExpectedRevision } = await store.append('counter-1', added(2, 3), { expectedRevision: 0 });
    const decided = added(2, 3).map(({ type, data }) => ({ type, data }) as Added);
    states.appended(counter, 'counter-1', loaded, decided, nextExpectedRevision);
    readsFrom = [];

    expect(await states.load(counter, codec, 'counter-1')).toEqual({ state: [1, 2, 3], revision: 2 });
    expect(readsFrom).toEqual([]);
  });
});
