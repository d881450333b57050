/**
 * A decider is an aggregate as three pure functions: the state before any event, how an event
 * changes the state, and which events a command produces from a state (or which coded error
 * refuses it). Time, ids and any context read from other streams arrive inside the command.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Decision<Event>;
}

export type Decision<Event> =
  | { readonly ok: true; readonly events: readonly Event[] }
  | { readonly ok: false; readonly error: DomainError };

/** A refusal: a stable `LDG_…` code, a sentence for people, and the facts behind it. */
export interface DomainError {
  readonly code: string;
  readonly message: string;
  /** The command field the refusal is about, when there is one (e.g. `amount`, `occurredAt`). */
  readonly field?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export function accept<Event>(...events: Event[]): Decision<Event> {
  return { ok: true, events };
}

export function refuse<Event = never>(error: DomainError): Decision<Event> {
  return { ok: false, error };
}

/** Folds events into a state: what a store-backed handler does after reading a stream. */
export function replay<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: Iterable<Event>,
  from: State = decider.initialState,
): State {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** For the `default` branch of exhaustive switches: fails to compile when a case is missing. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled variant: ${JSON.stringify(value)}`);
}
