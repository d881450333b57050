import type { EventStore, RecordedEvent, Subscription } from '@rma-ledger/event-store';
import type { Database } from 'better-sqlite3';
import { ProjectionNotReadyError, UnknownProjectionError } from './errors.js';
import type { ParseEvent, Projection } from './projection.js';
import { eventTypesOf, progressEverySecond } from './read-model-build.js';
import {
  createReadModelFile,
  discardGeneration,
  discardReadModelFile,
  markLive,
  openBuiltReadModel,
  openLiveReadModel,
  type ReadModelFile,
} from './read-model-file.js';
import { type BatchLimits, ReadModelWriter } from './read-model-writer.js';
import { type ProjectionWorkers, type WorkerBuild, WorkerBuilds } from './worker-builds.js';

export interface ProjectionRunnerOptions<E> {
  readonly store: EventStore;
  /** Where the read-model files live; null keeps every read model in memory (tests, tools). */
  readonly directory: string | null;
  readonly projections: readonly Projection<E>[];
  readonly parse: ParseEvent<E>;
  /** Default 1,000 events per transaction. */
  readonly batchSize?: number;
  /** Default 20 ms: the longest an event waits for its batch to commit during a catch-up. */
  readonly maxBatchDelayMs?: number;
  /**
   * Default 1,000,000: the most events a fresh read model's bulk load (see `Projection.bulkLoad`)
   * holds in memory before writing them; the rest of its catch-up goes in batches.
   */
  readonly maxBulkEvents?: number;
  /** `lag()` counts pending events by reading at most this many; default 10,000. */
  readonly lagCountLimit?: number;
  /** Epoch milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /** Told when a projection stops on an error; it keeps answering from its last good state. */
  readonly onFailure?: (projection: string, error: Error) => void;
  /**
   * Build fresh read models and rebuilds in worker threads, several at once, instead of in this
   * thread; only with a `directory`. A fresh read model then answers as empty until its build
   * is swapped in, as it does while it is bulk-loaded here.
   */
  readonly workers?: ProjectionWorkers;
  /**
   * Told, about once a second, how far the log has been read for a read model being built from
   * the first event (fresh or rebuilt), here or in a worker thread.
   */
  readonly onBuildProgress?: (projection: string, position: number) => void;
}

export type ProjectionStatus = 'catching-up' | 'live' | 'failed' | 'stopped';

/**
 * How far a projection is behind the log. `eventsBehind` counts the events after its checkpoint up
 * to the head, reading at most `lagCountLimit` of them (`eventsBehindIsLowerBound` when the limit
 * was hit). `secondsBehind` is how long the oldest event it has not applied has been in the log
 * (now − its `recordedAt`), 0 when it is caught up: it measures staleness, not idle time.
 */
export interface ProjectionLag {
  readonly name: string;
  readonly version: number;
  readonly status: ProjectionStatus;
  readonly checkpoint: number | null;
  readonly head: number | null;
  readonly eventsBehind: number;
  readonly eventsBehindIsLowerBound: boolean;
  readonly secondsBehind: number;
  readonly rebuilding: boolean;
  readonly error: { readonly code: string; readonly message: string } | null;
}

interface Feed<E> {
  readonly writer: ReadModelWriter<E>;
  tap: Tap<E> | null;
  /** Commits a batch left waiting when no event and no catch-up follows it. */
  timer: NodeJS.Timeout | null;
  /** Set once the feed is replaced or stopped: it ignores whatever its subscription still delivers. */
  retired: boolean;
}

/**
 * One subscription to the log shared by several feeds (the live feeds of every projection), so
 * the log is read and decoded once for all of them; each feed skips what its checkpoint covers.
 */
interface Tap<E> {
  subscription: Subscription | null;
  readonly feeds: Set<Feed<E>>;
}

/**
 * A rebuild in progress: built here by `feed`, or first in a worker thread (`build`), whose file
 * `feed` then takes over to apply what was appended meanwhile.
 */
interface Rebuild<E> {
  feed: Feed<E> | null;
  readonly build: WorkerBuild | null;
  readonly generation: number;
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

interface Slot<E> {
  readonly projection: Projection<E>;
  live: Feed<E>;
  caughtUp: boolean;
  failure: Error | null;
  rebuild: Rebuild<E> | null;
  highestGeneration: number;
}

interface PositionWaiter {
  readonly position: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Runs projections over the global log through the event-store port: each one catches up from its
 * checkpoint and then follows live appends, batching events into transactions with its checkpoint.
 * Queries go through `read`, which always sees the current generation of the read model, so a
 * rebuild can be swapped in while the service keeps answering.
 */
export class ProjectionRunner<E> {
  private readonly slots = new Map<string, Slot<E>>();
  private readonly limits: BatchLimits;
  private readonly waiters: PositionWaiter[] = [];
  private readonly builds: WorkerBuilds | null;
  private stopped = false;

  private constructor(private readonly options: ProjectionRunnerOptions<E>) {
    this.limits = {
      maxEvents: options.batchSize ?? 1000,
      maxDelayMs: options.maxBatchDelayMs ?? 20,
      maxBulkEvents: options.maxBulkEvents ?? 1_000_000,
    };
    this.builds = options.workers && options.directory !== null ? new WorkerBuilds(options.workers) : null;
  }

  /**
   * Opens (or creates) each projection's read model and starts feeding it. A read model written
   * by another projection version is dropped and rebuilt from the first event.
   */
  static start<E>(options: ProjectionRunnerOptions<E>): ProjectionRunner<E> {
    const runner = new ProjectionRunner(options);
    const opened = options.projections.map((projection) => runner.open(projection));
    runner.subscribe(
      opened.filter((o) => !o.fresh).map((o) => o.slot),
      false,
    );
    const fresh = opened.filter((o) => o.fresh).map((o) => o.slot);
    for (const group of runner.threadGroups(fresh)) runner.buildInWorkers(group);
    for (const slot of fresh) {
      slot.rebuild!.done.catch((error: Error) => {
        if (!runner.stopped) runner.failSlot(slot, error);
      });
    }
    return runner;
  }

  /** Runs a query on the projection's current read model. */
  read<T>(name: string, query: (db: Database) => T): T {
    const slot = this.slot(name);
    if (this.stopped) throw new ProjectionNotReadyError(name, 'the runner is stopped');
    return query(slot.live.writer.file.db);
  }

  /**
   * Rebuilds the projection from the first event into a fresh read model, which replaces the live
   * one once it has caught up; until then queries keep using the live one. Resolves at the swap.
   */
  rebuild(name: string): Promise<void> {
    const slot = this.slot(name);
    if (this.stopped) return Promise.reject(new ProjectionNotReadyError(name, 'the runner is stopped'));
    if (slot.rebuild) return slot.rebuild.done;
    // A fresh read model still loading from the first event is already what a rebuild would be.
    if (slot.live.writer.file.bulk && slot.failure === null) return this.caughtUpWithHead();
    if (this.builds) return this.buildInWorkers([slot])[0]!;
    const { projection } = slot;
    const generation = ++slot.highestGeneration;
    const file = createReadModelFile(this.options.directory, projection as Projection<unknown>, generation);
    slot.rebuild = { feed: this.feed(projection, file), build: null, generation, ...settlement() };
    this.subscribe([slot], true);
    return slot.rebuild.done;
  }

  /**
   * Resolves once every projection has applied the log up to `position` and has its query
   * indexes; rejects if one fails first.
   */
  waitFor(position: number): Promise<void> {
    if (this.reached(position)) return Promise.resolve();
    const failed = this.firstFailure();
    if (failed) return Promise.reject(failed);
    return new Promise((resolve, reject) => this.waiters.push({ position, resolve, reject }));
  }

  private async caughtUpWithHead(): Promise<void> {
    const head = await this.options.store.headPosition();
    if (head !== null) await this.waitFor(head);
  }

  async lag(): Promise<ProjectionLag[]> {
    const head = await this.options.store.headPosition();
    const now = (this.options.now ?? Date.now)();
    const pendingByCheckpoint = new Map<number | null, { count: number; oldest: string | null }>();
    const result: ProjectionLag[] = [];
    for (const slot of this.slots.values()) {
      const checkpoint = slot.live.writer.checkpoint;
      let pending = pendingByCheckpoint.get(checkpoint);
      if (!pending) {
        pending = await this.pendingEvents(checkpoint, head);
        pendingByCheckpoint.set(checkpoint, pending);
      }
      const limit = this.options.lagCountLimit ?? 10_000;
      result.push({
        name: slot.projection.name,
        version: slot.projection.version,
        status: this.status(slot),
        checkpoint,
        head,
        eventsBehind: pending.count,
        eventsBehindIsLowerBound: pending.count >= limit,
        secondsBehind: pending.oldest === null ? 0 : Math.max(0, (now - Date.parse(pending.oldest)) / 1000),
        rebuilding: slot.rebuild !== null,
        error: slot.failure
          ? {
              code: (slot.failure as { code?: string }).code ?? 'LDG_PROJECTION_FAILED',
              message: slot.failure.message,
            }
          : null,
      });
    }
    return result;
  }

  /** Stops every subscription, commits what was delivered, and closes the read models. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const taps = new Set<Tap<E>>();
    const builds: Promise<void>[] = [];
    for (const slot of this.slots.values()) {
      if (slot.live.tap) taps.add(slot.live.tap);
      if (slot.rebuild) {
        if (slot.rebuild.feed?.tap) taps.add(slot.rebuild.feed.tap);
        if (slot.rebuild.build) builds.push(slot.rebuild.build.cancel());
        slot.rebuild.reject(new ProjectionNotReadyError(slot.projection.name, 'the runner stopped'));
      }
    }
    await Promise.all([...[...taps].map((tap) => tap.subscription?.stop()), ...builds]);
    for (const slot of this.slots.values()) {
      // A model still loading in bulk is marked building: the next start discards it anyway.
      if (slot.failure === null && !slot.live.writer.file.bulk && this.flush(slot, slot.live)) {
        slot.live.writer.saveCheckpoint();
      }
      slot.live.retired = true;
      slot.live.writer.file.db.close();
      if (slot.rebuild) this.discard(slot, slot.rebuild);
    }
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(new ProjectionNotReadyError('*', 'the runner stopped'));
    }
  }

  /**
   * Registers the projection with its live read model. A slot is `fresh` when there is none yet
   * and worker threads are to build it: it answers from an empty model meanwhile.
   */
  private open(projection: Projection<E>): { readonly slot: Slot<E>; readonly fresh: boolean } {
    if (this.slots.has(projection.name))
      throw new Error(`Projection '${projection.name}' is registered twice`);
    const directory = this.options.directory;
    let file: ReadModelFile | null = null;
    let highestGeneration = 0;
    if (directory !== null) {
      const found = openLiveReadModel(directory, projection.name);
      highestGeneration = found.highestGeneration;
      if (found.live && found.live.meta.version === projection.version) file = found.live.file;
      else if (found.live) discardReadModelFile(found.live.file);
    }
    const fresh = file === null && this.builds !== null;
    // A fresh read model is served while it catches up, but only marked live (kept across a
    // restart) once it has: it is bulk-loaded until then.
    if (file === null && this.builds) {
      file = createReadModelFile(null, projection as Projection<unknown>, 0);
    } else if (file === null) {
      highestGeneration += 1;
      file = createReadModelFile(directory, projection as Projection<unknown>, highestGeneration);
    }
    const live = this.feed(projection, file);
    const slot: Slot<E> = {
      projection,
      live,
      caughtUp: false,
      failure: null,
      rebuild: null,
      highestGeneration,
    };
    this.slots.set(projection.name, slot);
    return { slot, fresh };
  }

  /**
   * Splits fresh read models into one group per thread, each group built from one read of the
   * log. Groups are balanced on the number of event types each projection applies, a rough
   * measure of its work: the heaviest first, each to the lightest group so far.
   */
  private threadGroups(slots: readonly Slot<E>[]): Slot<E>[][] {
    const threads = Math.min(this.builds?.threads ?? 1, slots.length);
    const groups = Array.from({ length: threads }, () => ({ weight: 0, slots: [] as Slot<E>[] }));
    const heaviestFirst = [...slots].sort(
      (a, b) => b.projection.eventTypes.length - a.projection.eventTypes.length,
    );
    for (const slot of heaviestFirst) {
      const lightest = groups.reduce((min, g) => (g.weight < min.weight ? g : min));
      lightest.slots.push(slot);
      lightest.weight += slot.projection.eventTypes.length;
    }
    return groups.map((g) => g.slots);
  }

  /**
   * Rebuilds the slots' read models in one worker thread (one read of the log), each into its
   * next generation; once the thread is done, a feed here takes each file over. Returns each
   * rebuild's `done`.
   */
  private buildInWorkers(slots: readonly Slot<E>[]): Promise<void>[] {
    const targets = slots.map((slot) => ({
      projection: slot.projection.name,
      version: slot.projection.version,
      generation: ++slot.highestGeneration,
    }));
    const build = this.builds!.start(
      { directory: this.options.directory!, targets, limits: this.limits },
      (position) => {
        for (const slot of slots) this.options.onBuildProgress?.(slot.projection.name, position);
      },
    );
    return slots.map((slot, i) => {
      const rebuild: Rebuild<E> = { feed: null, build, generation: targets[i]!.generation, ...settlement() };
      slot.rebuild = rebuild;
      build.done.then(
        (failed) => {
          const error = failed.get(slot.projection.name);
          if (error) this.abandon(slot, rebuild, error);
          else this.takeOver(slot, rebuild);
        },
        (error: Error) => this.abandon(slot, rebuild, error),
      );
      return rebuild.done;
    });
  }

  private feed(projection: Projection<E>, file: ReadModelFile): Feed<E> {
    return {
      writer: new ReadModelWriter(file, projection, this.options.parse, this.limits),
      tap: null,
      timer: null,
      retired: false,
    };
  }

  /**
   * Feeds the slots' live feeds (or their rebuilds) from one subscription starting after the
   * lowest of their checkpoints. A feed that fails leaves the others running.
   */
  private subscribe(slots: readonly Slot<E>[], isRebuild: boolean): void {
    const members = slots.map((slot) => ({ slot, feed: isRebuild ? slot.rebuild!.feed! : slot.live }));
    if (members.length === 0) return;
    const tap: Tap<E> = { subscription: null, feeds: new Set(members.map((m) => m.feed)) };
    let after: number | null = Number.POSITIVE_INFINITY;
    for (const { feed } of members) {
      feed.tap = tap;
      const checkpoint = feed.writer.checkpoint;
      after = checkpoint === null || after === null ? null : Math.min(after, checkpoint);
    }
    const progress = progressEverySecond((position) => {
      for (const { slot, feed } of members) {
        if (!feed.retired && feed.writer.file.bulk)
          this.options.onBuildProgress?.(slot.projection.name, position);
      }
    });
    tap.subscription = this.options.store.subscribeToAll({
      ...(after === null ? {} : { after }),
      eventTypes: eventTypesOf(members.map((m) => m.slot.projection)),
      handler: (event: RecordedEvent) => {
        for (const { slot, feed } of members) {
          if (feed.retired) continue;
          const checkpoint = feed.writer.checkpoint;
          if (checkpoint !== null && event.position <= checkpoint) continue;
          try {
            feed.writer.add(event);
          } catch (error) {
            this.fail(slot, feed, error as Error);
          }
          this.flushLater(slot, feed);
        }
        progress(event.position);
        this.settleWaiters();
      },
      onCaughtUp: (position) => {
        for (const { slot, feed } of members) {
          if (feed.retired) continue;
          if (!this.flush(slot, feed, true, position)) continue;
          if (slot.rebuild?.feed === feed) this.swap(slot, feed);
          else slot.caughtUp = true;
        }
        this.settleWaiters();
      },
      // Only the store fails here (a feed's own failure never reaches the subscription): the
      // events delivered before it are good, so each feed keeps them.
      onError: (error) => {
        for (const { slot, feed } of members) {
          if (feed.retired) continue;
          this.flush(slot, feed);
          this.fail(slot, feed, error);
        }
      },
    });
  }

  /**
   * A batch is committed when it is full, when an event comes after its delay, or at a catch-up;
   * a store may not report catch-ups while it is live (EventStoreDB reports one), so the delay
   * alone also commits it.
   */
  private flushLater(slot: Slot<E>, feed: Feed<E>): void {
    const delay = this.limits.maxDelayMs;
    if (feed.timer !== null || feed.retired || !feed.writer.pending || !Number.isFinite(delay)) return;
    feed.timer = setTimeout(() => {
      feed.timer = null;
      if (feed.retired || this.stopped) return;
      this.flush(slot, feed);
      this.settleWaiters();
    }, delay);
    feed.timer.unref();
  }

  /** Detaches the feed from its subscription, stopping the subscription once no feed is left on it. */
  private release(feed: Feed<E>): Promise<void> {
    const tap = feed.tap;
    feed.tap = null;
    if (!tap) return Promise.resolve();
    tap.feeds.delete(feed);
    return tap.feeds.size === 0 && tap.subscription ? tap.subscription.stop() : Promise.resolve();
  }

  /**
   * Commits the feed's pending batch; on failure records it, stops the feed and returns false.
   * Once caught up, a read model gets its query indexes, and a fresh live one is marked live
   * (a rebuild is marked live when it is swapped in).
   */
  private flush(slot: Slot<E>, feed: Feed<E>, caughtUp = false, readTo: number | null = null): boolean {
    try {
      feed.writer.flush();
      feed.writer.advanceTo(readTo);
      if (caughtUp) {
        feed.writer.createIndexes();
        if (slot.live === feed && feed.writer.file.bulk) markLive(feed.writer.file);
      }
      return true;
    } catch (error) {
      this.fail(slot, feed, error as Error);
      return false;
    }
  }

  /**
   * Stops a feed on its error: a rebuild's fails the rebuild (its file goes), the live one's fails
   * the projection. Which one it is goes by identity: a rebuild's feed swapped in is live.
   */
  private fail(slot: Slot<E>, feed: Feed<E>, error: Error): void {
    if (feed.retired) return;
    feed.retired = true;
    feed.writer.discardPending();
    if (slot.rebuild?.feed === feed) {
      const rebuild = slot.rebuild;
      slot.rebuild = null;
      void this.release(feed).finally(() => quietly(() => discardReadModelFile(feed.writer.file)));
      rebuild.reject(error);
      return;
    }
    void this.release(feed);
    this.failSlot(slot, error);
  }

  /** The projection stops with this error; it keeps answering from its last good state. */
  private failSlot(slot: Slot<E>, error: Error): void {
    slot.failure = error;
    this.options.onFailure?.(slot.projection.name, error);
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** A worker thread built the rebuild's file: a feed here takes it over from its checkpoint. */
  private takeOver(slot: Slot<E>, rebuild: Rebuild<E>): void {
    if (this.stopped || slot.rebuild !== rebuild) return;
    let file: ReadModelFile | null = null;
    try {
      file = openBuiltReadModel(this.options.directory!, slot.projection.name, rebuild.generation);
      rebuild.feed = this.feed(slot.projection, file);
    } catch (error) {
      if (file?.db.open) file.db.close();
      this.abandon(slot, rebuild, error as Error);
      return;
    }
    this.subscribe([slot], true);
  }

  /** The worker thread's build failed, or its file could not be taken over: the file goes, and the rebuild fails. */
  private abandon(slot: Slot<E>, rebuild: Rebuild<E>, error: Error): void {
    if (this.stopped || slot.rebuild !== rebuild) return;
    slot.rebuild = null;
    rebuild.reject(error);
    this.discard(slot, rebuild);
  }

  /** Deletes a rebuild's file, if it can; a worker thread's build must be over. */
  private discard(slot: Slot<E>, rebuild: Rebuild<E>): void {
    const { feed } = rebuild;
    const { directory } = this.options;
    quietly(() =>
      feed
        ? discardReadModelFile(feed.writer.file)
        : discardGeneration(directory!, slot.projection.name, rebuild.generation),
    );
  }

  private swap(slot: Slot<E>, feed: Feed<E>): void {
    const rebuild = slot.rebuild;
    if (!rebuild || rebuild.feed !== feed) return;
    markLive(feed.writer.file);
    const old = slot.live;
    old.retired = true;
    slot.live = feed;
    slot.rebuild = null;
    slot.failure = null;
    slot.caughtUp = true;
    void this.release(old).finally(() => quietly(() => discardReadModelFile(old.writer.file)));
    rebuild.resolve();
  }

  private status(slot: Slot<E>): ProjectionStatus {
    if (this.stopped) return 'stopped';
    if (slot.failure) return 'failed';
    return slot.caughtUp ? 'live' : 'catching-up';
  }

  private async pendingEvents(
    checkpoint: number | null,
    head: number | null,
  ): Promise<{ count: number; oldest: string | null }> {
    if (head === null || (checkpoint !== null && checkpoint >= head)) return { count: 0, oldest: null };
    let count = 0;
    let oldest: string | null = null;
    const events = this.options.store.readAll({
      ...(checkpoint === null ? {} : { after: checkpoint }),
      maxCount: this.options.lagCountLimit ?? 10_000,
    });
    for await (const event of events) {
      if (event.position > head) break;
      if (oldest === null) oldest = event.metadata.recordedAt;
      count++;
    }
    return { count, oldest };
  }

  /** Every read model has applied the log up to `position` and has its query indexes. */
  private reached(position: number): boolean {
    for (const slot of this.slots.values()) {
      const { checkpoint, indexed } = slot.live.writer;
      if (checkpoint === null || checkpoint < position || !indexed) return false;
    }
    return true;
  }

  private firstFailure(): Error | null {
    for (const slot of this.slots.values()) if (slot.failure) return slot.failure;
    return null;
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (this.reached(waiter.position)) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  private slot(name: string): Slot<E> {
    const slot = this.slots.get(name);
    if (!slot) throw new UnknownProjectionError(name);
    return slot;
  }
}

/** A rebuild's `done`, with the functions that settle it. */
function settlement(): Pick<Rebuild<never>, 'done' | 'resolve' | 'reject'> {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rebuild nobody awaits must not surface as an unhandled rejection when the runner stops.
  done.catch(() => {});
  return { done, resolve, reject };
}

/**
 * Runs a clean-up that may fail, such as deleting a read-model file no longer served. A file left
 * behind does no harm: the next start keeps only the highest live generation.
 */
function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // see above
  }
}
