import {
  type AppendExpectedRevision,
  type CurrentRevision,
  ErrorType,
  isCommandError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { WrongExpectedRevisionError } from '@rma-ledger/event-store';
import { fromClientExpectedRevision, fromCurrentRevision } from './revisions.js';

/** The fields of the client's `WrongExpectedVersionError` the mapping uses. */
export interface WrongExpectedVersionFields {
  readonly streamName: string;
  readonly expectedVersion: AppendExpectedRevision;
  readonly actualVersion: CurrentRevision;
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return (
    error instanceof WrongExpectedVersionError ||
    (error instanceof Error && isCommandError(error) && error.type === ErrorType.WRONG_EXPECTED_VERSION)
  );
}

/** The port's conflict, from the server's structured answer (never from its message text). */
export function toWrongExpectedRevisionError(error: WrongExpectedVersionFields): WrongExpectedRevisionError {
  return new WrongExpectedRevisionError(
    error.streamName,
    fromClientExpectedRevision(error.expectedVersion),
    fromCurrentRevision(error.actualVersion),
  );
}
