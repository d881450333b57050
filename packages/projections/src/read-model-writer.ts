import type { RecordedEvent } from '@rma-ledger/event-store';
import type { Statement } from 'better-sqlite3';
import { ProjectionApplyError } from './errors.js';
import type { ApplyEvent, BulkLoad, ParseEvent, Projection } from './projection.js';
import { type ReadModelFile, readMeta } from './read-model-file.js';

export interface BatchLimits {
  /** Most events per transaction. */
  readonly maxEvents: number;
  /** Longest an event waits in the batch before the batch commits, in milliseconds. */
  readonly maxDelayMs: number;
  /** Most events a bulk load holds in memory before it writes them and batches take over. */
  readonly maxBulkEvents: number;
}

/** A bulk load in progress: the events it has taken, the last of them, and its loader. */
interface PendingBulk<E> {
  readonly load: BulkLoad<E>;
  events: number;
  last: RecordedEvent | null;
}

/**
 * Feeds events into one read-model file in batches: each batch is one transaction holding the
 * projection's writes and the checkpoint after the batch's last event, so a crash loses or
 * repeats nothing. When an event fails, the events before it commit and the failure is thrown.
 *
 * A fresh read model whose projection has a bulk loader is first loaded in memory instead: the
 * events only reach the file, with their checkpoint, when the load is flushed (at catch-up), so
 * its file stays empty meanwhile. If an event fails during a bulk load, nothing is written.
 */
export class ReadModelWriter<E> {
  checkpoint: number | null;
  lastRecordedAt: string | null;
  /** Whether the projection's query indexes exist; until then queries are right but slow. */
  indexed: boolean;
  private readonly batch: RecordedEvent[] = [];
  private batchStartedAt = 0;
  private cursor = 0;
  private readonly wanted: ReadonlySet<string>;
  private readonly apply: ApplyEvent<E>;
  private readonly saveCheckpointRow: Statement;
  private checkpointUnsaved = false;
  private readonly commitFirst: (count: number) => void;
  private bulk: PendingBulk<E> | null;
  private readonly commitBulk: (bulk: PendingBulk<E>) => void;

  constructor(
    readonly file: ReadModelFile,
    private readonly projection: Projection<E>,
    private readonly parse: ParseEvent<E>,
    private readonly limits: BatchLimits,
  ) {
    const meta = readMeta(file.db);
    this.checkpoint = meta.position;
    this.lastRecordedAt = meta.lastRecordedAt;
    this.indexed = projection.indexes === undefined;
    this.wanted = new Set(projection.eventTypes);
    this.apply = projection.bind(file.db);
    this.saveCheckpointRow = file.db.prepare(
      `UPDATE projection_meta
       SET position = ?, last_recorded_at = ?, events_processed = events_processed + ?
       WHERE id = 1`,
    );
    this.commitFirst = file.db.transaction((count: number) => {
      const batch = this.batch;
      for (this.cursor = 0; this.cursor < count; this.cursor++) {
        const recorded = batch[this.cursor]!;
        if (this.wanted.has(recorded.type)) this.apply(this.parse(recorded), recorded);
      }
      const last = batch[count - 1]!;
      this.saveCheckpointRow.run(last.position, last.metadata.recordedAt, count);
    });
    this.bulk =
      file.bulk && this.checkpoint === null && projection.bulkLoad
        ? { load: projection.bulkLoad(file.db), events: 0, last: null }
        : null;
    this.commitBulk = file.db.transaction((bulk: PendingBulk<E>) => {
      bulk.load.finish();
      this.saveCheckpointRow.run(bulk.last!.position, bulk.last!.metadata.recordedAt, bulk.events);
    });
  }

  /** Whether a batch is waiting to be committed (a bulk load is not a batch). */
  get pending(): boolean {
    return this.bulk === null && this.batch.length > 0;
  }

  /** Adds an event to the batch; commits the batch when it is full or old enough. */
  add(recorded: RecordedEvent): void {
    if (this.bulk) {
      this.addToBulk(this.bulk, recorded);
      return;
    }
    if (this.batch.length === 0) this.batchStartedAt = performance.now();
    this.batch.push(recorded);
    if (
      this.batch.length >= this.limits.maxEvents ||
      performance.now() - this.batchStartedAt >= this.limits.maxDelayMs
    ) {
      this.flush();
    }
  }

  /** Commits the pending batch; throws `ProjectionApplyError` after committing the events before the failing one. */
  flush(): void {
    if (this.bulk) {
      this.flushBulk(this.bulk);
      return;
    }
    const count = this.batch.length;
    if (count === 0) return;
    try {
      this.commitFirst(count);
      this.advance(count);
    } catch (cause) {
      const failedAt = this.cursor;
      const failed = this.batch[failedAt];
      if (failedAt > 0 && failedAt < count) {
        this.commitFirst(failedAt);
        this.advance(failedAt);
      }
      this.batch.length = 0;
      if (failed === undefined || failedAt === count) throw cause;
      throw new ProjectionApplyError(this.projection.name, failed.position, failed.type, cause);
    }
  }

  /**
   * Moves the checkpoint up to a position the log has been read to with no event since for this
   * read model (its subscription skipped the other types), so the runner knows it is caught up.
   * Kept in memory until the next batch commits a later one, or `saveCheckpoint` (at a stop): a
   * crash before only means reading those skipped events again. The pending batch must have been
   * committed.
   */
  advanceTo(position: number | null): void {
    if (position === null || this.bulk || this.batch.length > 0) return;
    if (this.checkpoint !== null && position <= this.checkpoint) return;
    this.checkpoint = position;
    this.checkpointUnsaved = true;
  }

  /** Saves a checkpoint `advanceTo` moved, if no batch has saved a later one since. */
  saveCheckpoint(): void {
    if (!this.checkpointUnsaved || this.bulk || this.batch.length > 0) return;
    this.saveCheckpointRow.run(this.checkpoint, this.lastRecordedAt, 0);
    this.checkpointUnsaved = false;
  }

  /** Creates the projection's query indexes, once: the runner calls it when the read model has caught up. */
  createIndexes(): void {
    if (this.indexed) return;
    this.file.db.exec(this.projection.indexes!);
    this.indexed = true;
  }

  /** Drops the pending batch (or bulk load) without committing it. */
  discardPending(): void {
    this.batch.length = 0;
    this.bulk = null;
  }

  private addToBulk(bulk: PendingBulk<E>, recorded: RecordedEvent): void {
    if (this.wanted.has(recorded.type)) {
      try {
        bulk.load.apply(this.parse(recorded), recorded);
      } catch (cause) {
        this.bulk = null;
        throw new ProjectionApplyError(this.projection.name, recorded.position, recorded.type, cause);
      }
    }
    bulk.events++;
    bulk.last = recorded;
    if (bulk.events >= this.limits.maxBulkEvents) this.flushBulk(bulk);
  }

  /** Writes the bulk load and its checkpoint in one transaction; from then on events go in batches. */
  private flushBulk(bulk: PendingBulk<E>): void {
    this.bulk = null;
    if (bulk.last === null) return;
    this.commitBulk(bulk);
    this.checkpoint = bulk.last.position;
    this.lastRecordedAt = bulk.last.metadata.recordedAt;
  }

  private advance(count: number): void {
    const last = this.batch[count - 1]!;
    this.checkpoint = last.position;
    this.checkpointUnsaved = false;
    this.lastRecordedAt = last.metadata.recordedAt;
    this.batch.splice(0, count);
  }
}
