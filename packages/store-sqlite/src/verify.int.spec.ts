import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventToAppend, RecordedEvent } from '@rma-ledger/event-store';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openSqliteEventStore, type SqliteEventStore } from './index.js';

const directory = mkdtempSync(join(tmpdir(), 'rma-store-sqlite-verify-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const metadata = { actor: 'user:alice', correlationId: 'corr-1', causationId: null, schemaVersion: 1 };
const numbered = (count: number): EventToAppend[] =>
  Array.from({ length: count }, (_, n) => ({ type: 'Numbered', data: { n }, metadata }));

/** Runs SQL on the file through a second connection, as someone with access to the file would. */
function tamper(path: string, sql: string): void {
  const db = new Database(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe('verify, given rows edited behind the store', () => {
  const opened: SqliteEventStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  let files = 0;
  /** order-1 at positions 1-2, order-2 at 3-5, order-3 at 6. */
  async function storeWithChains() {
    files += 1;
    const path = join(directory, `store-${files}.db`);
    const store = openSqliteEventStore({ path });
    opened.push(store);
    await store.append('order-1', numbered(2));
    await store.append('order-2', numbered(3));
    await store.append('order-3', numbered(1));
    return { path, store };
  }
  const readAll = async (store: SqliteEventStore) => {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    return events.map((event) => `${event.streamName}@${event.revision}`);
  };

  it('given an event forged into a stream the streams table does not list, then verify reports its broken link', async () => {
    const { path, store } = await storeWithChains();
    tamper(
      path,
      `INSERT INTO events (stream_name, revision, event_id, type, data, actor, correlation_id, causation_id,
         schema_version, recorded_at, idempotency_key, prev_hash, hash)
       VALUES ('case-x', 0, '00000000-0000-4000-8000-000000000000', 'RefundPaid', '{"forged":true}',
         'a', 'c', NULL, 1, '2020-01-01T00:00:00.000Z', NULL, NULL, 'garbage')`,
    );
    expect(await readAll(store)).toContain('case-x@0');

    const report = await store.verify();

    expect(report).toMatchObject({
      ok: false,
      firstBroken: { streamName: 'case-x', revision: 0, position: 7, reason: 'hash-mismatch' },
    });
  });

  it('given an event tampered with and its streams row deleted, then verify reports the tampered event', async () => {
    const { path, store } = await storeWithChains();
    tamper(
      path,
      `UPDATE events SET data = '{"n":999}' WHERE position = 4; DELETE FROM streams WHERE name = 'order-2'`,
    );

    const report = await store.verify();

    expect(report).toMatchObject({
      ok: false,
      firstBroken: { streamName: 'order-2', revision: 1, position: 4, reason: 'hash-mismatch' },
    });
  });

  it('given an intact chain whose streams row was deleted, then verify reports the unrecorded head', async () => {
    const { path, store } = await storeWithChains();
    tamper(path, `DELETE FROM streams WHERE name = 'order-2'`);

    const report = await store.verify();

    expect(report).toMatchObject({
      ok: false,
      firstBroken: { streamName: 'order-2', revision: 2, position: 5, reason: 'hash-mismatch' },
    });
    expect(report.firstBroken?.detail).toContain('streams table');
  });

  it('given the positions of two revisions of a stream swapped, then verify reports the revision out of order', async () => {
    const { path, store } = await storeWithChains();
    tamper(
      path,
      `UPDATE events SET position = 100 WHERE position = 1;
       UPDATE events SET position = 1 WHERE position = 2;
       UPDATE events SET position = 2 WHERE position = 100;`,
    );
    expect((await readAll(store)).slice(0, 2)).toEqual(['order-1@1', 'order-1@0']);

    const report = await store.verify();

    expect(report).toMatchObject({
      ok: false,
      firstBroken: { streamName: 'order-1', revision: 1, position: 1, reason: 'revision-gap' },
    });
  });

  it('given an event moved later in the global log, then verify reports the revision it now follows', async () => {
    const { path, store } = await storeWithChains();
    tamper(path, 'UPDATE events SET position = 9 WHERE position = 1');

    const report = await store.verify();

    expect(report).toMatchObject({
      ok: false,
      firstBroken: { streamName: 'order-1', revision: 1, position: 2, reason: 'revision-gap' },
    });
  });

  it('given an event forged at a negative revision of a listed stream, then verify reports a revision gap', async () => {
    const { path, store } = await storeWithChains();
    tamper(
      path,
      `INSERT INTO events (stream_name, revision, event_id, type, data, actor, correlation_id, causation_id,
         schema_version, recorded_at, idempotency_key, prev_hash, hash)
       SELECT stream_name, -1, '00000000-0000-4000-8000-000000000000', type, data, actor, correlation_id,
         causation_id, schema_version, recorded_at, idempotency_key, prev_hash, hash
       FROM events WHERE position = 6`,
    );

    const report = await store.verify();

    expect(report).toMatchObject({
      ok: false,
      firstBroken: { streamName: 'order-3', revision: -1, position: 7, reason: 'revision-gap' },
    });
  });

  it('given a forged stream named with the empty string, listed and broken, then verify still walks it', async () => {
    const { path, store } = await storeWithChains();
    tamper(
      path,
      `INSERT INTO events (stream_name, revision, event_id, type, data, actor, correlation_id, causation_id,
         schema_version, recorded_at, idempotency_key, prev_hash, hash)
       VALUES ('', 0, '00000000-0000-4000-8000-000000000000', 'RefundPaid', '{"forged":true}',
         'a', 'c', NULL, 1, '2020-01-01T00:00:00.000Z', NULL, NULL, 'garbage');
       INSERT INTO streams (name, revision, head_hash) VALUES ('', 0, 'garbage')`,
    );

    const report = await store.verify();

    expect(report).toMatchObject({
      ok: false,
      firstBroken: { streamName: '', revision: 0, position: 7, reason: 'hash-mismatch' },
    });
  });

  it('given untouched chains, then verify reports every stream and event', async () => {
    const { store } = await storeWithChains();

    expect(await store.verify()).toMatchObject({ ok: true, streams: 3, events: 6 });
  });
});

describe('verify with a log anchor', () => {
  it('given a whole stream deleted behind the store, then only an anchor recorded before reveals it', async () => {
    const path = join(directory, 'anchored.db');
    const store = openSqliteEventStore({ path });
    try {
      await store.append('order-1', numbered(2));
      await store.append('order-2', numbered(2));
      await store.append('order-3', numbered(1));
      const anchor = (await store.verify()).head!;

      tamper(
        path,
        "DELETE FROM events WHERE stream_name = 'order-2'; DELETE FROM streams WHERE name = 'order-2';",
      );

      // Every remaining chain is intact: the deletion is invisible to stream chains alone.
      expect(await store.verify()).toMatchObject({ ok: true, streams: 2, events: 3 });
      expect(await store.verify({ anchors: [anchor] })).toMatchObject({
        ok: false,
        firstBroken: { streamName: 'order-3', reason: 'anchor-mismatch' },
      });
    } finally {
      await store.close();
    }
  });
});
