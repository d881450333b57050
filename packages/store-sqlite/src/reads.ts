import type { ReadAllOptions, ReadStreamOptions, RecordedEvent } from '@rma-ledger/event-store';
import { type EventRow, toRecordedEvent } from './rows.js';
import type { Statements } from './statements.js';

/**
 * Rows per query. Each page is fetched whole (`all`), never through an open cursor, so an append
 * on the same connection between two pages cannot find the connection busy.
 */
export const PAGE_SIZE = 512;

/** Fetches up to `limit` rows following `last` (undefined for the first page). */
type FetchPage = (last: EventRow | undefined, limit: number) => EventRow[];

/**
 * An async iterator over pages of rows. Hand-written rather than an async generator: reads are
 * the hot path of replays and projections, and this costs half as much per event.
 */
class PagedEvents implements AsyncIterableIterator<RecordedEvent> {
  private page: EventRow[] = [];
  private index = 0;
  private exhausted = false;

  constructor(
    private readonly fetchPage: FetchPage,
    private remaining: number,
  ) {}

  async next(): Promise<IteratorResult<RecordedEvent, undefined>> {
    if (this.index === this.page.length) {
      const limit = Math.min(PAGE_SIZE, this.remaining);
      if (this.exhausted || limit === 0) return { done: true, value: undefined };
      this.page = this.fetchPage(this.page[this.page.length - 1], limit);
      this.index = 0;
      this.remaining -= this.page.length;
      this.exhausted = this.page.length < limit;
      if (this.page.length === 0) return { done: true, value: undefined };
    }
    const row = this.page[this.index]!;
    this.index += 1;
    return { done: false, value: toRecordedEvent(row) };
  }

  async return(): Promise<IteratorResult<RecordedEvent, undefined>> {
    this.exhausted = true;
    this.page = [];
    this.index = 0;
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function checkCount(maxCount: number | undefined): number {
  if (maxCount === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  }
  return maxCount;
}

/** `statements` throws once the store is closed, so a read in progress stops with that error. */
export function readStream(
  statements: () => Statements,
  streamName: string,
  options: ReadStreamOptions = {},
): AsyncIterableIterator<RecordedEvent> {
  const remaining = checkCount(options.maxCount);
  if (options.direction === 'backwards') {
    const from = options.fromRevision ?? Number.MAX_SAFE_INTEGER;
    return new PagedEvents((last, limit) => {
      const next = last === undefined ? from : last[3] - 1;
      return next < 0 ? [] : statements().streamBackwards.all(streamName, next, limit);
    }, remaining);
  }
  const from = options.fromRevision ?? 0;
  return new PagedEvents(
    (last, limit) =>
      statements().streamForwards.all(streamName, last === undefined ? from : last[3] + 1, limit),
    remaining,
  );
}

export function readAll(
  statements: () => Statements,
  options: ReadAllOptions = {},
): AsyncIterableIterator<RecordedEvent> {
  const after = options.after ?? 0;
  return new PagedEvents(
    (last, limit) => statements().allAfter.all(last === undefined ? after : last[4], limit),
    checkCount(options.maxCount),
  );
}
