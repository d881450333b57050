import { ReportError } from '../errors.js';

/**
 * Header names compare after NFKC (full-width `（元）` becomes `(元)`), whitespace runs collapsed
 * (PayPal's older `Transaction  Debit or Credit`), trimmed, case-insensitively.
 */
export function normaliseHeader(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** A header row turned into a lookup of column positions by normalised name. */
export class Columns {
  private readonly positions = new Map<string, number>();

  constructor(
    header: readonly string[],
    private readonly headerLine: number,
  ) {
    header.forEach((name, position) => {
      const key = normaliseHeader(name);
      if (key !== '' && !this.positions.has(key)) this.positions.set(key, position);
    });
  }

  has(name: string): boolean {
    return this.positions.has(normaliseHeader(name));
  }

  /** Throws LDG_REPORT_MISSING_COLUMN unless every name is present. */
  require(...names: string[]): void {
    for (const name of names) {
      if (!this.has(name)) {
        throw new ReportError('LDG_REPORT_MISSING_COLUMN', `The header has no '${name}' column`, {
          line: this.headerLine,
          column: name,
        });
      }
    }
  }

  /** The trimmed cell under `name`, or '' when the column is absent or the row is short. */
  get(fields: readonly string[], name: string): string {
    const position = this.positions.get(normaliseHeader(name));
    return position === undefined ? '' : (fields[position] ?? '').trim();
  }

  /** The trimmed cell under `name`; LDG_REPORT_INVALID_VALUE when it is empty. */
  required(fields: readonly string[], name: string, line: number): string {
    const value = this.get(fields, name);
    if (value === '') {
      throw new ReportError('LDG_REPORT_INVALID_VALUE', 'A refund row lacks a required value', {
        line,
        column: name,
      });
    }
    return value;
  }

  /** The cell under `name`, or null when it is absent or empty. */
  optional(fields: readonly string[], name: string): string | null {
    const value = this.get(fields, name);
    return value === '' ? null : value;
  }
}
