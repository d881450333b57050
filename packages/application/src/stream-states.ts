import type { Decider } from '@rma-ledger/domain';
import type { EventStore } from '@rma-ledger/event-store';
import type { EventCodec } from './event-codec.js';

export interface StreamState<State> {
  readonly state: State;
  /** Revision of the last event folded into `state`; null when the stream does not exist. */
  readonly revision: number | null;
}

interface Entry {
  readonly decider: object;
  readonly state: unknown;
  readonly revision: number;
}

/** Streams whose folded state is kept; the least recently used go first. */
const DEFAULT_CAPACITY = 10_000;

/**
 * The current state of streams, folded once and kept: a later load asks the stream's revision and
 * reads only the events written since (by this process or any other), so a busy case or a SKU
 * that every command consults costs a primary-key lookup instead of a full replay. Sound because
 * events are immutable, revisions are contiguous and states are values `evolve` never mutates.
 */
export class StreamStates {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly store: EventStore,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  async load<Command, Event, State>(
    decider: Decider<Command, Event, State>,
    codec: EventCodec<Event>,
    streamName: string,
  ): Promise<StreamState<State>> {
    const kept = this.entries.get(streamName);
    const usable = kept !== undefined && kept.decider === decider;
    if (usable && (await this.store.streamRevision(streamName)) === kept.revision) {
      this.keep(streamName, kept);
      return { state: kept.state as State, revision: kept.revision };
    }
    let state = usable ? (kept.state as State) : decider.initialState;
    let revision = usable ? kept.revision : null;
    const newer = this.store.readStream(streamName, revision === null ? {} : { fromRevision: revision + 1 });
    for await (const recorded of newer) {
      state = decider.evolve(state, codec.decode(recorded));
      revision = recorded.revision;
    }
    if (revision !== null) this.keep(streamName, { decider, state, revision });
    return { state, revision };
  }

  /**
   * Keeps the state after an append of `events` to a stream that was at `from` (the append said so
   * with its expected revision), sparing the next load from reading them back.
   */
  appended<Command, Event, State>(
    decider: Decider<Command, Event, State>,
    streamName: string,
    from: StreamState<State>,
    events: readonly Event[],
    revision: number,
  ): void {
    let state = from.state;
    for (const event of events) state = decider.evolve(state, event);
    this.keep(streamName, { decider, state, revision });
  }

  private keep(streamName: string, entry: Entry): void {
    // Re-inserting moves the stream to the young end of the map's insertion order.
    this.entries.delete(streamName);
    this.entries.set(streamName, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
