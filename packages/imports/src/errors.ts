/**
 * Codes of the import's own refusals. File-level ones stop the import before any row is written;
 * row-level ones are reported in the summary next to the domain's `LDG_…` codes. Stable public API:
 * add new ones, never rename or reuse.
 */
export const IMPORT_ERROR_CODES = {
  LDG_IMPORT_MAPPING_INVALID:
    'The mapping file does not follow the mapping schema; `issues` lists every problem.',
  LDG_IMPORT_FILE_UNREADABLE:
    'The file is not CSV or XLSX as the mapping says, or not in the declared encoding.',
  LDG_IMPORT_SHEET_MISSING: 'The workbook has no sheet of the name the mapping gives.',
  LDG_IMPORT_COLUMN_MISSING: 'A column the mapping names is not in the header row.',
  LDG_IMPORT_VENDOR_NOT_FOUND: 'registerUnknownSkus names a vendor the catalogue does not have.',
  LDG_IMPORT_VALUE_MISSING: 'A required cell is empty.',
  LDG_IMPORT_VALUE_INVALID: 'A cell cannot be read as the number, amount, date or word its field needs.',
  LDG_IMPORT_VALUE_UNMAPPED: "A cell holds a word the mapping's value map does not translate.",
} as const;

export type ImportErrorCode = keyof typeof IMPORT_ERROR_CODES;

export interface MappingIssue {
  /** Where in the mapping JSON, e.g. `cases.fields.quantity`. */
  readonly path: string;
  readonly message: string;
}

/** A problem with the mapping or the file as a whole: nothing was imported. */
export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    readonly issues: readonly MappingIssue[] = [],
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** A cell that cannot feed its field; becomes a row error with the cell's column. */
export class CellError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    /** The mapping field, e.g. `quantity` or `refundPaidAt`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'CellError';
  }
}
