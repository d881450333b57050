import { BACKWARDS, END, type EventStoreDBClient, type JSONType, jsonEvent } from '@eventstore/db-client';
import type { RecordedEvent } from '@rma-ledger/event-store';
import { encodeMetadata } from '../metadata.js';
import { toRecordedEvent } from '../recorded-event.js';

/**
 * Tampering, as far as EventStoreDB allows it. Its events are immutable: no client call changes a
 * stored byte, and deleting and rewriting a stream cannot reuse its revisions. What someone with
 * write access can do is append, bypassing the adapter, a forged copy of an event: altered data
 * under the original's metadata (its `prevHash` and `hash`). `verify` must then report the forgery:
 * its `prevHash` does not link to the stream's last hash, and its hash does not cover its data.
 * Returns the forged event as stored.
 */
export async function appendForgedCopy(
  client: EventStoreDBClient,
  original: RecordedEvent,
): Promise<RecordedEvent> {
  const data = { ...(original.data as Record<string, JSONType>), tampered: true } as JSONType;
  await client.appendToStream(
    original.streamName,
    jsonEvent({ type: original.type, data, metadata: encodeMetadata(original.metadata) }),
  );
  for await (const resolved of client.readStream(original.streamName, {
    direction: BACKWARDS,
    fromRevision: END,
    maxCount: 1,
  })) {
    if (resolved.event !== undefined) return toRecordedEvent(resolved.event);
  }
  throw new Error(`The forged copy appended to '${original.streamName}' cannot be read back`);
}
