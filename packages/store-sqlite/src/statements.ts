import type { Database, Statement } from 'better-sqlite3';
import { EVENT_COLUMNS, type EventRow } from './rows.js';

export interface StreamHead {
  readonly revision: number;
  readonly head_hash: string;
}

export interface IdempotencyRow {
  readonly stream_name: string;
  readonly fingerprint: string;
  readonly first_position: number;
  readonly last_position: number;
}

export interface StreamRow {
  readonly name: string;
  readonly revision: number;
  readonly head_hash: string;
}

/** A stream name found in the events table (null past the last one), and whether the streams table lists it. */
export type LoggedStream = [name: string | null, listed: 0 | 1];

/** Every statement the store runs, prepared once per connection. */
export interface Statements {
  readonly streamHead: Statement<[string], StreamHead>;
  readonly upsertStream: Statement<[string, number, string]>;
  readonly insertEvent: Statement<
    [
      string,
      number,
      string,
      string,
      string,
      string,
      string,
      string | null,
      number,
      string,
      string | null,
      string | null,
      string,
    ]
  >;
  readonly findIdempotencyKey: Statement<[string], IdempotencyRow>;
  readonly insertIdempotencyKey: Statement<[string, string, string, number, number]>;
  readonly eventsBetween: Statement<[number, number], EventRow>;
  readonly streamForwards: Statement<[string, number, number], EventRow>;
  readonly streamBackwards: Statement<[string, number, number], EventRow>;
  readonly allAfter: Statement<[number, number], EventRow>;
  /** As `allAfter`, of the types in a JSON array. */
  readonly allAfterOfTypes: Statement<[number, string, number], EventRow>;
  readonly headPosition: Statement<[], number | null>;
  readonly firstStreams: Statement<[number], StreamRow>;
  readonly streamsAfter: Statement<[string, number], StreamRow>;
  readonly streamAfterRevision: Statement<[string, number, number], EventRow>;
  readonly firstLoggedStream: Statement<[], LoggedStream>;
  readonly loggedStreamAfter: Statement<[string], LoggedStream>;
  readonly ping: Statement<[], number>;
}

function loggedStream(where: string): string {
  return (
    'SELECT logged.name, EXISTS (SELECT 1 FROM streams WHERE streams.name = logged.name) ' +
    `FROM (SELECT min(stream_name) AS name FROM events ${where}) AS logged`
  );
}

export function prepareStatements(db: Database): Statements {
  const rows = <P extends unknown[]>(sql: string) => db.prepare<P, EventRow>(sql).raw(true);
  return {
    streamHead: db.prepare('SELECT revision, head_hash FROM streams WHERE name = ?'),
    upsertStream: db.prepare(
      'INSERT INTO streams (name, revision, head_hash) VALUES (?, ?, ?) ' +
        'ON CONFLICT (name) DO UPDATE SET revision = excluded.revision, head_hash = excluded.head_hash',
    ),
    insertEvent: db.prepare(
      'INSERT INTO events (stream_name, revision, event_id, type, data, actor, correlation_id, causation_id, ' +
        'schema_version, recorded_at, idempotency_key, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    findIdempotencyKey: db.prepare(
      'SELECT stream_name, fingerprint, first_position, last_position FROM idempotency_keys WHERE key = ?',
    ),
    insertIdempotencyKey: db.prepare(
      'INSERT INTO idempotency_keys (key, stream_name, fingerprint, first_position, last_position) ' +
        'VALUES (?, ?, ?, ?, ?)',
    ),
    eventsBetween: rows(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position BETWEEN ? AND ? ORDER BY position`,
    ),
    streamForwards: rows(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_name = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    ),
    streamBackwards: rows(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_name = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ),
    allAfter: rows(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
    allAfterOfTypes: rows(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE position > ? AND type IN (SELECT value FROM json_each(?)) ORDER BY position LIMIT ?`,
    ),
    headPosition: db.prepare<[], number | null>('SELECT max(position) FROM events').pluck(),
    firstStreams: db.prepare('SELECT name, revision, head_hash FROM streams ORDER BY name LIMIT ?'),
    streamsAfter: db.prepare(
      'SELECT name, revision, head_hash FROM streams WHERE name > ? ORDER BY name LIMIT ?',
    ),
    streamAfterRevision: rows(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_name = ? AND revision > ? ORDER BY revision LIMIT ?`,
    ),
    // min() over the (stream_name, revision) index: one seek per stream, reading none of its events.
    firstLoggedStream: db.prepare<[], LoggedStream>(loggedStream('')).raw(true),
    loggedStreamAfter: db.prepare<[string], LoggedStream>(loggedStream('WHERE stream_name > ?')).raw(true),
    ping: db.prepare<[], number>('SELECT 1').pluck(),
  };
}
