import { ApplicationError } from '@rma-ledger/application';
import { CellError } from './errors.js';
import type { FieldReader } from './rows.js';
import type { RowError } from './summary.js';

export interface RowLocation {
  readonly sheet: string | null;
  readonly row: number;
}

/** Which mapping field fed each command field of one ledger call (`occurredAt` → `refundPaidAt`). */
export type FieldOrigins = Readonly<Record<string, FieldReader | null | undefined>>;

/** Codes whose error carries no field but is about one. */
const FIELD_OF_CODE: Readonly<Record<string, string>> = {
  LDG_SKU_NOT_FOUND: 'sku',
};

/**
 * A refusal as a row error, the column found through the field the error names; null for errors
 * that are not about the row (a store failure), which stop the import instead.
 */
export function rowError(error: unknown, location: RowLocation, origins: FieldOrigins): RowError | null {
  if (error instanceof CellError) {
    const reader = Object.values(origins).find((origin) => origin?.field === error.field);
    return {
      ...location,
      column: reader?.column ?? null,
      field: error.field,
      code: error.code,
      message: error.message,
    };
  }
  if (error instanceof ApplicationError) {
    const commandField = error.field ?? FIELD_OF_CODE[error.code] ?? null;
    const reader = commandField === null ? null : (origins[commandField] ?? null);
    const message =
      error.code === 'LDG_IDEMPOTENCY_KEY_REUSED'
        ? 'This row was imported before with different content (a changed mapping or cell)'
        : error.message;
    return {
      ...location,
      column: reader?.column ?? null,
      field: reader?.field ?? commandField,
      code: error.code,
      message,
    };
  }
  return null;
}
