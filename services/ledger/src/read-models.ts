/**
 * The service's read models, and how a worker thread opens them: this module is the setup
 * (`ReadModelWorkerSetup`) the projection runner's threads load to build a read model.
 */
import type { DomainEvent } from '@rma-ledger/domain';
import {
  caseListProjection,
  parseDomainEvent,
  type ReadModelWorkerSetup,
  reportModelProjection,
} from '@rma-ledger/projections';
import type { Config } from './config.js';
import { openEventStore } from './stores.js';

/** The read models behind the reports and the case list. */
export const READ_MODEL_PROJECTIONS = [reportModelProjection, caseListProjection];

/** This module, as the runner's `workers.setup` (its own URL, from the sources or the build). */
export const READ_MODEL_WORKER_SETUP = import.meta.url;

/** What a thread needs of the configuration to open the store. */
export type StoreSettings = Pick<Config, 'store' | 'data' | 'eventStoreDbUrl'>;

const setup: ReadModelWorkerSetup<DomainEvent> = async (data) => ({
  store: await openEventStore(data as StoreSettings),
  projections: READ_MODEL_PROJECTIONS,
  parse: parseDomainEvent,
});
export default setup;
