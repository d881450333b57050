import { expect } from 'vitest';
import { type Decider, type Decision, type DomainError, replay } from '../decider.js';
import { currentSchemaVersion, parseEvent } from '../events.js';

interface AnyEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface Then<Event, State> {
  readonly decision: Decision<Event>;
  /** Asserts exactly these events, each surviving a JSON round trip through the catalogue; returns the new state. */
  thenEmits(expected: readonly Event[]): State;
  /** Asserts the event types only, for when the data is checked elsewhere; returns the events. */
  thenTypes(...types: string[]): readonly Event[];
  /** Asserts a refusal with this code (and field, when given) and no events; returns the error. */
  thenRefused(code: string, field?: string): DomainError;
}

/**
 * Given events (the stream so far), when a command, then events or a refusal: the shape of every
 * decider specification.
 */
export function specify<Command, Event extends AnyEvent, State>(decider: Decider<Command, Event, State>) {
  return {
    given(...history: Event[]) {
      const state = replay(decider, history);
      return {
        state,
        when(command: Command): Then<Event, State> {
          const decision = decider.decide(command, state);
          const events = (): readonly Event[] => {
            if (!decision.ok) throw new Error(`Refused: ${decision.error.code} ${decision.error.message}`);
            for (const event of decision.events) expectStorable(event);
            return decision.events;
          };
          return {
            decision,
            thenEmits(expected) {
              expect(events()).toEqual(expected);
              return replay(decider, events(), state);
            },
            thenTypes(...types) {
              expect(events().map((e) => e.type)).toEqual(types);
              return events();
            },
            thenRefused(code, field) {
              expect(decision).toMatchObject({ ok: false, error: { code } });
              expect(decision).not.toHaveProperty('events');
              if (!decision.ok) {
                if (field !== undefined) expect(decision.error.field).toBe(field);
                return decision.error;
              }
              throw new Error('unreachable');
            },
          };
        },
      };
    },
  };
}

/** What the store would give back: JSON data read through the catalogue at its current version. */
export function expectStorable(event: AnyEvent): void {
  const stored = JSON.parse(JSON.stringify(event.data));
  expect(parseEvent(event.type, currentSchemaVersion(event.type), stored)).toEqual(event);
}
