import { currentSchemaVersion, type Decider } from '@rma-ledger/domain';
import type { EventToAppend, JsonValue } from '@rma-ledger/event-store';

/** What the generator emits: one append with the exact revision the stream is at. */
export interface ScenarioAppend {
  readonly streamName: string;
  readonly events: readonly EventToAppend[];
  /** `no_stream` for a stream's first append, otherwise its current revision. */
  readonly expectedRevision: 'no_stream' | number;
}

export interface AppendMetadata {
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string | null;
}

export interface DomainEventLike {
  readonly type: string;
  readonly data: unknown;
}

interface Entry {
  state: unknown;
  revision: number;
}

/** A command the domain refused: the generator asked for something the product would refuse. */
export class ScenarioCommandRefusedError extends Error {
  readonly code = 'LDG_SCENARIO_COMMAND_REFUSED';
  constructor(
    readonly streamName: string,
    readonly refusalCode: string,
    message: string,
  ) {
    super(`${streamName}: ${refusalCode}: ${message}`);
    this.name = 'ScenarioCommandRefusedError';
  }
}

/**
 * Every live stream's state and revision, kept in memory: a command is decided against the state
 * exactly as the command handler would after reading the stream, without reading anything. Streams
 * the business is done with are forgotten to keep memory flat on long runs.
 */
export class StreamBook {
  private readonly streams = new Map<string, Entry>();

  constructor(private readonly newId: () => string) {}

  state<S>(decider: { readonly initialState: S }, streamName: string): S {
    return (this.streams.get(streamName)?.state as S | undefined) ?? decider.initialState;
  }

  /** Decides the command, folds its events into the state and returns the append (null for a no-op). */
  execute<C, E extends DomainEventLike, S>(
    decider: Decider<C, E, S>,
    streamName: string,
    command: C,
    metadata: AppendMetadata,
  ): { append: ScenarioAppend; events: readonly E[] } | null {
    const entry = this.streams.get(streamName);
    let state = (entry?.state as S | undefined) ?? decider.initialState;
    const decision = decider.decide(command, state);
    if (!decision.ok) {
      throw new ScenarioCommandRefusedError(streamName, decision.error.code, decision.error.message);
    }
    if (decision.events.length === 0) return null;
    for (const event of decision.events) state = decider.evolve(state, event);
    const expectedRevision = entry ? entry.revision : 'no_stream';
    const revision = (entry?.revision ?? -1) + decision.events.length;
    if (entry) {
      entry.state = state;
      entry.revision = revision;
    } else {
      this.streams.set(streamName, { state, revision });
    }
    const events = decision.events.map(
      (event): EventToAppend => ({
        eventId: this.newId(),
        type: event.type,
        data: event.data as JsonValue,
        metadata: { ...metadata, schemaVersion: currentSchemaVersion(event.type) },
      }),
    );
    return { append: { streamName, events, expectedRevision }, events: decision.events };
  }

  forget(streamName: string): void {
    this.streams.delete(streamName);
  }
}
