import type { RecordedMetadata } from '@rma-ledger/event-store';

/**
 * The JSON stored as an EventStoreDB event's metadata: the caller's metadata, the write time, the
 * idempotency key and the hash-chain links. It is the whole of `RecordedMetadata`, key for key.
 */
export type StoredMetadata = { [K in keyof RecordedMetadata]: RecordedMetadata[K] };

export function encodeMetadata(metadata: RecordedMetadata): StoredMetadata {
  return {
    actor: metadata.actor,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    schemaVersion: metadata.schemaVersion,
    recordedAt: metadata.recordedAt,
    idempotencyKey: metadata.idempotencyKey,
    prevHash: metadata.prevHash,
    hash: metadata.hash,
  };
}

/** Reads stored metadata back; throws a `TypeError` naming the first field that is missing or mistyped. */
export function decodeMetadata(stored: unknown): RecordedMetadata {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    throw new TypeError('metadata is not a JSON object');
  }
  const value = stored as Record<string, unknown>;
  return {
    actor: field(value, 'actor', isString),
    correlationId: field(value, 'correlationId', isString),
    causationId: field(value, 'causationId', isNullableString),
    schemaVersion: field(value, 'schemaVersion', isInteger),
    recordedAt: field(value, 'recordedAt', isString),
    idempotencyKey: field(value, 'idempotencyKey', isNullableString),
    prevHash: field(value, 'prevHash', isNullableString),
    hash: field(value, 'hash', isString),
  };
}

function field<T>(
  value: Record<string, unknown>,
  name: string,
  accepts: (member: unknown) => member is T,
): T {
  const member = value[name];
  if (!accepts(member)) throw new TypeError(`metadata.${name} is missing or has the wrong type`);
  return member;
}

const isString = (member: unknown): member is string => typeof member === 'string';
const isNullableString = (member: unknown): member is string | null => member === null || isString(member);
const isInteger = (member: unknown): member is number => Number.isSafeInteger(member);
