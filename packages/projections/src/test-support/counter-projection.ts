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

/**
 * The counter with a bulk load and a query index; `calls` records how each event was applied
 * (`bulk <position>`, `finish`, `apply <position>`).
 */
export function bulkCounterProjection(calls: string[] = []): Projection<Added> {
  const counter = counterProjection();
  return {
    ...counter,
    indexes: 'CREATE INDEX IF NOT EXISTS counts_by_total ON counts (total);',
    bind(db) {
      const apply = counter.bind(db);
      return (event, recorded) => {
        calls.push(`apply ${recorded.position}`);
        apply(event, recorded);
      };
    },
    bulkLoad(db) {
      const totals = new Map<string, { events: number; total: number }>();
      return {
        apply(event, recorded) {
          calls.push(`bulk ${recorded.position}`);
          const counted = totals.get(recorded.streamName) ?? { events: 0, total: 0 };
          totals.set(recorded.streamName, {
            events: counted.events + 1,
            total: counted.total + event.amount,
          });
        },
        finish() {
          calls.push('finish');
          const insert = db.prepare('INSERT INTO counts (stream, events, total) VALUES (?, ?, ?)');
          for (const [stream, { events, total }] of totals) insert.run(stream, events, total);
        },
      };
    },
  };
}
