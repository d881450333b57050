import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonalDataVault, SqliteKeyStore } from '@rma-ledger/application';
import {
  resolveScenarioOptions,
  SCENARIO_PRESETS,
  SCENARIO_VERSION,
  type ScenarioInput,
  sizedScenario,
  writeScenario,
} from '@rma-ledger/scenario';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';

/** A generated log on disk and what the bench needs to know about it. */
export interface BenchLog {
  readonly path: string;
  readonly events: number;
  /** The latest business time in the log (the last event's `occurredAt`): the bench's "now". */
  readonly lastOccurredAt: string;
  readonly generatedInSeconds: number;
}

/** `bench-1m` (a preset) or an event count (`sizedScenario`). */
function scenarioInput(size: string): ScenarioInput {
  return size in SCENARIO_PRESETS
    ? { preset: size as keyof typeof SCENARIO_PRESETS }
    : sizedScenario(Number(size));
}

/**
 * What identifies a generated log: the generator's version and a hash of the resolved options, so
 * that a log cached by an older generator, or for other options, is never reused.
 */
function generatorKey(input: ScenarioInput): string {
  const options = JSON.stringify(resolveScenarioOptions(input));
  return `v${SCENARIO_VERSION}-${createHash('sha256').update(options).digest('hex').slice(0, 10)}`;
}

/**
 * The scenario's log in `<TMPDIR>/rma-ledger-bench/<size>-seed<seed>-<generator key>.db`, generated
 * on first use. It is written under a temporary name and renamed, with its description beside it,
 * only once the store is closed: a file with that name and its `.json` is always complete.
 */
export async function benchLog(size: string, seed = 1): Promise<BenchLog> {
  const input: ScenarioInput = { ...scenarioInput(size), seed };
  const directory = join(process.env.TMPDIR ?? tmpdir(), 'rma-ledger-bench');
  const path = join(directory, `${size}-seed${seed}-${generatorKey(input)}.db`);
  const described = `${path}.json`;
  if (existsSync(path) && existsSync(described)) {
    return { path, ...(JSON.parse(readFileSync(described, 'utf8')) as Omit<BenchLog, 'path'>) };
  }
  mkdirSync(directory, { recursive: true });
  const partial = `${path}.partial`;
  for (const file of [path, described, partial, `${partial}-wal`, `${partial}-shm`])
    rmSync(file, { force: true });

  console.error(`Generating the ${size} log (seed ${seed}) into ${path} — once; later runs reuse it.`);
  const store = openSqliteEventStore({ path: partial, synchronous: 'normal' });
  const keys = new SqliteKeyStore({ path: ':memory:' });
  const started = performance.now();
  let lastLine = 0;
  let lastEvents = -1;
  const summary = await writeScenario(store, input, {
    personalData: new PersonalDataVault(keys),
    progressEvery: 25_000,
    onProgress: (p) => {
      const now = performance.now();
      if ((now - lastLine < 5_000 && p.fraction < 1) || p.events === lastEvents) return;
      lastLine = now;
      lastEvents = p.events;
      const seconds = (now - started) / 1000;
      console.error(
        `  ${p.events.toLocaleString('en')} events, business day ${p.businessDay}, ` +
          `${(p.fraction * 100).toFixed(0)} %, ${seconds.toFixed(0)} s`,
      );
    },
  });
  const head = await store.headPosition();
  let lastOccurredAt = summary.period.to;
  if (head !== null) {
    for await (const event of store.readAll({ after: head - 1 })) {
      lastOccurredAt = (event.data as { occurredAt: string }).occurredAt;
    }
  }
  await store.close();
  await keys.close();
  const description: Omit<BenchLog, 'path'> = {
    events: summary.events,
    lastOccurredAt,
    generatedInSeconds: Math.round((performance.now() - started) / 1000),
  };
  renameSync(partial, path);
  writeFileSync(described, `${JSON.stringify(description, null, 2)}\n`);
  return { path, ...description };
}
