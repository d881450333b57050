import type { JsonValue, RecordedEvent } from '@rma-ledger/event-store';

/** Columns every event read selects, in the order `toRecordedEvent` expects (statements run in raw mode). */
export const EVENT_COLUMNS =
  'stream_name, event_id, type, revision, position, data, actor, correlation_id, causation_id, ' +
  'schema_version, recorded_at, idempotency_key, prev_hash, hash';

export type EventRow = [
  streamName: string,
  eventId: string,
  type: string,
  revision: number,
  position: number,
  data: string,
  actor: string,
  correlationId: string,
  causationId: string | null,
  schemaVersion: number,
  recordedAt: string,
  idempotencyKey: string | null,
  prevHash: string | null,
  hash: string,
];

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamName: row[0],
    eventId: row[1],
    type: row[2],
    revision: row[3],
    position: row[4],
    data: JSON.parse(row[5]) as JsonValue,
    metadata: {
      actor: row[6],
      correlationId: row[7],
      causationId: row[8],
      schemaVersion: row[9],
      recordedAt: row[10],
      idempotencyKey: row[11],
      prevHash: row[12],
      hash: row[13],
    },
  };
}
