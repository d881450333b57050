/**
 * What the adapter records, in the key's internal stream, before it appends with an idempotency key:
 * the fingerprint, the target stream, the revision the stream was at (null: absent) and the ids of
 * the events it is about to write at the next revisions.
 */
export interface IdempotencyIntent {
  readonly idempotencyKey: string;
  readonly fingerprint: string;
  readonly streamName: string;
  readonly streamRevision: number | null;
  readonly eventIds: readonly string[];
}

export const INTENT_EVENT_TYPE = 'ldg.idempotency-intent';

export function decodeIntent(data: unknown): IdempotencyIntent {
  if (typeof data !== 'object' || data === null) throw new TypeError('idempotency intent is not an object');
  const value = data as Record<string, unknown>;
  const { idempotencyKey, fingerprint, streamName, streamRevision, eventIds } = value;
  if (
    typeof idempotencyKey !== 'string' ||
    typeof fingerprint !== 'string' ||
    typeof streamName !== 'string' ||
    !(streamRevision === null || Number.isSafeInteger(streamRevision)) ||
    !Array.isArray(eventIds) ||
    eventIds.length === 0 ||
    !eventIds.every((id) => typeof id === 'string')
  ) {
    throw new TypeError('idempotency intent is malformed');
  }
  return {
    idempotencyKey,
    fingerprint,
    streamName,
    streamRevision: streamRevision as number | null,
    eventIds,
  };
}
