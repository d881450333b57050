/**
 * Every code a report import can fail with. Codes are stable public API (the HTTP layer returns
 * them in problem+json); add new ones, never rename or reuse.
 */
export const RECONCILIATION_ERROR_CODES = {
  LDG_REPORT_ENCODING: 'The report is not valid text in the requested or detected encoding.',
  LDG_REPORT_MALFORMED: 'The report does not have the layout of the chosen provider (framing, quoting).',
  LDG_REPORT_MISSING_COLUMN: 'A column the chosen provider layout or mapping needs is absent.',
  LDG_REPORT_INVALID_VALUE: 'A refund row holds an amount, currency or date that cannot be read exactly.',
  LDG_REPORT_ARCHIVE: 'The zip archive is unreadable, encrypted, or lacks the expected entry.',
} as const;

export type ReconciliationErrorCode = keyof typeof RECONCILIATION_ERROR_CODES;

/** Where in the report the problem is: the 1-based physical line and the column's header name. */
export interface ReportLocation {
  readonly line?: number;
  readonly column?: string;
}

export class ReportError extends Error {
  constructor(
    readonly code: ReconciliationErrorCode,
    message: string,
    readonly location: ReportLocation = {},
  ) {
    const where = [
      location.line === undefined ? null : `line ${location.line}`,
      location.column === undefined ? null : `column '${location.column}'`,
    ].filter((part) => part !== null);
    super(where.length === 0 ? message : `${message} (${where.join(', ')})`);
    this.name = 'ReportError';
  }
}
