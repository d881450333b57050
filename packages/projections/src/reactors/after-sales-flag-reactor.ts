import type { DomainEvent } from '@rma-ledger/domain';
import type { EventStore } from '@rma-ledger/event-store';
import { parseDomainEvent } from '../parse-domain-event.js';
import type { ParseEvent } from '../projection.js';
import { type ProjectionLag, ProjectionRunner } from '../projection-runner.js';
import type { AfterSalesFlag } from '../reports/after-sales-ratio.js';
import { toIso } from '../reports/time.js';
import {
  AFTER_SALES_FLAG_MODEL,
  type AfterSalesFlagConfig,
  afterSalesFlagProjection,
  DEFAULT_AFTER_SALES_FLAG_CONFIG,
  nextOutboxRow,
  type OutboxRow,
  removeOutboxRow,
} from './after-sales-flag-model.js';

/** One change of a SKU's flag, decided at the end of a trailing window (kpis.md §6). */
export interface AfterSalesFlagChange {
  readonly sku: string;
  /** unitsOnCases ÷ unitsSold over the period; 0 when nothing was sold (only a clear can say so). */
  readonly ratio: number;
  readonly unitsSold: number;
  readonly unitsOnCases: number;
  /** The trailing window evaluated, `[from, to)`; `to` is the UTC midnight of the evaluation. */
  readonly period: { readonly from: string; readonly to: string };
  /** The evaluation instant (= period.to), so the flag's history is in business time. */
  readonly occurredAt: string;
  /** Derived from (sku, change, period): the same decision always carries the same key. */
  readonly idempotencyKey: string;
}

/**
 * Records flag changes (the service wires it to the SKU aggregate's `RaiseAfterSalesFlag` /
 * `ClearAfterSalesFlag`). A change may be handed over more than once — after a crash between the
 * write and its acknowledgement, or when the reactor reruns from the first event — always with
 * the same idempotency key, so the writer must pass that key on.
 */
export interface AfterSalesFlagWriter {
  raise(change: AfterSalesFlagChange & { readonly level: AfterSalesFlag }): Promise<void>;
  clear(change: AfterSalesFlagChange & { readonly previousLevel: AfterSalesFlag }): Promise<void>;
}

export interface AfterSalesFlagReactorOptions {
  readonly store: EventStore;
  /** Where its state lives (`after-sales-flags.<n>.db`); null keeps it in memory. */
  readonly directory: string | null;
  readonly write: AfterSalesFlagWriter;
  readonly config?: Partial<AfterSalesFlagConfig>;
  /** Default `parseDomainEvent`. */
  readonly parse?: ParseEvent<DomainEvent>;
  /** Told when the model stops on an event or a write fails; a failed write is retried. */
  readonly onFailure?: (error: Error) => void;
  /** Delay before retrying a failed write; default 10 s. */
  readonly retryDelayMs?: number;
  readonly batchSize?: number;
  readonly maxBatchDelayMs?: number;
}

/**
 * The SKU after-sales flag reactor. Its decisions are made by a checkpointed projection
 * (`after-sales-flag-model.ts`): state, checkpoint and the outbox of decided changes commit in
 * one transaction. The reactor then hands the outbox to the writer in order, removing each change
 * once written; a change is removed only after its write, so a crash repeats a write, never loses one.
 */
export class AfterSalesFlagReactor {
  private readonly runner: ProjectionRunner<DomainEvent>;
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;

  private constructor(private readonly options: AfterSalesFlagReactorOptions) {
    const config = validConfig({ ...DEFAULT_AFTER_SALES_FLAG_CONFIG, ...options.config });
    const onQueued = () => setImmediate(() => void this.drain());
    this.runner = ProjectionRunner.start({
      store: options.store,
      directory: options.directory,
      projections: [afterSalesFlagProjection(config, onQueued)],
      parse: options.parse ?? parseDomainEvent,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.maxBatchDelayMs === undefined ? {} : { maxBatchDelayMs: options.maxBatchDelayMs }),
      onFailure: (_name, error) => options.onFailure?.(error),
    });
  }

  /** Opens (or creates) the state, resumes from its checkpoint and writes what a previous run left pending. */
  static start(options: AfterSalesFlagReactorOptions): AfterSalesFlagReactor {
    const reactor = new AfterSalesFlagReactor(options);
    void reactor.drain();
    return reactor;
  }

  /**
   * Hands every pending change to the writer. Resolves when the outbox is empty, or when a write
   * failed (the failure goes to `onFailure` and the change is retried later).
   */
  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.writePending().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /** Resolves once the log up to `position` has been evaluated and the resulting changes written. */
  async waitFor(position: number): Promise<void> {
    await this.runner.waitFor(position);
    await this.drain();
  }

  async lag(): Promise<ProjectionLag> {
    const [lag] = await this.runner.lag();
    return lag!;
  }

  /** Stops following the log and waits for a write in flight; pending changes stay for the next start. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.draining;
    await this.runner.stop();
  }

  private async writePending(): Promise<void> {
    do {
      this.drainAgain = false;
      for (;;) {
        if (this.stopped) return;
        const row = this.runner.read(AFTER_SALES_FLAG_MODEL, nextOutboxRow);
        if (!row) break;
        try {
          await this.write(row);
        } catch (error) {
          this.options.onFailure?.(error as Error);
          this.scheduleRetry();
          return;
        }
        // Still open here even when stopping: stop() waits for this loop before closing the runner.
        this.runner.read(AFTER_SALES_FLAG_MODEL, (db) => removeOutboxRow(db, row));
      }
    } while (this.drainAgain);
  }

  private write(row: OutboxRow): Promise<void> {
    const period = { from: toIso(row.periodFrom), to: toIso(row.periodTo) };
    const change: AfterSalesFlagChange = {
      sku: row.sku,
      ratio: row.unitsSold === 0 ? 0 : row.unitsOnCases / row.unitsSold,
      unitsSold: row.unitsSold,
      unitsOnCases: row.unitsOnCases,
      period,
      occurredAt: period.to,
      idempotencyKey: `sku-flag:${row.sku}:${row.change === 'raise' ? row.level : 'clear'}:${period.from}/${period.to}`,
    };
    return row.change === 'raise'
      ? this.options.write.raise({ ...change, level: row.level })
      : this.options.write.clear({ ...change, previousLevel: row.level });
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.drain();
    }, this.options.retryDelayMs ?? 10_000);
    this.retry.unref();
  }
}

function validConfig(config: AfterSalesFlagConfig): AfterSalesFlagConfig {
  const { alertRatio, delistRatio, minUnitsSold, windowDays } = config;
  if (!Number.isInteger(windowDays) || windowDays < 1) {
    throw new RangeError(`windowDays must be a whole number of days, at least 1 (got ${windowDays})`);
  }
  if (!(alertRatio > 0 && alertRatio <= delistRatio)) {
    throw new RangeError(`Need 0 < alertRatio <= delistRatio (got ${alertRatio} and ${delistRatio})`);
  }
  if (!Number.isInteger(minUnitsSold) || minUnitsSold < 0) {
    throw new RangeError(`minUnitsSold must be a whole number, at least 0 (got ${minUnitsSold})`);
  }
  return config;
}

/** Starts the SKU after-sales flag reactor (see `AfterSalesFlagReactor`). */
export function startAfterSalesFlagReactor(options: AfterSalesFlagReactorOptions): AfterSalesFlagReactor {
  return AfterSalesFlagReactor.start(options);
}
