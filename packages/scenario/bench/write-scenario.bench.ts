/**
 * Measures `writeScenario` into a temporary SQLite file (synchronous = normal, as for bulk loads).
 *   pnpm --filter @rma-ledger/scenario bench [preset | event count] [normal|full|generate-only]
 * e.g. `bench bench-1m`, `bench 100000`, `bench bench-10m generate-only`. Prints events/s, peak
 * RSS and the file size; `generate-only` skips the store.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonalDataVault, SqliteKeyStore } from '@rma-ledger/application';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import {
  generateScenario,
  SCENARIO_PRESETS,
  type ScenarioInput,
  sizedScenario,
  writeScenario,
} from '../src/index.js';

const [arg = '100000', synchronous = 'normal'] = process.argv.slice(2);
const input: ScenarioInput =
  arg in SCENARIO_PRESETS ? { preset: arg as keyof typeof SCENARIO_PRESETS } : sizedScenario(Number(arg));
let peakRss = 0;
const sampleRss = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const dir = mkdtempSync(join(tmpdir(), 'rma-scenario-bench-'));
try {
  const keys = new SqliteKeyStore({ path: ':memory:' });
  const vault = new PersonalDataVault(keys);

  // First the generator alone (its own vault: the keys are not shared with the written run).
  const started = performance.now();
  const run = generateScenario(input, new PersonalDataVault(new SqliteKeyStore({ path: ':memory:' })));
  let generated = 0;
  for await (const append of run) generated += append.events.length;
  const generateSeconds = (performance.now() - started) / 1000;
  const generateOnly = {
    seconds: round(generateSeconds),
    eventsPerSecond: Math.round(generated / generateSeconds),
  };
  if (synchronous === 'generate-only') {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const { events, cases, units, period } = run.summary();
    console.log(
      JSON.stringify(
        { input: arg, events, cases, units, period, generateOnly, peakRssMb: Math.round(peakRss / 1e6) },
        null,
        2,
      ),
    );
  } else {
    await writeInto(join(dir, 'events.db'), generateOnly, keys, vault);
  }
} finally {
  clearInterval(sampleRss);
  rmSync(dir, { recursive: true, force: true });
}

async function writeInto(
  path: string,
  generateOnly: { seconds: number; eventsPerSecond: number },
  keys: SqliteKeyStore,
  vault: PersonalDataVault,
): Promise<void> {
  const store = openSqliteEventStore({ path, synchronous: synchronous === 'full' ? 'full' : 'normal' });
  const started = performance.now();
  let lastLine = 0;
  const summary = await writeScenario(store, input, {
    personalData: vault,
    progressEvery: 50_000,
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastLine > 5_000) {
        lastLine = now;
        console.error(`  ${p.events} events, ${p.businessDay}, ${(p.fraction * 100).toFixed(0)} %`);
      }
    },
  });
  const writeSeconds = (performance.now() - started) / 1000;
  await store.close();
  await keys.close();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  console.log(
    JSON.stringify(
      {
        input: arg,
        synchronous,
        events: summary.events,
        appends: summary.appends,
        cases: summary.cases,
        units: summary.units,
        period: summary.period,
        generateOnly,
        writeScenario: {
          seconds: round(writeSeconds),
          eventsPerSecond: Math.round(summary.events / writeSeconds),
        },
        peakRssMb: Math.round(peakRss / 1e6),
        fileMb: Math.round(statSync(path).size / 1e6),
      },
      null,
      2,
    ),
  );
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
