import { createHash } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import { INTERNAL_STREAM_PREFIX } from './visibility.js';

/** UUID v5 namespace of the ledger's deterministic event ids (a fixed random UUID; never change it). */
export const EVENT_ID_NAMESPACE = '5770abd0-b6f0-41fa-bb0d-f2af54468163';

/**
 * The id of the `index`-th event of an append made with `idempotencyKey`. A retry of the same append
 * sends the same ids, which is what EventStoreDB's own de-duplication keys on. The index follows the
 * last `#`, so distinct (key, index) pairs never share a name.
 */
export function deterministicEventId(idempotencyKey: string, index: number): string {
  return uuidV5(`${idempotencyKey}#${index}`, EVENT_ID_NAMESPACE);
}

/** The internal stream that records the appends made with one idempotency key. */
export function idempotencyStreamName(idempotencyKey: string): string {
  return `${INTERNAL_STREAM_PREFIX}${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex')}`;
}
