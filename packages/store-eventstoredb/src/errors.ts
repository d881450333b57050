import { ErrorType, isCommandError } from '@eventstore/db-client';
import { EventStoreError, StoreUnavailableError } from '@rma-ledger/event-store';

/** An event in a ledger stream cannot be read as one: not JSON, or without the ledger's metadata. */
export class UnreadableEventError extends EventStoreError {
  readonly code = 'LDG_STORE_UNREADABLE_EVENT';
  constructor(
    readonly streamName: string,
    readonly revision: number,
    readonly eventId: string,
    reason: string,
  ) {
    super(`Event ${eventId} at revision ${revision} of stream '${streamName}' is unreadable: ${reason}`);
    this.name = 'UnreadableEventError';
  }
}

const CONNECTION_FAILURES: ReadonlySet<string> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
]);

/** The port's `StoreUnavailableError` for a client error that means the server cannot be reached or used now. */
export function asStoreError(error: unknown): unknown {
  if (error instanceof Error && isCommandError(error) && CONNECTION_FAILURES.has(error.type)) {
    return new StoreUnavailableError(`EventStoreDB is unavailable: ${error.message}`, { cause: error });
  }
  return error;
}
