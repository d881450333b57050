import type { RecordedEvent } from '@rma-ledger/event-store';
import type { Statement } from 'better-sqlite3';
import { ProjectionApplyError } from './errors.js';
import type { ApplyEvent, ParseEvent, Projection } from './projection.js';
import { type ReadModelFile, readMeta } from './read-model-file.js';

export interface BatchLimits {
  /** Most events per transaction. */
  readonly maxEvents: number;
  /** Longest an event waits in the batch before the batch commits, in milliseconds. */
  readonly maxDelayMs: number;
}

/**
 * Feeds events into one read-model file in batches: each batch is one transaction holding the
 * projection's writes and the checkpoint after the batch's last event, so a crash loses or
 * repeats nothing. When an event fails, the events before it commit and the failure is thrown.
 */
export class ReadModelWriter<E> {
  checkpoint: number | null;
  lastRecordedAt: string | null;
  private readonly batch: RecordedEvent[] = [];
  private batchStartedAt = 0;
  private cursor = 0;
  private readonly wanted: ReadonlySet<string>;
  private readonly apply: ApplyEvent<E>;
  private readonly saveCheckpoint: Statement;
  private readonly commitFirst: (count: number) => void;

  constructor(
    readonly file: ReadModelFile,
    private readonly projection: Projection<E>,
    private readonly parse: ParseEvent<E>,
    private readonly limits: BatchLimits,
  ) {
    const meta = readMeta(file.db);
    this.checkpoint = meta.position;
    this.lastRecordedAt = meta.lastRecordedAt;
    this.wanted = new Set(projection.eventTypes);
    this.apply = projection.bind(file.db);
    this.saveCheckpoint = file.db.prepare(
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
      this.saveCheckpoint.run(last.position, last.metadata.recordedAt, count);
    });
  }

  /** Adds an event to the batch; commits the batch when it is full or old enough. */
  add(recorded: RecordedEvent): void {
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

  /** Drops the pending batch without committing it. */
  discardPending(): void {
    this.batch.length = 0;
  }

  private advance(count: number): void {
    const last = this.batch[count - 1]!;
    this.checkpoint = last.position;
    this.lastRecordedAt = last.metadata.recordedAt;
    this.batch.splice(0, count);
  }
}
