import { createHash } from 'node:crypto';
import { canonicalJson, type EventToAppend } from '@rma-ledger/event-store';

/**
 * The port's default idempotency fingerprint: the stream name and each event's type, data and schema
 * version (not ids, actor or correlation, which a retry may legitimately change).
 */
export function defaultFingerprint(streamName: string, events: readonly EventToAppend[]): string {
  const covered = events.map((event) => ({
    type: event.type,
    data: event.data,
    schemaVersion: event.metadata.schemaVersion,
  }));
  return createHash('sha256')
    .update(canonicalJson({ streamName, events: covered }), 'utf8')
    .digest('hex');
}
