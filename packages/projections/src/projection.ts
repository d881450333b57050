import type { RecordedEvent } from '@rma-ledger/event-store';
import type { Database } from 'better-sqlite3';

/** Applies one event to the read model; runs inside the runner's batch transaction. */
export type ApplyEvent<E> = (event: E, recorded: RecordedEvent) => void;

/**
 * Loads a fresh read model from the first event in memory: `apply` only updates the loader's own
 * state, and `finish` writes every row, the same rows `bind`'s `apply` would have written for
 * those events, inside the transaction that also saves the checkpoint.
 */
export interface BulkLoad<E> {
  readonly apply: ApplyEvent<E>;
  finish(): void;
}

/**
 * A read model fed from the global log. Its tables live in a SQLite database of its own, with its
 * checkpoint, so every batch of events and the checkpoint after it commit together.
 */
export interface Projection<E> {
  /** Lower-case letters, digits and dashes; also names the read-model file. */
  readonly name: string;
  /** Bump it whenever the schema or `apply` changes meaning: the next start rebuilds the read model. */
  readonly version: number;
  /** DDL creating the projection's tables, and the indexes `apply` itself reads through, in an empty database. */
  readonly schema: string;
  /**
   * DDL of the indexes only queries need, each `IF NOT EXISTS`: the runner creates them once the
   * read model has caught up with the log, so a catch-up from the first event writes the tables
   * alone and the indexes are built in one pass (sorted) instead of row by row.
   */
  readonly indexes?: string;
  /** The event types `apply` wants; the runner neither parses nor applies the others. */
  readonly eventTypes: readonly string[];
  /**
   * Prepares the statements `apply` needs on this database and returns `apply`. Synchronous and
   * allocation-light: it runs once per event of a rebuild.
   */
  bind(db: Database): ApplyEvent<E>;
  /**
   * Optional, for speed: the runner feeds a fresh read model through a bulk load instead of
   * `bind`'s `apply` until it catches up with the log (or a bulk load grows too large), then goes
   * on with `apply`.
   */
  bulkLoad?(db: Database): BulkLoad<E>;
}

/** Turns a stored event into the domain's typed, upcast event; throws when the data is invalid. */
export type ParseEvent<E> = (recorded: RecordedEvent) => E;
