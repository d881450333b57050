export * from './cases/case-list.js';
export * from './errors.js';
export { parseDomainEvent, parseStoredDomainEvent } from './parse-domain-event.js';
export type * from './projection.js';
export {
  type ProjectionLag,
  ProjectionRunner,
  type ProjectionRunnerOptions,
  type ProjectionStatus,
} from './projection-runner.js';
export {
  AFTER_SALES_FLAG_MODEL,
  type AfterSalesFlagConfig,
  afterSalesFlagLevel,
  afterSalesFlagProjection,
  DEFAULT_AFTER_SALES_FLAG_CONFIG,
} from './reactors/after-sales-flag-model.js';
export * from './reactors/after-sales-flag-reactor.js';
export * from './reports/after-sales-ratio.js';
export * from './reports/aging-inventory.js';
export * from './reports/bad-debt.js';
export * from './reports/csv.js';
export * from './reports/cycle-lag.js';
export type { CurrencyTotal } from './reports/grouping.js';
export * from './reports/overdue-repairs.js';
export * from './reports/paid-refunds.js';
export * from './reports/refund-exposure.js';
export { type CustodyState, reportModelProjection } from './reports/report-model.js';
export type { Period } from './reports/time.js';
export * from './reports/vendor-scorecard.js';
export { dumpTables, type TableDump } from './table-dump.js';
export type { ProjectionWorkers, ReadModelWorkerContext, ReadModelWorkerSetup } from './worker-builds.js';
