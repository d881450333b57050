import type { EventToAppend } from '@rma-ledger/event-store';

/** An event of an intent as the caller gave it; its id is in the intent's `eventIds`. */
export type IntendedEvent = Omit<EventToAppend, 'eventId'>;

/**
 * What the adapter records, in the key's internal stream, before it appends with an idempotency key:
 * the fingerprint, the target stream, the revision the stream was at (null: absent), the ids of the
 * events it is about to write at the next revisions and the events themselves, so that any later
 * append with the key can finish the write.
 */
export interface IdempotencyIntent {
  readonly idempotencyKey: string;
  readonly fingerprint: string;
  readonly streamName: string;
  readonly streamRevision: number | null;
  readonly eventIds: readonly string[];
  readonly events: readonly IntendedEvent[];
}

export const INTENT_EVENT_TYPE = 'ldg.idempotency-intent';

export function decodeIntent(data: unknown): IdempotencyIntent {
  if (typeof data !== 'object' || data === null) throw new TypeError('idempotency intent is not an object');
  const value = data as Record<string, unknown>;
  const { idempotencyKey, fingerprint, streamName, streamRevision, eventIds, events } = value;
  if (
    typeof idempotencyKey !== 'string' ||
    typeof fingerprint !== 'string' ||
    typeof streamName !== 'string' ||
    !(streamRevision === null || Number.isSafeInteger(streamRevision)) ||
    !Array.isArray(eventIds) ||
    eventIds.length === 0 ||
    !eventIds.every((id) => typeof id === 'string') ||
    !Array.isArray(events) ||
    events.length !== eventIds.length ||
    !events.every(isIntendedEvent)
  ) {
    throw new TypeError('idempotency intent is malformed');
  }
  return {
    idempotencyKey,
    fingerprint,
    streamName,
    streamRevision: streamRevision as number | null,
    eventIds,
    events,
  };
}

function isIntendedEvent(value: unknown): value is IntendedEvent {
  if (typeof value !== 'object' || value === null) return false;
  const { type, data, metadata } = value as Record<string, unknown>;
  if (typeof type !== 'string' || data === undefined) return false;
  if (typeof metadata !== 'object' || metadata === null) return false;
  const { actor, correlationId, causationId, schemaVersion } = metadata as Record<string, unknown>;
  return (
    typeof actor === 'string' &&
    typeof correlationId === 'string' &&
    (causationId === null || typeof causationId === 'string') &&
    typeof schemaVersion === 'number'
  );
}
