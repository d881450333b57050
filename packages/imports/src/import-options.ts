import { randomUUID } from 'node:crypto';
import type { CommandContext } from '@rma-ledger/application';
import type { RegisterUnknownSkus } from './ledger-target.js';
import type { ImportProgress } from './summary.js';

export interface ImportOptions {
  /** Recorded on every event written (a user, a token, `system:import`). */
  readonly actor: string;
  /** Validate every row (parsing and the domain's rules) and write nothing. */
  readonly dryRun?: boolean;
  /** Ties together every event of this run; default a new uuid. */
  readonly correlationId?: string;
  /** Register SKUs the catalogue does not know under this vendor and PM instead of refusing their rows. */
  readonly registerUnknownSkus?: RegisterUnknownSkus;
  /** Called every 1,000 rows read and once at the end. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /**
   * Called for every skipped row with the reason and the row's cells by header name: for reports
   * of what was left out (and for checking totals against the file).
   */
  readonly onSkip?: (reason: string, row: SkippedRow) => void;
  /** How many row errors the summary lists (all are counted); default 1,000. */
  readonly maxErrors?: number;
}

export interface SkippedRow {
  readonly sheet: string | null;
  readonly row: number;
  readonly values: Readonly<Record<string, string>>;
}

export function commandContext(options: ImportOptions): CommandContext {
  return { actor: options.actor, correlationId: options.correlationId ?? randomUUID() };
}
