import type { RecordedEvent } from '@rma-ledger/event-store';
import type { Database } from 'better-sqlite3';

/** Applies one event to the read model; runs inside the runner's batch transaction. */
export type ApplyEvent<E> = (event: E, recorded: RecordedEvent) => void;

/**
 * A read model fed from the global log. Its tables live in a SQLite database of its own, with its
 * checkpoint, so every batch of events and the checkpoint after it commit together.
 */
export interface Projection<E> {
  /** Lower-case letters, digits and dashes; also names the read-model file. */
  readonly name: string;
  /** Bump it whenever the schema or `apply` changes meaning: the next start rebuilds the read model. */
  readonly version: number;
  /** DDL creating the projection's tables and indexes in an empty database. */
  readonly schema: string;
  /** The event types `apply` wants; the runner neither parses nor applies the others. */
  readonly eventTypes: readonly string[];
  /**
   * Prepares the statements `apply` needs on this database and returns `apply`. Synchronous and
   * allocation-light: it runs once per event of a rebuild.
   */
  bind(db: Database): ApplyEvent<E>;
}

/** Turns a stored event into the domain's typed, upcast event; throws when the data is invalid. */
export type ParseEvent<E> = (recorded: RecordedEvent) => E;
