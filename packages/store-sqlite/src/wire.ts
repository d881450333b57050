import {
  type AppendResult,
  type ExpectedRevision,
  IdempotencyKeyReusedError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '@rma-ledger/event-store';
import Database from 'better-sqlite3';
import type { AppendOutcome, AppendRequest } from './append.js';

/**
 * What crosses between the store and its writer thread. Errors do not survive structured cloning
 * as their classes, so each one the writer can raise travels as data and is rebuilt on arrival.
 */
export type WireError =
  | {
      readonly kind: 'wrong-expected-revision';
      readonly streamName: string;
      readonly expected: ExpectedRevision;
      readonly actual: number | null;
    }
  | { readonly kind: 'idempotency-key-reused'; readonly idempotencyKey: string; readonly streamName: string }
  | { readonly kind: 'invalid-append'; readonly message: string }
  | { readonly kind: 'sqlite'; readonly message: string; readonly code: string }
  | { readonly kind: 'other'; readonly message: string };

export type WireOutcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: WireError };

/** To the writer: a group of appends, or the request to close once everything before it is done. */
export type ToWriter =
  | { readonly type: 'write'; readonly id: number; readonly requests: readonly AppendRequest[] }
  | { readonly type: 'close' };

/** From the writer: each append's outcome, or the failure of the commit that held them all. */
export type FromWriter =
  | { readonly id: number; readonly outcomes: readonly WireOutcome[] }
  | { readonly id: number; readonly failure: WireError };

export function toWire(error: unknown): WireError {
  if (error instanceof WrongExpectedRevisionError) {
    const { streamName, expected, actual } = error;
    return { kind: 'wrong-expected-revision', streamName, expected, actual };
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return {
      kind: 'idempotency-key-reused',
      idempotencyKey: error.idempotencyKey,
      streamName: error.streamName,
    };
  }
  if (error instanceof InvalidAppendError) return { kind: 'invalid-append', message: error.message };
  if (error instanceof Database.SqliteError)
    return { kind: 'sqlite', message: error.message, code: error.code };
  return { kind: 'other', message: String(error) };
}

export function fromWire(error: WireError): Error {
  switch (error.kind) {
    case 'wrong-expected-revision':
      return new WrongExpectedRevisionError(error.streamName, error.expected, error.actual);
    case 'idempotency-key-reused':
      return new IdempotencyKeyReusedError(error.idempotencyKey, error.streamName);
    case 'invalid-append':
      return new InvalidAppendError(error.message);
    case 'sqlite':
      return new Database.SqliteError(error.message, error.code);
    case 'other':
      return new Error(error.message);
    default: {
      const unknown: never = error;
      throw new Error(`Unknown writer error ${JSON.stringify(unknown)}`);
    }
  }
}

export function outcomeToWire(outcome: AppendOutcome): WireOutcome {
  return outcome.ok ? outcome : { ok: false, error: toWire(outcome.error) };
}

export function outcomeFromWire(outcome: WireOutcome): AppendOutcome {
  return outcome.ok ? outcome : { ok: false, error: fromWire(outcome.error) };
}
