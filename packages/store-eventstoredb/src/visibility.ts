/** Prefix of the adapter's own bookkeeping streams (one per idempotency key). */
export const INTERNAL_STREAM_PREFIX = 'ldg-idempotency-';

/** EventStoreDB's system streams (`$settings`, `$$metadata`, `$stats-…`) and system event types start with `$`. */
export function isSystemEvent(streamName: string, type: string): boolean {
  return streamName.startsWith('$') || type.startsWith('$');
}

export function isInternalStream(streamName: string): boolean {
  return streamName.startsWith(INTERNAL_STREAM_PREFIX);
}

/** Whether an event of `$all` belongs to the port's log (not the server's, not the adapter's own). */
export function isLedgerEvent(streamName: string, type: string): boolean {
  return !isSystemEvent(streamName, type) && !isInternalStream(streamName);
}

/** Names a caller may not append to: system streams and the adapter's own. */
export function isReservedStreamName(streamName: string): boolean {
  return streamName.startsWith('$') || isInternalStream(streamName);
}
