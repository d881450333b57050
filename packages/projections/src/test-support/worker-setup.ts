import { existsSync } from 'node:fs';
import type { DomainEvent } from '@rma-ledger/domain';
import type { EventStore, SubscribeToAllOptions } from '@rma-ledger/event-store';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { caseListProjection } from '../cases/case-list.js';
import { parseDomainEvent } from '../parse-domain-event.js';
import type { Projection } from '../projection.js';
import { type AfterSalesFlagConfig, afterSalesFlagProjection } from '../reactors/after-sales-flag-model.js';
import { reportModelProjection } from '../reports/report-model.js';
import type { ReadModelWorkerSetup } from '../worker-builds.js';

export interface TestWorkerData {
  readonly path: string;
  readonly flags: AfterSalesFlagConfig;
  /** When this file exists as the thread starts, its subscription never reports it has caught up: its build runs until stopped. */
  readonly stallIfExists?: string;
  /** This projection fails on the first `CaseClosed` in the thread. */
  readonly failing?: string;
}

/** The projection, failing on the first `CaseClosed` it is given. */
function failingOnCaseClosed(projection: Projection<DomainEvent>): Projection<DomainEvent> {
  const { bulkLoad: _, ...eventByEvent } = projection;
  return {
    ...eventByEvent,
    bind(db) {
      const apply = projection.bind(db);
      return (event, recorded) => {
        if (event.type === 'CaseClosed') throw new Error('this projection refuses CaseClosed');
        apply(event, recorded);
      };
    },
  };
}

/** Every read model of the ledger, over a SQLite log. */
export const ledgerProjections = (flags: AfterSalesFlagConfig) => [
  reportModelProjection,
  afterSalesFlagProjection(flags, () => {}),
  caseListProjection,
];

/** The store, whose subscriptions deliver every event but never call `onCaughtUp`. */
function neverCaughtUp(store: EventStore): EventStore {
  return Object.assign(Object.create(store) as EventStore, {
    subscribeToAll: (options: SubscribeToAllOptions) =>
      store.subscribeToAll({ ...options, onCaughtUp: () => {} }),
  });
}

/** A worker thread's setup for tests: the SQLite log at `path` and `ledgerProjections`. */
const setup: ReadModelWorkerSetup<DomainEvent> = (data) => {
  const { path, flags, stallIfExists, failing } = data as TestWorkerData;
  const store = openSqliteEventStore({ path });
  return {
    store: stallIfExists !== undefined && existsSync(stallIfExists) ? neverCaughtUp(store) : store,
    projections: ledgerProjections(flags).map((p) => (p.name === failing ? failingOnCaseClosed(p) : p)),
    parse: parseDomainEvent,
  };
};
export default setup;
