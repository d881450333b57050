import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EventToAppend,
  InvalidAppendError,
  type JsonValue,
  type RecordedEvent,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '@rma-ledger/event-store';
import { describeEventStoreContract } from '@rma-ledger/event-store/contract-suite';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  openSqliteEventStore,
  SCHEMA_VERSION,
  type SqliteEventStore,
  type SqliteEventStoreOptions,
} from './index.js';

const directory = mkdtempSync(join(tmpdir(), 'rma-store-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
function tempFile(): string {
  files += 1;
  return join(directory, `store-${files}.db`);
}

/** Edits one stored event through a second connection, as someone with access to the file would. */
function editRow(path: string, eventId: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  try {
    const { changes } = db.prepare(sql).run(...params, eventId);
    expect(changes).toBe(1);
  } finally {
    db.close();
  }
}

/** Flips the low bit of one byte in the middle of the event's stored data text. */
function flipDataByte(path: string, eventId: string): void {
  const db = new Database(path);
  try {
    const { data } = db.prepare('SELECT data FROM events WHERE event_id = ?').get(eventId) as {
      data: string;
    };
    const bytes = Buffer.from(data, 'utf8');
    const index = Math.floor(bytes.length / 2);
    bytes[index] = bytes[index]! ^ 0x01;
    db.prepare('UPDATE events SET data = CAST(? AS TEXT) WHERE event_id = ?').run(bytes, eventId);
  } finally {
    db.close();
  }
}

const paths = new WeakMap<object, string>();

describeEventStoreContract('SQLite', {
  async create() {
    const path = tempFile();
    const store = openSqliteEventStore({ path });
    paths.set(store, path);
    return store;
  },
  async tamper(store, event) {
    flipDataByte(paths.get(store)!, event.eventId);
  },
});

describe('SQLite adapter', () => {
  const opened: SqliteEventStore[] = [];
  const open = (options: Partial<SqliteEventStoreOptions> = {}): SqliteEventStore => {
    const store = openSqliteEventStore({ path: tempFile(), ...options });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  const metadata = { actor: 'user:alice', correlationId: 'corr-1', causationId: null, schemaVersion: 1 };
  const numbered = (count: number, from = 0): EventToAppend[] =>
    Array.from({ length: count }, (_, i) => ({ type: 'Numbered', data: { n: from + i }, metadata }));
  const collect = async (iterable: AsyncIterable<RecordedEvent>) => {
    const list: RecordedEvent[] = [];
    for await (const item of iterable) list.push(item);
    return list;
  };

  describe('opening', () => {
    it('given a new file, then it is migrated to the current schema, in WAL mode with synchronous=FULL', () => {
      const store = open();
      expect(store.settings()).toEqual({
        journalMode: 'wal',
        synchronous: 'full',
        schemaVersion: SCHEMA_VERSION,
      });
    });

    it('given synchronous normal, then the connection runs with synchronous=NORMAL', () => {
      expect(open({ synchronous: 'normal' }).settings().synchronous).toBe('normal');
    });

    it('given :memory:, then the store works without a file', async () => {
      const store = open({ path: ':memory:' });
      await store.append('order-1', numbered(2));
      expect(await store.verify()).toMatchObject({ ok: true, streams: 1, events: 2 });
    });

    it('given a file written by a newer schema version, then opening fails naming both versions and the file is untouched', () => {
      const path = tempFile();
      const db = new Database(path);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();

      let failure: unknown;
      try {
        open({ path });
      } catch (error) {
        failure = error;
      }

      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect((failure as Error).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
      expect((failure as Error).message).toContain(`schema version ${SCHEMA_VERSION} at most`);
      const check = new Database(path);
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
      check.close();
    });

    it('given a file that is not a database, then opening fails with StoreUnavailableError', () => {
      const path = tempFile();
      writeFileSync(path, 'these are notes, not a database; '.repeat(200));
      expect(() => open({ path })).toThrow(StoreUnavailableError);
    });

    it('given a reopened file, then positions continue and chains link across the reopening', async () => {
      const path = tempFile();
      const first = openSqliteEventStore({ path });
      const before = await first.append('order-1', numbered(2));
      await first.close();

      const reopened = open({ path });
      const after = await reopened.append('order-1', numbered(1, 2));

      expect(after.events[0]!.position).toBeGreaterThan(before.position);
      expect(after.events[0]!.metadata.prevHash).toBe(before.events[1]!.metadata.hash);
      expect(await collect(reopened.readStream('order-1'))).toEqual([...before.events, ...after.events]);
      expect(await reopened.verify()).toMatchObject({ ok: true, streams: 1, events: 3 });
    });
  });

  describe('writing', () => {
    it('given an injected clock, then recordedAt is its time', async () => {
      const store = open({ clock: () => new Date('2026-03-01T09:30:00.000Z') });
      const { events } = await store.append('order-1', numbered(1));
      expect(events[0]!.metadata.recordedAt).toBe('2026-03-01T09:30:00.000Z');
    });

    it('given an invalid append, then it is refused with InvalidAppendError and nothing is written', async () => {
      const store = open();
      const attempts = [
        store.append('order-1', []),
        store.append('', numbered(1)),
        store.append('order-1', numbered(1), { expectedRevision: -1 }),
        store.append('order-1', numbered(1), { expectedRevision: 'latest' as 'any' }),
        store.append('order-1', [{ ...numbered(1)[0]!, eventId: 'not-a-uuid' }]),
        ...[[undefined], { at: new Date(0) }, { n: Number.NaN }].map((data) =>
          store.append('order-1', [{ type: 'T', data: data as unknown as JsonValue, metadata }]),
        ),
      ];
      for (const attempt of attempts) await expect(attempt).rejects.toBeInstanceOf(InvalidAppendError);
      expect(await store.headPosition()).toBeNull();
    });

    it('stores data as canonical JSON whatever the key order', async () => {
      const path = tempFile();
      const store = open({ path });
      const { events } = await store.append('order-1', [
        { type: 'T', data: { b: [1, { d: 2, c: 3 }], a: 'x' }, metadata },
      ]);
      const db = new Database(path, { readonly: true });
      const row = db.prepare('SELECT data FROM events WHERE event_id = ?').get(events[0]!.eventId);
      db.close();
      expect(row).toEqual({ data: '{"a":"x","b":[1,{"c":3,"d":2}]}' });
    });
  });

  describe('subscribing', () => {
    it('given event types, then it delivers only those, and reports caught up at the head', async () => {
      const store = open();
      const typed = (type: string) => ({ type, data: {}, metadata });
      await store.append('order-1', [typed('Wanted'), ...numbered(600), typed('Wanted'), ...numbered(3)]);
      const delivered: string[] = [];
      const caughtUpAt = await new Promise<number | null>((resolve) => {
        store.subscribeToAll({
          eventTypes: ['Wanted'],
          handler: (event) => void delivered.push(`${event.type}@${event.position}`),
          onCaughtUp: resolve,
        });
      });
      expect(delivered).toEqual(['Wanted@1', 'Wanted@602']);
      expect(caughtUpAt).toBe(605);
    });

    it('given event types and only other types appended since it caught up, then it reports caught up at the new head', async () => {
      const store = open();
      await store.append('order-1', [{ type: 'Wanted', data: {}, metadata }]);
      const caughtUpAt: (number | null)[] = [];
      let next!: () => void;
      const first = new Promise<void>((resolve) => {
        next = resolve;
      });
      store.subscribeToAll({
        eventTypes: ['Wanted'],
        handler: () => {},
        onCaughtUp: (position) => {
          caughtUpAt.push(position);
          next();
        },
      });
      await first;
      await store.append('order-1', numbered(3));
      await vi.waitFor(() => expect(caughtUpAt).toEqual([1, 4]));
    });

    it('given a long catch-up with a synchronous handler, then timers run between its pages', async () => {
      const store = open();
      await store.append('order-1', numbered(3000));
      let handled = 0;
      let handledWhenTimerRan: number | null = null;
      setTimeout(() => {
        handledWhenTimerRan = handled;
      }, 0);
      await new Promise<void>((resolve) => {
        store.subscribeToAll({ handler: () => void handled++, onCaughtUp: () => resolve() });
      });
      expect(handled).toBe(3000);
      expect(handledWhenTimerRan).not.toBeNull();
      expect(handledWhenTimerRan).toBeLessThan(3000);
    });
  });

  describe('another connection on the same file', () => {
    it('given a live subscription, then an append made through another connection is delivered', async () => {
      const path = tempFile();
      const subscriber = open({ path, pollIntervalMs: 20 });
      const writer = open({ path });
      const delivered: RecordedEvent[] = [];
      let caughtUp!: () => void;
      const ready = new Promise<void>((resolve) => {
        caughtUp = resolve;
      });
      let arrived!: () => void;
      const received = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      subscriber.subscribeToAll({
        handler: (event) => {
          delivered.push(event);
          arrived();
        },
        onCaughtUp: () => caughtUp(),
      });
      await ready;

      const { events } = await writer.append('order-1', numbered(1));
      await received;

      expect(delivered).toEqual(events);
    });
  });

  describe('several processes on one file', () => {
    /** Appends `count` events to `stream` from a child process, each with an exact expected revision, retrying conflicts. */
    function appendFromChild(path: string, stream: string, count: number): Promise<number | null> {
      const script = `
        import { openSqliteEventStore } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))};
        const store = openSqliteEventStore({ path: ${JSON.stringify(path)} });
        const metadata = { actor: 'system:child', correlationId: 'c', causationId: null, schemaVersion: 1 };
        for (let i = 0; i < ${count}; i += 1) {
          for (;;) {
            const revision = await store.streamRevision(${JSON.stringify(stream)});
            try {
              await store.append(${JSON.stringify(stream)}, [{ type: 'FromChild', data: { pid: process.pid, i }, metadata }], {
                expectedRevision: revision ?? 'no_stream',
              });
              break;
            } catch (error) {
              if (error.code !== 'LDG_STORE_WRONG_EXPECTED_REVISION') throw error;
            }
          }
        }
        await store.close();`;
      const child = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
        // From the package directory, where tsx resolves.
        { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'ignore', 'inherit'] },
      );
      return new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) => resolve(code));
      });
    }

    it('given two other processes appending to the same stream, then every append lands once with contiguous revisions and an intact chain', async () => {
      const path = tempFile();
      const store = open({ path });
      await store.append('shared', numbered(1));

      const exits = await Promise.all([
        appendFromChild(path, 'shared', 30),
        appendFromChild(path, 'shared', 30),
      ]);

      expect(exits).toEqual([0, 0]);
      const events = await collect(store.readStream('shared'));
      expect(events.map((event) => event.revision)).toEqual(Array.from({ length: 61 }, (_, i) => i));
      const fromChildren = events.slice(1).map((event) => JSON.stringify(event.data));
      expect(new Set(fromChildren).size).toBe(60);
      expect(await store.verify()).toMatchObject({ ok: true, streams: 1, events: 61 });
    });
  });

  describe('group commit', () => {
    /** Frames in the write-ahead log: each commit adds the pages it changed. */
    const walFrames = (path: string): number => {
      const db = new Database(path);
      try {
        // PASSIVE never blocks; with `log` it reports the frames written since the last reset.
        const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
        return row!.log;
      } finally {
        db.close();
      }
    };

    it('given appends issued in the same turn of the event loop, then they share one commit', async () => {
      const one = tempFile();
      await open({ path: one }).append('order-0', numbered(1));
      const together = tempFile();
      const store = open({ path: together });
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(`order-${i}`, numbered(1))));

      expect(walFrames(together)).toBeLessThanOrEqual(walFrames(one) * 2);
    });

    it('given appends to one stream issued together, then each sees the ones before it, in call order', async () => {
      const store = open();
      const results = await Promise.all([
        store.append('order-1', numbered(1, 0), { expectedRevision: 'no_stream' }),
        store.append('order-1', numbered(2, 1), { expectedRevision: 0 }),
        store.append('order-1', numbered(1, 3), { expectedRevision: 2 }),
      ]);

      expect(results.map((result) => result.nextExpectedRevision)).toEqual([0, 2, 3]);
      expect((await collect(store.readStream('order-1'))).map((event) => event.data)).toEqual(
        [0, 1, 2, 3].map((n) => ({ n })),
      );
      expect((await store.verify()).ok).toBe(true);
    });

    it('given one append of a group conflicting, then it alone fails and the others land', async () => {
      const store = open();
      await store.append('order-2', numbered(1));
      const outcomes = await Promise.allSettled([
        store.append('order-1', numbered(1)),
        store.append('order-2', numbered(1), { expectedRevision: 'no_stream' }),
        store.append('order-3', numbered(1)),
      ]);

      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.streamRevision('order-1')).toBe(0);
      expect(await store.streamRevision('order-2')).toBe(0);
      expect(await store.streamRevision('order-3')).toBe(0);
    });

    it('given the same idempotency key twice in one group, then the second is the first deduplicated', async () => {
      const store = open();
      const [first, second] = await Promise.all([
        store.append('order-1', numbered(1), { idempotencyKey: 'k-1' }),
        store.append('order-1', numbered(1), { idempotencyKey: 'k-1' }),
      ]);

      expect(first.deduplicated).toBe(false);
      expect(second.deduplicated).toBe(true);
      expect(second.events).toEqual(first.events);
      expect(await store.headPosition()).toBe(first.position);
    });

    it('given the group cannot commit, then every append in it fails and none is written', async () => {
      const path = tempFile();
      const store = open({ path, busyTimeoutMs: 20 });
      const other = new Database(path);
      other.exec('BEGIN IMMEDIATE');
      let outcomes: PromiseSettledResult<unknown>[];
      try {
        outcomes = await Promise.allSettled([
          store.append('order-1', numbered(1)),
          store.append('order-2', numbered(1)),
        ]);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }

      for (const outcome of outcomes) {
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
      }
      expect(await store.headPosition()).toBeNull();
    });

    it('given appends pending when the store closes, then they are written before it closes', async () => {
      const path = tempFile();
      const store = openSqliteEventStore({ path });
      const pending = store.append('order-1', numbered(2));
      await store.close();

      expect((await pending).nextExpectedRevision).toBe(1);
      const reopened = open({ path });
      expect(await reopened.streamRevision('order-1')).toBe(1);
    });
  });

  describe('the write lock', () => {
    it('given another connection holding the write lock past the busy timeout, then the append fails with StoreUnavailableError', async () => {
      const path = tempFile();
      const store = open({ path, busyTimeoutMs: 20 });
      const other = new Database(path);
      other.exec('BEGIN IMMEDIATE');
      try {
        await expect(store.append('order-1', numbered(1))).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      expect((await store.append('order-1', numbered(1))).nextExpectedRevision).toBe(0);
    });
  });

  describe('verify', () => {
    async function storeWithChain() {
      const path = tempFile();
      const store = open({ path });
      await store.append('order-1', numbered(2));
      const { events } = await store.append('order-2', numbered(3), { idempotencyKey: 'k-1' });
      await store.append('order-3', numbered(1));
      return { path, store, target: events[1]! };
    }

    const edits: [column: string, sql: string, params: unknown[], reason: string][] = [
      ['type', 'UPDATE events SET type = ? WHERE event_id = ?', ['Numbereb'], 'hash-mismatch'],
      [
        'data (same value, other bytes)',
        `UPDATE events SET data = ' ' || data WHERE event_id = ?`,
        [],
        'hash-mismatch',
      ],
      ['data (not JSON)', `UPDATE events SET data = substr(data, 2) WHERE event_id = ?`, [], 'unreadable'],
      ['actor', 'UPDATE events SET actor = ? WHERE event_id = ?', ['user:alicf'], 'hash-mismatch'],
      [
        'correlation id',
        'UPDATE events SET correlation_id = ? WHERE event_id = ?',
        ['corr-2'],
        'hash-mismatch',
      ],
      ['causation id', 'UPDATE events SET causation_id = ? WHERE event_id = ?', ['x'], 'hash-mismatch'],
      ['schema version', 'UPDATE events SET schema_version = 2 WHERE event_id = ?', [], 'hash-mismatch'],
      [
        'recorded at',
        `UPDATE events SET recorded_at = '2001-01-01T00:00:00.000Z' WHERE event_id = ?`,
        [],
        'hash-mismatch',
      ],
      [
        'idempotency key',
        `UPDATE events SET idempotency_key = 'k-2' WHERE event_id = ?`,
        [],
        'hash-mismatch',
      ],
      [
        'prev hash',
        `UPDATE events SET prev_hash = replace(prev_hash, substr(prev_hash, 1, 1), 'x') WHERE event_id = ?`,
        [],
        'prev-hash-mismatch',
      ],
      [
        'hash',
        `UPDATE events SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE event_id = ?`,
        [],
        'hash-mismatch',
      ],
      [
        'event id',
        `UPDATE events SET event_id = lower(event_id) || '0' WHERE event_id = ?`,
        [],
        'hash-mismatch',
      ],
    ];

    for (const [column, sql, params, reason] of edits) {
      it(`given the stored ${column} of an event changed, then verify reports ${reason} at that event`, async () => {
        const { path, store, target } = await storeWithChain();
        editRow(path, target.eventId, sql, ...params);

        const report = await store.verify();

        expect(report).toMatchObject({
          ok: false,
          firstBroken: { streamName: 'order-2', revision: 1, position: target.position, reason },
        });
      });
    }

    it('given the last event of a stream deleted, then verify reports the stream as truncated', async () => {
      const { path, store } = await storeWithChain();
      const db = new Database(path);
      db.prepare(`DELETE FROM events WHERE stream_name = 'order-2' AND revision = 2`).run();
      db.close();

      const report = await store.verify();

      expect(report).toMatchObject({
        ok: false,
        firstBroken: { streamName: 'order-2', revision: 2, reason: 'revision-gap' },
      });
    });

    it('given a middle event deleted, then verify reports a revision gap', async () => {
      const { path, store, target } = await storeWithChain();
      const db = new Database(path);
      db.prepare('DELETE FROM events WHERE event_id = ?').run(target.eventId);
      db.close();

      const report = await store.verify();

      expect(report).toMatchObject({
        ok: false,
        firstBroken: { streamName: 'order-2', revision: 2, reason: 'revision-gap' },
      });
    });

    it('reports progress, ending with the number of events checked', async () => {
      const store = open();
      for (let batch = 0; batch < 30; batch += 1) await store.append(`s-${batch % 4}`, numbered(500));
      const progress: number[] = [];

      const report = await store.verify({ onProgress: (checked) => progress.push(checked) });

      expect(report).toMatchObject({ ok: true, streams: 4, events: 15_000 });
      expect(progress.length).toBeGreaterThan(1);
      expect(progress[progress.length - 1]).toBe(15_000);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    });
  });

  describe('closing', () => {
    it('given a closed store, then calls fail with StoreUnavailableError and live subscriptions end', async () => {
      const store = openSqliteEventStore({ path: tempFile() });
      let caughtUp!: () => void;
      const ready = new Promise<void>((resolve) => {
        caughtUp = resolve;
      });
      const subscription = store.subscribeToAll({ handler: () => {}, onCaughtUp: () => caughtUp() });
      await ready;

      await store.close();

      await expect(subscription.done).resolves.toBeUndefined();
      await expect(store.append('order-1', numbered(1))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.headPosition()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
});
