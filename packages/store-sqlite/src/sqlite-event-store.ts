import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type IdempotentAppend,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StoreUnavailableError,
  type SubscribeToAllOptions,
  type Subscription,
  type VerifyOptions,
  type VerifyReport,
} from '@rma-ledger/event-store';
import Database from 'better-sqlite3';
import { type AppendFn, createAppend, lookupIdempotencyKey } from './append.js';
import { CommitSignal } from './commit-signal.js';
import { readAll, readStream } from './reads.js';
import { toRecordedEvent } from './rows.js';
import { migrate } from './schema.js';
import { prepareStatements, type Statements } from './statements.js';
import { subscribe } from './subscription.js';
import { verifyChains } from './verify.js';

export interface SqliteEventStoreOptions {
  /** A database file (created when missing) or `:memory:`. */
  readonly path: string;
  /**
   * `full` (default): every commit is on disk when append resolves, even across a power loss.
   * `normal`: in WAL mode a power loss may undo the last commits, but never corrupts the file.
   */
  readonly synchronous?: 'full' | 'normal';
  /** Stamps `recordedAt`; default the system clock. */
  readonly clock?: () => Date;
  /** How long a write waits for another process's write lock before failing; default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** How often a live subscription looks for commits made by other processes; default 250 ms. */
  readonly pollIntervalMs?: number;
}

function openDatabase(options: SqliteEventStoreOptions): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(options.path);
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    migrate(db, options.path);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(`Cannot open the event store at ${options.path}: ${String(error)}`, {
      cause: error,
    });
  }
}

export interface SqliteSettings {
  readonly journalMode: string;
  readonly synchronous: 'off' | 'normal' | 'full' | 'extra';
  readonly schemaVersion: number;
}

export interface SqliteEventStore extends EventStore {
  /** What the connection actually runs with, as SQLite reports it (for start-up logs and checks). */
  settings(): SqliteSettings;
}

const SYNCHRONOUS_LEVELS = ['off', 'normal', 'full', 'extra'] as const;

/** Opens (creating or migrating as needed) an event store on one SQLite file. */
export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteStore(options);
}

class SqliteStore implements SqliteEventStore {
  private readonly db: Database.Database;
  private readonly statements: Statements;
  private readonly write: AppendFn;
  private readonly signal: CommitSignal;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(private readonly options: SqliteEventStoreOptions) {
    this.db = openDatabase(options);
    this.statements = prepareStatements(this.db);
    this.write = createAppend(this.db, this.statements, options.clock ?? (() => new Date()));
    this.signal = new CommitSignal(options.pollIntervalMs ?? 250);
  }

  /** The statements, or StoreUnavailableError once the store is closed. */
  private open(): Statements {
    if (this.closed) throw new StoreUnavailableError(`The event store at ${this.options.path} is closed`);
    return this.statements;
  }

  async append(
    streamName: string,
    events: readonly EventToAppend[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.open();
    let result: AppendResult;
    try {
      result = this.write(streamName, events, options);
    } catch (error) {
      // SQLite's own failures (the write lock still held elsewhere after the busy timeout, a full
      // or read-only disk) mean the store cannot take writes; the port's errors pass through.
      if (!(error instanceof Database.SqliteError)) throw error;
      throw new StoreUnavailableError(
        `The event store at ${this.options.path} could not append to '${streamName}': ${error.message}`,
        { cause: error },
      );
    }
    if (!result.deduplicated) this.signal.notify();
    return result;
  }

  readStream(streamName: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return readStream(() => this.open(), streamName, options);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return readAll(() => this.open(), options);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    const subscription = subscribe(
      {
        readPage: (after, limit) => this.open().allAfter.all(after, limit).map(toRecordedEvent),
        signal: this.signal,
      },
      options,
    );
    this.subscriptions.add(subscription);
    subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  async lookupIdempotencyKey(idempotencyKey: string): Promise<IdempotentAppend | null> {
    return lookupIdempotencyKey(this.open(), idempotencyKey);
  }

  async streamRevision(streamName: string): Promise<number | null> {
    return this.open().streamHead.get(streamName)?.revision ?? null;
  }

  async headPosition(): Promise<number | null> {
    return this.open().headPosition.get() ?? null;
  }

  async verify(options?: VerifyOptions): Promise<VerifyReport> {
    return verifyChains(() => this.open(), options);
  }

  async ping(): Promise<void> {
    this.open().ping.get();
  }

  settings(): SqliteSettings {
    this.open();
    const level = this.db.pragma('synchronous', { simple: true }) as number;
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: SYNCHRONOUS_LEVELS[level]!,
      schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    this.db.close();
  }
}
