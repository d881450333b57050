import {
  ANY,
  type AppendExpectedRevision,
  type CurrentRevision,
  NO_STREAM,
  STREAM_EXISTS,
} from '@eventstore/db-client';
import type { ExpectedRevision } from '@rma-ledger/event-store';

/**
 * Stream revisions: the port uses JS numbers, the client bigints. EventStoreDB revisions are 0-based
 * like the port's, so the mapping is a type conversion; a revision beyond 2^53 cannot be a number.
 */
export function fromClientRevision(revision: bigint): number {
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Stream revision ${revision} does not fit in a JavaScript number`);
  }
  return Number(revision);
}

export function toClientRevision(revision: number): bigint {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`Stream revision ${revision} is not a non-negative integer`);
  }
  return BigInt(revision);
}

export function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return toClientRevision(expected);
  }
}

export function fromClientExpectedRevision(expected: AppendExpectedRevision): ExpectedRevision {
  return typeof expected === 'bigint' ? fromClientRevision(expected) : expected;
}

/** The client's "current revision" of a stream: `no_stream` when absent. */
export function fromCurrentRevision(current: CurrentRevision): number | null {
  return current === NO_STREAM ? null : fromClientRevision(current);
}

/** What the adapter sends to the server: the exact state it read, so a concurrent writer is detected. */
export function expectedStateOf(current: number | null): AppendExpectedRevision {
  return current === null ? NO_STREAM : toClientRevision(current);
}

/** Whether a stream at `current` (null: absent) satisfies the caller's expectation. */
export function satisfiesExpected(expected: ExpectedRevision, current: number | null): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === null;
    case 'stream_exists':
      return current !== null;
    default:
      return current === expected;
  }
}

/** `any` and `stream_exists` survive a concurrent writer: the adapter re-reads and retries for the caller. */
export function retriesOnConflict(expected: ExpectedRevision): boolean {
  return expected === 'any' || expected === 'stream_exists';
}
