import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RecordReconciliationInput } from '@rma-ledger/application';
import { paidRefundsReport } from '@rma-ledger/projections';
import {
  csvColumnMappingSchema,
  PROVIDERS,
  type Provider,
  parseReport,
  type ReconciliationSummary,
  type ReportSource,
  writeResultCsv,
} from '@rma-ledger/reconciliation';
import { caughtUp, READ_MODEL } from '../reports.js';
import type { Runtime } from '../runtime.js';
import { UsageError } from './usage-error.js';

const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_DAYS = 3;

export interface ReconcileOptions {
  readonly file: string;
  readonly source: ReportSource;
  /** The period whose paid ledger refunds are matched; default the report's span widened by the window. */
  readonly period: { readonly from: string; readonly to: string } | null;
  readonly windowDays: number | undefined;
  readonly out: string | null;
  readonly json: boolean;
}

/** `reconcile <file> --provider <name> [--mapping <file>] [--from <t> --to <t>] [--window-days <n>] [--out <csv>] [--json]` */
export function parseReconcileArgs(
  args: readonly string[],
  cwd: string,
  instant: (name: string, value: string) => Date,
): ReconcileOptions {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      provider: { type: 'string' },
      mapping: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'window-days': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('reconcile takes exactly one report file');
  const provider = values.provider as Provider | undefined;
  if (provider === undefined || !PROVIDERS.includes(provider)) {
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  }
  let source: ReportSource;
  if (provider === 'csv') {
    if (values.mapping === undefined) throw new UsageError('--provider csv needs --mapping <file.json>');
    source = { provider, mapping: readMapping(resolve(cwd, values.mapping)) };
  } else {
    if (values.mapping !== undefined) throw new UsageError('--mapping applies to --provider csv only');
    source = { provider } as ReportSource;
  }
  if ((values.from === undefined) !== (values.to === undefined)) {
    throw new UsageError('--from and --to go together');
  }
  let period: ReconcileOptions['period'] = null;
  if (values.from !== undefined && values.to !== undefined) {
    const from = instant('--from', values.from);
    const to = instant('--to', values.to);
    if (from >= to) throw new UsageError('--from must be before --to');
    period = { from: from.toISOString(), to: to.toISOString() };
  }
  let windowDays: number | undefined;
  if (values['window-days'] !== undefined) {
    windowDays = Number(values['window-days']);
    if (!Number.isInteger(windowDays) || windowDays < 0 || windowDays > 60) {
      throw new UsageError('--window-days must be an integer from 0 to 60');
    }
  }
  return {
    file: resolve(cwd, positionals[0]!),
    source,
    period,
    windowDays,
    out: values.out === undefined ? null : resolve(cwd, values.out),
    json: values.json ?? false,
  };
}

function readMapping(path: string) {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--mapping: cannot read ${path} as JSON (${(error as Error).message})`);
  }
  const parsed = csvColumnMappingSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(mapping)'}: ${i.message}`);
    throw new UsageError(`--mapping: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export interface ReconcileOutcome {
  readonly runId: string;
  readonly rerunOf: string | null;
  readonly deduplicated: boolean;
  readonly period: { readonly from: string; readonly to: string };
  readonly summary: ReconciliationSummary;
}

/** Records a reconciliation run of the file (actor `system:cli`) and writes its rows when asked. */
export async function runReconcile(runtime: Runtime, options: ReconcileOptions): Promise<ReconcileOutcome> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(options.file);
  } catch (error) {
    throw new UsageError(`cannot read ${options.file} (${(error as Error).message})`);
  }
  const windowDays = options.windowDays ?? DEFAULT_WINDOW_DAYS;
  const period = options.period ?? reportSpan(bytes, options.source, windowDays);
  await caughtUp(runtime.projections, runtime.store);
  const ledgerRefunds = runtime.projections.read(READ_MODEL, (db) => paidRefundsReport(db, period));
  const { provider, ...parseOptions } = options.source;
  const input = {
    provider,
    parseOptions,
    bytes,
    fileName: options.file.split(/[\\/]/).pop()!,
    ledgerRefunds,
    ...(options.windowDays === undefined ? {} : { windowDays: options.windowDays }),
  } as RecordReconciliationInput;
  const recorded = await runtime.ledger.reconciliations.record(input, {
    actor: 'system:cli',
    correlationId: randomUUID(),
  });
  if (options.out !== null) {
    const run = await runtime.ledger.reconciliations.get(recorded.runId);
    writeFileSync(options.out, writeResultCsv(run.rows));
  }
  return { ...recorded, period };
}

/**
 * The period a report covers, widened by the matching window on both sides: the ledger refunds
 * paid in it are the ones the report's rows can match.
 */
function reportSpan(bytes: Uint8Array, source: ReportSource, windowDays: number) {
  const times = parseReport(bytes, source).rows.map((row) => Date.parse(row.occurredAt));
  if (times.length === 0) throw new UsageError('the report has no refund rows; give --from and --to');
  const widen = windowDays * DAY_MS;
  return {
    from: new Date(Math.min(...times) - widen).toISOString(),
    to: new Date(Math.max(...times) + widen + 1).toISOString(),
  };
}

/** The summary as a person reads it: the run, then counts and amounts per category and currency. */
export function summaryLines(outcome: ReconcileOutcome, out: string | null): string[] {
  const { summary } = outcome;
  const lines = [
    `run ${outcome.runId}${outcome.deduplicated ? ' (same result as an earlier run; nothing written)' : ''}${
      outcome.rerunOf ? ` — a re-run of ${outcome.rerunOf}` : ''
    }`,
    `ledger refunds paid ${outcome.period.from} … ${outcome.period.to}: ${summary.ledgerRefunds}; provider rows: ${summary.providerRows}; result rows: ${summary.rows}`,
    ...Object.entries(summary.byCategory)
      .filter(([, count]) => count > 0)
      .map(([category, count]) => `  ${category.padEnd(18)} ${count}`),
  ];
  for (const c of summary.currencies) {
    lines.push(
      `  ${c.currency}: ledger ${c.ledgerAmount} in ${c.ledgerRefunds} refunds; provider refunded ${c.providerRefunded} (${c.providerPending} pending) in ${c.providerRows} rows`,
    );
  }
  if (out !== null) lines.push(`rows written to ${out}`);
  return lines;
}
