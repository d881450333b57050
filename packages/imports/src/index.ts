export { importCases } from './case-import.js';
export * from './errors.js';
export type { ImportOptions, SkippedRow } from './import-options.js';
export type { RegisterUnknownSkus } from './ledger-target.js';
export {
  type CaseFields,
  type Condition,
  type FieldSpec,
  type ImportMapping,
  type MappingInput,
  mappingSchema,
  parseMapping,
} from './mapping.js';
export type { ImportSource } from './readers/table.js';
export { importSales } from './sales-import.js';
export type { ImportProgress, ImportSummary, RowError } from './summary.js';
