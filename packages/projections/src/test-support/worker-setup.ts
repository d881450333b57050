import type { DomainEvent } from '@rma-ledger/domain';
import type { EventStore, SubscribeToAllOptions } from '@rma-ledger/event-store';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { caseListProjection } from '../cases/case-list.js';
import { parseDomainEvent } from '../parse-domain-event.js';
import { type AfterSalesFlagConfig, afterSalesFlagProjection } from '../reactors/after-sales-flag-model.js';
import { reportModelProjection } from '../reports/report-model.js';
import type { ReadModelWorkerSetup } from '../worker-builds.js';

export interface TestWorkerData {
  readonly path: string;
  readonly flags: AfterSalesFlagConfig;
  /** The thread's subscription never reports it has caught up: its build runs until stopped. */
  readonly neverCaughtUp?: boolean;
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
  const { path, flags, neverCaughtUp: stall } = data as TestWorkerData;
  const store = openSqliteEventStore({ path });
  return {
    store: stall ? neverCaughtUp(store) : store,
    projections: ledgerProjections(flags),
    parse: parseDomainEvent,
  };
};
export default setup;
