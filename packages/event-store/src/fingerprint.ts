import { hash } from 'node:crypto';
import { canonicalJson } from './hash-chain.js';
import type { EventToAppend } from './types.js';

/**
 * The default idempotency fingerprint every adapter uses: the stream name and each event's type,
 * data and schema version (not ids, actor or correlation, which a retry may legitimately change).
 */
export function defaultIdempotencyFingerprint(streamName: string, events: readonly EventToAppend[]): string {
  const covered = events.map((event) => ({
    type: event.type,
    data: event.data,
    schemaVersion: event.metadata.schemaVersion,
  }));
  return hash('sha256', canonicalJson({ streamName, events: covered }), 'hex');
}
