import type { RecordedEvent as ClientRecordedEvent } from '@eventstore/db-client';
import type { JsonValue, RecordedEvent } from '@rma-ledger/event-store';
import { UnreadableEventError } from './errors.js';
import { decodeMetadata } from './metadata.js';
import { fromClientPosition } from './positions.js';
import { fromClientRevision } from './revisions.js';

/**
 * A ledger event as the client returns it. `position` on stream reads needs EventStoreDB 22.6 or
 * later; without it the event cannot be placed in the global log.
 */
export function toRecordedEvent(event: ClientRecordedEvent): RecordedEvent {
  const revision = fromClientRevision(event.revision);
  const unreadable = (reason: string) => new UnreadableEventError(event.streamId, revision, event.id, reason);
  if (!event.isJson) throw unreadable('its content type is not JSON');
  if (event.position === undefined) {
    throw unreadable('the server did not report its log position (EventStoreDB 22.6 or later is required)');
  }
  let metadata: RecordedEvent['metadata'];
  try {
    metadata = decodeMetadata(event.metadata);
  } catch (error) {
    throw unreadable(error instanceof Error ? error.message : String(error));
  }
  return {
    streamName: event.streamId,
    eventId: event.id,
    type: event.type,
    revision,
    position: fromClientPosition(event.position),
    data: event.data as JsonValue,
    metadata,
  };
}
