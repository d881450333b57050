import { parseArgs } from 'node:util';
import { DAY_MS } from '@rma-ledger/domain';
import {
  SCENARIO_PRESETS,
  type ScenarioPreset,
  type ScenarioProgress,
  writeScenario,
} from '@rma-ledger/scenario';
import { roles } from '../auth/roles.js';
import { CheckpointStore, CUSTODY_REACTOR } from '../checkpoints.js';
import type { Runtime } from '../runtime.js';

export interface DemoOutput {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

export interface DemoOptions {
  readonly preset: ScenarioPreset;
  readonly seed: number;
  /** When the store already holds events: do nothing and say so (exit 0) instead of failing. */
  readonly ifEmpty: boolean;
}

export function parseDemoArgs(args: readonly string[]): DemoOptions | string {
  const { values } = parseArgs({
    args: [...args],
    options: {
      preset: { type: 'string', default: 'demo' },
      seed: { type: 'string', default: '1' },
      'if-empty': { type: 'boolean' },
    },
  });
  if (!(values.preset in SCENARIO_PRESETS)) {
    return `--preset must be one of ${Object.keys(SCENARIO_PRESETS).join(', ')}`;
  }
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) return '--seed must be a non-negative integer';
  return { preset: values.preset as ScenarioPreset, seed, ifEmpty: values['if-empty'] === true };
}

const BAR = 30;

function bar(progress: ScenarioProgress): string {
  const filled = Math.round(progress.fraction * BAR);
  const percent = `${Math.floor(progress.fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${percent}  ${progress.events.toLocaleString('en')} events  (business day ${progress.businessDay})`;
}

/**
 * The demo business ends the day before today, so reports "as of now" show a business in
 * progress (units at vendors, open cases) rather than a year that closed long ago, and nothing
 * generated lies after the clock a newcomer's own commands run on.
 */
export function startDateEndingYesterday(months: number, now: Date): string {
  const end = new Date(now.getTime() - DAY_MS);
  // Day 28 at most, so that adding the months back never overflows into the next month.
  const day = Math.min(end.getUTCDate(), 28);
  return new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - months, day)).toISOString().slice(0, 10);
}

/**
 * Writes a generated business into an empty store, creates a token per role and prints where to
 * look. Returns false when the store was not empty.
 */
export async function runDemo(runtime: Runtime, options: DemoOptions, out: DemoOutput): Promise<boolean> {
  const head = await runtime.store.headPosition();
  if (head !== null) {
    const message = `the store already holds events (head position ${head}); demo writes only into an empty store`;
    if (!options.ifEmpty) {
      out.stderr(`ledger demo: ${message}`);
      return false;
    }
    out.stdout(`demo skipped: ${message}`);
    return true;
  }
  out.stderr(`generating the '${options.preset}' business (seed ${options.seed})…`);
  let lastPercent = -1;
  const summary = await writeScenario(
    runtime.store,
    {
      preset: options.preset,
      seed: options.seed,
      startDate: startDateEndingYesterday(SCENARIO_PRESETS[options.preset].months, new Date()),
    },
    {
      personalData: runtime.ledger.vault,
      progressEvery: 5_000,
      onProgress: (progress) => {
        const percent = Math.floor(progress.fraction * 100);
        if (percent === lastPercent) return;
        lastPercent = percent;
        out.stderr(bar(progress));
      },
    },
  );
  // The generator already wrote every unit event the process manager would; its reactor need not
  // re-decide them (it would only be refused, once per unit).
  const written = await runtime.store.headPosition();
  if (written !== null) new CheckpointStore(runtime.db).set(CUSTODY_REACTOR, written);
  out.stdout(
    `wrote ${summary.events.toLocaleString('en')} events: ${summary.cases} cases, ${summary.units} RMA units, ` +
      `${summary.customers} customers, ${summary.skus.length} SKUs, ${summary.vendors.length} vendors ` +
      `(${summary.period.from} to ${summary.period.to})`,
  );
  out.stdout('\ndemo tokens (shown once):');
  for (const role of roles) {
    out.stdout(`  ${role.padEnd(9)} ${runtime.tokens.create(role, `demo ${role}`).token}`);
  }
  const h = summary.highlights;
  const worthALook: [string, string | null][] = [
    ['a case whose vendor cycle outlasted its promise', h.laggingCaseId && `/cases/${h.laggingCaseId}`],
    [
      'a repair promised shorter than its vendor cycle',
      h.negativeHeadroomCaseId && `/cases/${h.negativeHeadroomCaseId}`,
    ],
    [
      'a refund paid before the item came back',
      h.refundBeforeReturnCaseId && `/cases/${h.refundBeforeReturnCaseId}`,
    ],
    ['a unit overdue at its vendor', h.overdueUnitId && `/rma-units/${h.overdueUnitId}`],
    ['a unit written off', h.writtenOffUnitId && `/rma-units/${h.writtenOffUnitId}/history`],
    ['a unit that failed its retest', h.retestFailedUnitId && `/rma-units/${h.retestFailedUnitId}/history`],
  ];
  out.stdout('\nworth a look:');
  for (const [what, path] of worthALook) if (path !== null) out.stdout(`  ${path.padEnd(40)} ${what}`);
  out.stdout(
    `  /reports/cycle-lag?asOf=${summary.period.to}T23:59:59Z`.padEnd(42) +
      ' cycle lag at the end of the period',
  );
  return true;
}
