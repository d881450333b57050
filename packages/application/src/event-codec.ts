import type { JsonValue, RecordedEvent } from '@rma-ledger/event-store';

/** An event in the shape the store keeps: its type, JSON data and the version of the data's schema. */
export interface EncodedEvent {
  readonly type: string;
  readonly data: JsonValue;
  readonly schemaVersion: number;
}

/**
 * Translates between a domain's event union and stored events. `decode` parses the stored data with
 * the schema of its recorded version and upcasts it to the current shape, so deciders only ever see
 * current events.
 */
export interface EventCodec<Event> {
  decode(recorded: RecordedEvent): Event;
  encode(event: Event): EncodedEvent;
  /** The event's business time, ISO-8601 UTC. */
  occurredAt(event: Event): string;
}

/** A domain event next to the stored event it was decoded from (metadata, revision, hash). */
export interface LoadedEvent<Event> {
  readonly event: Event;
  readonly recorded: RecordedEvent;
}
