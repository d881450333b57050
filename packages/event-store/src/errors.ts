import type { ExpectedRevision } from './types.js';

/** Base of every error the port defines; `code` is stable and part of the public API. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

/** The stream was not where the append expected it. Nothing was written. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'LDG_STORE_WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** The stream's revision at the time of the append; null when the stream did not exist. */
    readonly actual: number | null,
  ) {
    super(
      `Append to stream '${streamName}' expected ${describeExpected(expected)} but the stream is ${
        actual === null ? 'absent' : `at revision ${actual}`
      }`,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An idempotency key was reused with events different from those it first wrote. Nothing was written. */
export class IdempotencyKeyReusedError extends EventStoreError {
  readonly code = 'LDG_STORE_IDEMPOTENCY_KEY_REUSED';
  constructor(
    readonly idempotencyKey: string,
    readonly streamName: string,
  ) {
    super(
      `Idempotency key '${idempotencyKey}' was already used for a different append (stream '${streamName}')`,
    );
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** The caller passed something the store cannot accept (empty stream name, no events, bad revision...). */
export class InvalidAppendError extends EventStoreError {
  readonly code = 'LDG_STORE_INVALID_APPEND';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}

/** A catch-up subscription stopped: its handler threw, or the store failed. */
export class SubscriptionError extends EventStoreError {
  readonly code = 'LDG_STORE_SUBSCRIPTION_FAILED';
  constructor(
    message: string,
    /** Position of the event whose handler failed; null when the store itself failed. */
    readonly position: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SubscriptionError';
  }
}

/** The store cannot be used: unreachable server, a database written by a newer schema, a closed store. */
export class StoreUnavailableError extends EventStoreError {
  readonly code = 'LDG_STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export function describeExpected(expected: ExpectedRevision): string {
  return typeof expected === 'number' ? `revision ${expected}` : expected;
}
