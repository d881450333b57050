import type { EventToAppend, RecordedEvent } from '@rma-ledger/event-store';
import type { Projection } from '../projection.js';

/** A projection small enough to check by hand: per stream, how many `Added` events and their sum. */
export interface Added {
  readonly type: 'Added';
  readonly amount: number;
}

export function counterProjection(version = 1, factor = 1): Projection<Added> {
  return {
    name: 'counter',
    version,
    schema: 'CREATE TABLE counts (stream TEXT PRIMARY KEY, events INTEGER NOT NULL, total INTEGER NOT NULL);',
    eventTypes: ['Added'],
    bind(db) {
      const upsert = db.prepare(
        `INSERT INTO counts (stream, events, total) VALUES (?, 1, ?)
         ON CONFLICT (stream) DO UPDATE SET events = events + 1, total = total + excluded.total`,
      );
      return (event, recorded) => {
        upsert.run(recorded.streamName, event.amount * factor);
      };
    },
  };
}

/** Parses `Added`; an amount below zero is the poison the tests use to make a projection fail. */
export function parseAdded(recorded: RecordedEvent): Added {
  const amount = (recorded.data as { amount: number }).amount;
  if (amount < 0) throw new Error(`negative amount ${amount}`);
  return { type: 'Added', amount };
}

export function added(amount: number): EventToAppend {
  return {
    type: 'Added',
    data: { amount },
    metadata: { actor: 'test', correlationId: 'c', causationId: null, schemaVersion: 1 },
  };
}

export function noise(): EventToAppend {
  return {
    type: 'Ignored',
    data: {},
    metadata: { actor: 'test', correlationId: 'c', causationId: null, schemaVersion: 1 },
  };
}
