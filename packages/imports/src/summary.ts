import { textOf } from './rows.js';

/** A row the import refused: where it is, which column, and why (a domain or import code). */
export interface RowError {
  /** The sheet (XLSX) or null (CSV). */
  readonly sheet: string | null;
  /** CSV: the physical line (the header is line 1); XLSX: the sheet's row number. */
  readonly row: number;
  /** The column the error is about, when it names a field that comes from a column. */
  readonly column: string | null;
  /** The mapping field (`quantity`, `refundPaidAt`…), when the error names one. */
  readonly field: string | null;
  /** `LDG_…`: the domain's code, or the import's for unreadable cells. */
  readonly code: string;
  readonly message: string;
}

export interface ImportProgress {
  readonly rowsRead: number;
  /** Rows accepted by the ledger so far (written now or imported before; in a dry run, valid). */
  readonly rowsWritten: number;
  readonly errors: number;
}

export interface ImportSummary {
  readonly kind: 'cases' | 'sales';
  readonly dryRun: boolean;
  /** Data rows read (the header and blank lines are not rows). */
  readonly rows: number;
  /** Rows the ledger accepted: `written + unchanged` (in a dry run, the rows that would be). */
  readonly imported: number;
  /** Rows whose events were appended by this run. */
  readonly written: number;
  /** Rows already imported by an earlier run of the same file (their idempotency keys matched). */
  readonly unchanged: number;
  /** Rows left out on purpose, counted by the mapping's reason. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Rows refused: `errors` lists them (up to `maxErrors`). */
  readonly failed: number;
  readonly errors: readonly RowError[];
  /** SKUs registered (in a dry run: that would be) by `registerUnknownSkus`. */
  readonly registeredSkus: number;
  /** Ledger commands that appended events (cases: each step; sales: one per SKU and month). */
  readonly commandsWritten: number;
}

/** Counts rows as an import goes and reports progress every `every` rows read. */
export class SummaryBuilder {
  rows = 0;
  written = 0;
  unchanged = 0;
  failed = 0;
  registeredSkus = 0;
  commandsWritten = 0;
  private readonly skipped = new Map<string, number>();
  private readonly errors: RowError[] = [];

  constructor(
    private readonly kind: 'cases' | 'sales',
    private readonly dryRun: boolean,
    private readonly maxErrors: number,
    private readonly onProgress: ((progress: ImportProgress) => void) | undefined,
    private readonly every = 1000,
  ) {}

  read(): void {
    this.rows += 1;
    if (this.rows % this.every === 0) this.progress();
  }

  skip(reason: string, rows = 1): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + rows);
  }

  fail(error: RowError): void {
    this.failed += 1;
    if (this.errors.length < this.maxErrors) this.errors.push(error);
  }

  progress(): void {
    this.onProgress?.({
      rowsRead: this.rows,
      rowsWritten: this.written + this.unchanged,
      errors: this.failed,
    });
  }

  build(): ImportSummary {
    this.progress();
    return {
      kind: this.kind,
      dryRun: this.dryRun,
      rows: this.rows,
      imported: this.written + this.unchanged,
      written: this.written,
      unchanged: this.unchanged,
      skipped: Object.fromEntries(this.skipped),
      failed: this.failed,
      errors: [...this.errors],
      registeredSkus: this.registeredSkus,
      commandsWritten: this.commandsWritten,
    };
  }
}

/** A row's content, for idempotency keys: cells joined with a separator no spreadsheet text holds. */
export function rowContent(cells: readonly (string | number | null)[]): string {
  return cells.map(textOf).join('\u001f');
}
