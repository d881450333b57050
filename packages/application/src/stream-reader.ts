import type { Decider } from '@rma-ledger/domain';
import type { EventStore } from '@rma-ledger/event-store';
import type { EventCodec, LoadedEvent } from './event-codec.js';

export interface LoadedStream<Event, State> {
  readonly streamName: string;
  readonly state: State;
  /** Revision of the last event folded into `state`; null when there is none. */
  readonly revision: number | null;
  readonly events: readonly LoadedEvent<Event>[];
}

export interface LoadStreamOptions {
  /** Business instant: fold only the events whose `occurredAt` is at or before it. */
  readonly asOf?: Date;
}

/**
 * Reads a stream, decodes (upcasts) each event and folds it into the decider's state. With `asOf`,
 * stops at the first event that happened after that instant: `occurredAt` never goes backwards
 * within a stream (the domain refuses it), so every later event happened later too.
 */
export async function loadStream<Command, Event, State>(
  store: EventStore,
  decider: Decider<Command, Event, State>,
  codec: EventCodec<Event>,
  streamName: string,
  options: LoadStreamOptions = {},
): Promise<LoadedStream<Event, State>> {
  const asOf = options.asOf?.getTime();
  let state = decider.initialState;
  let revision: number | null = null;
  const events: LoadedEvent<Event>[] = [];
  for await (const recorded of store.readStream(streamName)) {
    const event = codec.decode(recorded);
    if (asOf !== undefined && Date.parse(codec.occurredAt(event)) > asOf) break;
    state = decider.evolve(state, event);
    revision = recorded.revision;
    events.push({ event, recorded });
  }
  return { streamName, state, revision, events };
}
