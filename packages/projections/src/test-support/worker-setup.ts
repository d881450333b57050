import type { DomainEvent } from '@rma-ledger/domain';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { caseListProjection } from '../cases/case-list.js';
import { parseDomainEvent } from '../parse-domain-event.js';
import { type AfterSalesFlagConfig, afterSalesFlagProjection } from '../reactors/after-sales-flag-model.js';
import { reportModelProjection } from '../reports/report-model.js';
import type { ReadModelWorkerSetup } from '../worker-builds.js';

export interface TestWorkerData {
  readonly path: string;
  readonly flags: AfterSalesFlagConfig;
}

/** Every read model of the ledger, over a SQLite log. */
export const ledgerProjections = (flags: AfterSalesFlagConfig) => [
  reportModelProjection,
  afterSalesFlagProjection(flags, () => {}),
  caseListProjection,
];

/** A worker thread's setup for tests: the SQLite log at `path` and `ledgerProjections`. */
const setup: ReadModelWorkerSetup<DomainEvent> = (data) => {
  const { path, flags } = data as TestWorkerData;
  return {
    store: openSqliteEventStore({ path }),
    projections: ledgerProjections(flags),
    parse: parseDomainEvent,
  };
};
export default setup;
