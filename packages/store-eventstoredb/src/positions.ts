import type { Position } from '@eventstore/db-client';

/**
 * Global positions. EventStoreDB gives each event in `$all` a `{ commit, prepare }` pair of log
 * offsets. The two differ only for events written in explicit (TCP-only, long deprecated)
 * transactions: an append through gRPC writes implicitly committed prepare records, and the server
 * reports such an event at `TFPos(logPosition, logPosition)` (AllReader in EventStoreDB 20+ builds
 * `CommitEventRecord(eventRecord, eventRecord.LogPosition)` for them; the maintainers say the same in
 * EventStore/EventStore#3989). So the port's `position` is the commit position, and a stored number
 * `n` resumes reads and subscriptions from `{ commit: n, prepare: n }`, the exact position of the
 * event it came from. Log offsets are bytes, far below 2^53.
 */
export function fromClientPosition(position: Position): number {
  const { commit } = position;
  if (commit < 0n || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`Log position ${commit} does not fit in a JavaScript number`);
  }
  return Number(commit);
}

export function toClientPosition(position: number): Position {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`Global position ${position} is not a non-negative integer`);
  }
  const at = BigInt(position);
  return { commit: at, prepare: at };
}
