/**
 * A worker thread's entry: builds the read models `WorkerBuilds` asks for in `workerData`, from
 * one read of the log, and posts a `WorkerBuildOutcome` before it exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventStore } from '@rma-ledger/event-store';
import type { Projection } from './projection.js';
import { type BuildTarget, buildReadModels } from './read-model-build.js';
import { createReadModelFile } from './read-model-file.js';
import type {
  ReadModelWorkerSetup,
  WorkerBuildFailure,
  WorkerBuildInput,
  WorkerBuildOutcome,
  WorkerBuildProgress,
} from './worker-builds.js';

async function build(input: WorkerBuildInput): Promise<WorkerBuildOutcome> {
  let store: EventStore | undefined;
  const targets: BuildTarget<unknown>[] = [];
  try {
    const setup = (await import(input.setup)) as { default: ReadModelWorkerSetup<unknown> };
    const context = await setup.default(input.data);
    store = context.store;
    for (const { projection: name, version, generation } of input.targets) {
      const projection = context.projections.find((p) => p.name === name);
      if (projection?.version !== version) {
        throw new Error(`the setup module ${input.setup} has no projection '${name}' at version ${version}`);
      }
      const file = createReadModelFile(input.directory, projection as Projection<unknown>, generation);
      targets.push({ projection, file });
    }
    const results = await buildReadModels(store, targets, context.parse, input.limits, (at) =>
      parentPort?.postMessage({ progress: at } satisfies WorkerBuildProgress),
    );
    return { ok: true, targets: results.map((result) => ('error' in result ? failure(result.error) : null)) };
  } catch (error) {
    return { ok: false, ...failure(error) };
  } finally {
    for (const { file } of targets) file.db.close();
    await store?.close();
  }
}

/** An error as it crosses to the runner: its `LDG_` code, if it has one, and its message. */
function failure(error: unknown): WorkerBuildFailure {
  const code = (error as { code?: unknown }).code;
  return {
    code: typeof code === 'string' && code.startsWith('LDG_') ? code : null,
    message: error instanceof Error ? error.message : String(error),
  };
}

parentPort?.postMessage(await build(workerData as WorkerBuildInput));
