import type { RecordedEvent } from '@rma-ledger/event-store';
import { z } from 'zod';

export const recordedEventSchema = z
  .object({
    position: z.number().int().describe('Position in the global log'),
    streamName: z.string(),
    revision: z.number().int().describe('0-based position within the stream'),
    eventId: z.string(),
    type: z.string(),
    data: z.unknown().describe('The event as stored; personal data inside is sealed (encrypted)'),
    metadata: z.object({
      actor: z
        .string()
        .describe('`token:<id>/<role>` for API calls, `system:<component>` for the ledger itself'),
      correlationId: z.string().describe('The request id of the call that caused the event'),
      causationId: z.string().nullable(),
      schemaVersion: z.number().int(),
      recordedAt: z.string().describe('ISO-8601 UTC instant the store accepted the event'),
      idempotencyKey: z.string().nullable(),
      prevHash: z.string().nullable(),
      hash: z.string(),
    }),
  })
  .meta({ id: 'RecordedEvent' });

export function toEventView(event: RecordedEvent): z.infer<typeof recordedEventSchema> {
  return {
    position: event.position,
    streamName: event.streamName,
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: { ...event.metadata },
  };
}
