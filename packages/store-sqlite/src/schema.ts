import { StoreUnavailableError } from '@rma-ledger/event-store';
import type { Database } from 'better-sqlite3';

/**
 * Each migration moves the schema one version up; `PRAGMA user_version` records where a file is.
 * Never edit a released migration: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `
  -- revision and head_hash repeat the stream's last event: one lookup gives an append what it
  -- checks and links to, and verify can tell a truncated stream from a complete one.
  CREATE TABLE streams (
    name TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    head_hash TEXT NOT NULL
  ) WITHOUT ROWID;

  -- position is the rowid: assigned as max + 1 inside the (serialised) write transaction, so
  -- positions follow commit order and readers never see a gap.
  CREATE TABLE events (
    position INTEGER PRIMARY KEY,
    stream_name TEXT NOT NULL,
    revision INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    actor TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    causation_id TEXT,
    schema_version INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    idempotency_key TEXT,
    prev_hash TEXT,
    hash TEXT NOT NULL
  );
  CREATE UNIQUE INDEX events_by_stream ON events (stream_name, revision);

  CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    stream_name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    first_position INTEGER NOT NULL,
    last_position INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function refuseNewer(found: number, location: string): void {
  if (found > SCHEMA_VERSION) {
    throw new StoreUnavailableError(
      `The event store at ${location} was written by schema version ${found}, but this build supports ` +
        `schema version ${SCHEMA_VERSION} at most; upgrade rma-ledger to open it`,
    );
  }
}

/** Brings the file up to `SCHEMA_VERSION`, or refuses a file written by a newer build. */
export function migrate(db: Database, location: string): void {
  refuseNewer(userVersion(db), location);
  if (userVersion(db) === SCHEMA_VERSION) return;
  // Immediate, and re-read inside: another process may be migrating the same file right now.
  db.transaction(() => {
    const from = userVersion(db);
    refuseNewer(from, location);
    for (let version = from; version < SCHEMA_VERSION; version += 1) {
      db.exec(MIGRATIONS[version]!);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
