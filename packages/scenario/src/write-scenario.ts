import type { EventStore } from '@rma-ledger/event-store';
import type { PersonalDataSealer } from './business.js';
import type { ScenarioInput } from './options.js';
import { generateScenario, type ScenarioProgress, type ScenarioSummary } from './scenario.js';

export interface WriteScenarioDeps {
  /** Seals customer data; pass the service's `PersonalDataVault` so cases can be opened later. */
  readonly personalData: PersonalDataSealer;
  /** Called every `progressEvery` events and once at the end. */
  readonly onProgress?: (progress: ScenarioProgress) => void;
  /** Default 10,000. */
  readonly progressEvery?: number;
}

/**
 * Generates the scenario and appends it through the port, each append with the exact revision it
 * expects (a store that already holds any of these streams fails with a wrong-expected-revision
 * error rather than mixing two businesses).
 */
export async function writeScenario(
  store: EventStore,
  input: ScenarioInput,
  deps: WriteScenarioDeps,
): Promise<ScenarioSummary> {
  const run = generateScenario(input, deps.personalData);
  const every = deps.progressEvery ?? 10_000;
  let written = 0;
  let nextReport = every;
  for await (const append of run) {
    await store.append(append.streamName, append.events, { expectedRevision: append.expectedRevision });
    written += append.events.length;
    if (deps.onProgress && written >= nextReport) {
      deps.onProgress(run.progress());
      nextReport = written + every;
    }
  }
  deps.onProgress?.({ ...run.progress(), fraction: 1 });
  return run.summary();
}
