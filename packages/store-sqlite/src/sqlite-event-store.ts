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
import {
  type AppendOutcome,
  type AppendRequest,
  checkArguments,
  createGroupAppend,
  type GroupAppendFn,
  lookupIdempotencyKey,
} from './append.js';
import { CommitSignal } from './commit-signal.js';
import { readAll, readStream } from './reads.js';
import { toRecordedEvent } from './rows.js';
import { migrate } from './schema.js';
import { prepareStatements, type Statements } from './statements.js';
import { type SubscriptionSource, subscribe } from './subscription.js';
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

interface QueuedAppend {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

const SYNCHRONOUS_LEVELS = ['off', 'normal', 'full', 'extra'] as const;

/** Opens (creating or migrating as needed) an event store on one SQLite file. */
export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteStore(options);
}

class SqliteStore implements SqliteEventStore {
  private readonly db: Database.Database;
  private readonly statements: Statements;
  private readonly write: GroupAppendFn;
  private readonly clock: () => Date;
  /** Appends waiting for the next group commit. */
  private queue: QueuedAppend[] = [];
  private readonly signal: CommitSignal;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(private readonly options: SqliteEventStoreOptions) {
    this.db = openDatabase(options);
    this.statements = prepareStatements(this.db);
    this.write = createGroupAppend(this.db, this.statements);
    this.clock = options.clock ?? (() => new Date());
    this.signal = new CommitSignal(options.pollIntervalMs ?? 250);
  }

  /** The statements, or StoreUnavailableError once the store is closed. */
  private open(): Statements {
    if (this.closed) throw new StoreUnavailableError(`The event store at ${this.options.path} is closed`);
    return this.statements;
  }

  /**
   * Group commit: appends made in the same turn of the event loop (concurrent requests, typically)
   * are written in one transaction with one fsync, each under its own savepoint, so one failing
   * append (a wrong expected revision) does not affect the others. An append resolves only after
   * the commit that made it durable.
   */
  append(
    streamName: string,
    events: readonly EventToAppend[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    let request: AppendRequest;
    try {
      this.open();
      checkArguments(streamName, events, options?.expectedRevision ?? 'any');
      request = { streamName, events, options, recordedAt: this.clock().toISOString() };
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.commitQueued());
    });
  }

  private commitQueued(): void {
    const queued = this.queue;
    if (queued.length === 0) return;
    this.queue = [];
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.write(queued.map((entry) => entry.request));
    } catch (error) {
      // The commit failed (the write lock still held by another process after the busy timeout, a
      // full or read-only disk): nothing in the group was written.
      for (const { request, reject } of queued) reject(this.unavailable(request.streamName, error));
      return;
    }
    this.settle(queued, outcomes);
  }

  private settle(queued: readonly QueuedAppend[], outcomes: readonly AppendOutcome[]): void {
    let wrote = false;
    outcomes.forEach((outcome, i) => {
      const { request, resolve, reject } = queued[i]!;
      if (outcome.ok) {
        wrote ||= !outcome.result.deduplicated;
        resolve(outcome.result);
      } else {
        // The port's errors pass through; SQLite's own mean the store cannot take this write.
        reject(this.unavailable(request.streamName, outcome.error));
      }
    });
    if (wrote) this.signal.notify();
  }

  private unavailable(streamName: string, error: unknown): unknown {
    if (!(error instanceof Database.SqliteError)) return error;
    return new StoreUnavailableError(
      `The event store at ${this.options.path} could not append to '${streamName}': ${error.message}`,
      { cause: error },
    );
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
        readPage: this.pageReader(options.eventTypes),
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

  /**
   * A subscription's page: the events, and how far the log was read for them. Of some types
   * only, a page short of `limit` has read the whole log as it stood, so the head (from the same
   * snapshot) is how far.
   */
  private pageReader(eventTypes: readonly string[] | undefined): SubscriptionSource['readPage'] {
    if (eventTypes === undefined) {
      return (after, limit) => {
        const events = this.open().allAfter.all(after, limit).map(toRecordedEvent);
        return { events, readTo: events.at(-1)?.position ?? null };
      };
    }
    const types = JSON.stringify(eventTypes);
    const read = this.db.transaction((after: number, limit: number) => {
      const statements = this.open();
      const events = statements.allAfterOfTypes.all(after, types, limit).map(toRecordedEvent);
      const readTo = events.length === limit ? events.at(-1)!.position : statements.headPosition.get();
      return { events, readTo: readTo ?? null };
    });
    return (after, limit) => read(after, limit);
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
    // Appends already accepted are written, not dropped.
    this.commitQueued();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    this.db.close();
  }
}
