import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { Projection } from './projection.js';

/** `live` answers queries; `building` is a rebuild that has not been swapped in yet. */
export type ReadModelState = 'live' | 'building';

export interface ReadModelMeta {
  readonly name: string;
  readonly version: number;
  readonly state: ReadModelState;
  /** Position of the last event the read model has taken into account; null before the first. */
  readonly position: number | null;
  readonly lastRecordedAt: string | null;
  /**
   * Events delivered to it so far, applied or of no interest to it (a store may skip those before
   * they are delivered: they are not counted then).
   */
  readonly eventsProcessed: number;
}

/**
 * One generation of a projection's read model: `<directory>/<name>.<generation>.db`, or an
 * in-memory database when there is no directory. A rebuild writes the next generation beside the
 * live one; marking it `live` is the commit point of the swap, and at start the highest live
 * generation wins while the others are deleted.
 */
export interface ReadModelFile {
  readonly db: Database;
  readonly generation: number;
  readonly path: string | null;
  /**
   * A fresh file is bulk-loaded: written without syncing (`synchronous = OFF`, its rollback
   * journal in memory) until it has caught up with the log. It is still marked `building` then,
   * so a crash meanwhile (which may leave an unsynced file damaged) gets it discarded and
   * rebuilt, never served.
   */
  bulk: boolean;
}

const META_DDL = `
CREATE TABLE projection_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('live', 'building')),
  position INTEGER,
  last_recorded_at TEXT,
  events_processed INTEGER NOT NULL
);`;

interface MetaRow {
  name: string;
  version: number;
  state: ReadModelState;
  position: number | null;
  last_recorded_at: string | null;
  events_processed: number;
}

const CACHE_KIB = 65_536;
/** A bulk load appends rows in key order and sorts for its indexes: a smaller cache does. */
const BULK_CACHE_KIB = 16_384;

function openDatabase(path: string | null): Database {
  const db = new BetterSqlite3(path ?? ':memory:');
  if (path !== null) {
    db.pragma('journal_mode = WAL');
    // A read model can always be rebuilt, and its checkpoint commits with its rows: losing the
    // last transactions in a power cut only means re-applying them, never counting them twice.
    db.pragma('synchronous = NORMAL');
  }
  // Batches touch every index of the model: keep them in memory (64 MiB page cache).
  db.pragma(`cache_size = -${CACHE_KIB}`);
  return db;
}

export function readMeta(db: Database): ReadModelMeta {
  const row = db.prepare('SELECT * FROM projection_meta WHERE id = 1').get() as MetaRow | undefined;
  if (!row) throw new Error('read model has no projection_meta row');
  return {
    name: row.name,
    version: row.version,
    state: row.state,
    position: row.position,
    lastRecordedAt: row.last_recorded_at,
    eventsProcessed: row.events_processed,
  };
}

/** Creates the next generation of a projection's read model, empty and `building`, in bulk-load mode. */
export function createReadModelFile(
  directory: string | null,
  projection: Projection<unknown>,
  generation: number,
): ReadModelFile {
  const path = directory === null ? null : generationPath(directory, projection.name, generation);
  if (path !== null) deleteDatabaseFiles(path);
  const db = openDatabase(path);
  if (path !== null) {
    // Written once, straight into the file: a rollback journal in memory, no write-ahead log
    // to copy back, no syncs (see `bulk`).
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
  }
  db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
  db.transaction(() => {
    db.exec(META_DDL);
    db.prepare(
      `INSERT INTO projection_meta (id, name, version, state, position, last_recorded_at, events_processed)
       VALUES (1, ?, ?, ?, NULL, NULL, 0)`,
    ).run(projection.name, projection.version, 'building');
    db.exec(projection.schema);
  })();
  return { db, generation, path, bulk: true };
}

/**
 * Ends the bulk load: the file is synced, which makes everything written so far durable, and
 * from here on it runs like any read model (write-ahead log, synced checkpoints).
 */
export function endBulkLoad(file: ReadModelFile): void {
  if (!file.bulk) return;
  file.db.pragma(`cache_size = -${CACHE_KIB}`);
  if (file.path !== null) {
    const fd = openSync(file.path, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    file.db.pragma('synchronous = NORMAL');
    const mode = file.db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal')
      throw new Error(`${file.path} could not switch to WAL (journal mode ${String(mode)})`);
  }
  file.bulk = false;
}

/** Makes a caught-up read model the one to serve, now and after a restart. */
export function markLive(file: ReadModelFile): void {
  endBulkLoad(file);
  file.db.prepare(`UPDATE projection_meta SET state = 'live' WHERE id = 1`).run();
  // Synced (a commit alone is not, at synchronous = NORMAL) before the caller deletes the
  // generation this one replaces: a power cut right after must still leave a live model.
  if (file.path !== null) file.db.pragma('wal_checkpoint(FULL)');
}

/** Opens a generation another thread built (still `building`), for this one to carry on from its checkpoint. */
export function openBuiltReadModel(directory: string, name: string, generation: number): ReadModelFile {
  const path = generationPath(directory, name, generation);
  return { db: openDatabase(path), generation, path, bulk: false };
}

/** Deletes a generation's files; it must not be open. */
export function discardGeneration(directory: string, name: string, generation: number): void {
  deleteDatabaseFiles(generationPath(directory, name, generation));
}

export function discardReadModelFile(file: ReadModelFile): void {
  if (file.db.open) file.db.close();
  if (file.path !== null) deleteDatabaseFiles(file.path);
}

export interface ExistingReadModel {
  readonly file: ReadModelFile;
  readonly meta: ReadModelMeta;
}

/**
 * Finds the projection's live read model in the directory (the highest live generation) and
 * deletes every other generation: older ones a swap replaced, unfinished rebuilds, unreadable files.
 * Returns the highest generation number seen, so the next one never reuses a name.
 */
export function openLiveReadModel(
  directory: string,
  name: string,
): { readonly live: ExistingReadModel | null; readonly highestGeneration: number } {
  mkdirSync(directory, { recursive: true });
  const pattern = new RegExp(`^${name.replace(/[^a-z0-9]/g, '\\$&')}\\.(\\d+)\\.db$`);
  const generations = readdirSync(directory)
    .map((entry) => pattern.exec(entry)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => b - a);
  let live: ExistingReadModel | null = null;
  for (const generation of generations) {
    const path = generationPath(directory, name, generation);
    if (live === null) {
      // A file cut short while it was being built (the process died) may not even open.
      let db: Database | null = null;
      let meta: ReadModelMeta | null = null;
      try {
        db = openDatabase(path);
        meta = readMeta(db);
      } catch {
        meta = null;
      }
      if (db !== null && meta?.state === 'live' && meta.name === name) {
        live = { file: { db, generation, path, bulk: false }, meta };
        continue;
      }
      db?.close();
    }
    deleteDatabaseFiles(path);
  }
  return { live, highestGeneration: generations[0] ?? 0 };
}

function generationPath(directory: string, name: string, generation: number): string {
  return join(directory, `${name}.${generation}.db`);
}

function deleteDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}
