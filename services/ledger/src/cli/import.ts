import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ImportError, type ImportSummary, importCases, importSales } from '@rma-ledger/imports';
import type { Runtime } from '../runtime.js';
import { UsageError } from './usage-error.js';

export interface ImportCommand {
  readonly kind: 'cases' | 'sales';
  readonly file: string;
  readonly mapping: unknown;
  readonly dryRun: boolean;
  readonly json: boolean;
  /** Registers SKUs the catalogue does not know to this vendor and PM instead of refusing their rows. */
  readonly registerUnknownSkus?: { readonly vendorId: string; readonly pmId: string };
}

/** `import cases|sales <file> --mapping <file.json> [--register-unknown-skus <vendorId>:<pmId>] [--dry-run] [--json]` */
export function parseImportArgs(args: readonly string[], cwd: string): ImportCommand {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      mapping: { type: 'string' },
      'register-unknown-skus': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const [kind, file, ...extra] = positionals;
  if ((kind !== 'cases' && kind !== 'sales') || file === undefined || extra.length > 0) {
    throw new UsageError('import takes cases or sales, then one file');
  }
  if (values.mapping === undefined) throw new UsageError('import needs --mapping <file.json>');
  if (!existsSync(resolve(cwd, file))) throw new UsageError(`cannot read ${resolve(cwd, file)}`);
  const mappingPath = resolve(cwd, values.mapping);
  let mapping: unknown;
  try {
    mapping = JSON.parse(readFileSync(mappingPath, 'utf8'));
  } catch (error) {
    throw new UsageError(`--mapping: cannot read ${mappingPath} as JSON (${(error as Error).message})`);
  }
  const register = values['register-unknown-skus'];
  const [vendorId, pmId, ...rest] = register?.split(':') ?? [];
  if (register !== undefined && (!vendorId || !pmId || rest.length > 0)) {
    throw new UsageError('--register-unknown-skus takes <vendorId>:<pmId>');
  }
  return {
    kind,
    file: resolve(cwd, file),
    mapping,
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    ...(vendorId && pmId ? { registerUnknownSkus: { vendorId, pmId } } : {}),
  };
}

/** Streams the file through the importer (actor `system:cli`), reporting progress as it goes. */
export async function runImport(
  runtime: Runtime,
  command: ImportCommand,
  progress: (line: string) => void,
): Promise<ImportSummary> {
  const importer = command.kind === 'cases' ? importCases : importSales;
  const verb = command.dryRun ? 'checked' : 'imported';
  try {
    return await importer(runtime.ledger, readLazily(command.file), command.mapping, {
      actor: 'system:cli',
      dryRun: command.dryRun,
      ...(command.registerUnknownSkus ? { registerUnknownSkus: command.registerUnknownSkus } : {}),
      onProgress: ({ rowsRead, rowsWritten, errors }) =>
        progress(`${command.kind}: ${rowsRead} rows read, ${rowsWritten} ${verb}, ${errors} refused…`),
    });
  } catch (error) {
    if (error instanceof ImportError) {
      const issues = error.issues.map((issue) => `\n  ${issue.path}: ${issue.message}`).join('');
      throw new Error(`${error.code}: ${error.message}${issues}`);
    }
    throw error;
  }
}

/** Opens the file only when the importer starts reading it (a refused mapping never does). */
function readLazily(path: string): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      yield* createReadStream(path);
    },
  };
}

/** The summary as a person reads it, with the refused rows (the first 20) and where they are. */
export function importSummaryLines(summary: ImportSummary): string[] {
  const lines = [
    `${summary.dryRun ? 'dry run (nothing written): ' : ''}${summary.rows} ${summary.kind} rows: ${summary.imported} imported (${summary.written} written, ${summary.unchanged} already there), ${summary.failed} refused`,
    ...Object.entries(summary.skipped).map(([reason, count]) => `  skipped ${count}: ${reason}`),
  ];
  if (summary.registeredSkus > 0) lines.push(`  SKUs registered: ${summary.registeredSkus}`);
  for (const e of summary.errors.slice(0, 20)) {
    const where = `${e.sheet === null ? '' : `${e.sheet}!`}row ${e.row}${e.column === null ? '' : ` (${e.column})`}`;
    lines.push(`  ${where}: ${e.code} ${e.message}`);
  }
  if (summary.errors.length > 20) lines.push(`  … ${summary.failed - 20} more refused rows (see --json)`);
  return lines;
}
