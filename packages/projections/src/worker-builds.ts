import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EventStore } from '@rma-ledger/event-store';
import { ProjectionBuildError, ProjectionNotReadyError } from './errors.js';
import type { ParseEvent, Projection } from './projection.js';
import type { BatchLimits } from './read-model-writer.js';

/**
 * Where a worker thread finds what it needs to build a read model: a module whose default export
 * is a `ReadModelWorkerSetup`. Projections are code and a store is a connection, so neither can
 * be sent to a thread: the thread opens its own from this module.
 */
export interface ProjectionWorkers {
  /** The setup module (a `file:` URL). */
  readonly setup: URL | string;
  /** Handed to the setup function; must survive a structured clone. */
  readonly data?: unknown;
  /** Most builds running at once; default `os.availableParallelism()`. */
  readonly threads?: number;
}

export interface ReadModelWorkerContext<E> {
  readonly store: EventStore;
  /** Must include the projection being built, at the same version as the runner's. */
  readonly projections: readonly Projection<E>[];
  readonly parse: ParseEvent<E>;
}

/** A setup module's default export. The worker closes the store when the build is over. */
export type ReadModelWorkerSetup<E> = (
  data: unknown,
) => ReadModelWorkerContext<E> | Promise<ReadModelWorkerContext<E>>;

/** One generation of one projection's read model. */
export interface WorkerBuildTarget {
  readonly projection: string;
  readonly version: number;
  readonly generation: number;
}

/** What a worker thread is told to build: read models fed from one read of the log. */
export interface WorkerBuildInput {
  readonly setup: string;
  readonly data: unknown;
  readonly directory: string;
  readonly targets: readonly WorkerBuildTarget[];
  readonly limits: BatchLimits;
}

export interface WorkerBuildFailure {
  readonly code: string | null;
  readonly message: string;
}

/** The whole build failed (`ok: false`), or each target was built (null) or failed. */
export type WorkerBuildOutcome =
  | { readonly ok: true; readonly targets: readonly (WorkerBuildFailure | null)[] }
  | ({ readonly ok: false } & WorkerBuildFailure);

/** Posted by a thread while it builds, about once a second: the position its read of the log has reached. */
export interface WorkerBuildProgress {
  readonly progress: number;
}

export interface WorkerBuild {
  /**
   * Resolves once the thread is gone, its targets built up to the head it found, with the error
   * of each target that failed, by projection name; rejects with `ProjectionBuildError` when the
   * whole build failed (the store, the setup module, the thread).
   */
  readonly done: Promise<ReadonlyMap<string, ProjectionBuildError>>;
  /** Stops the thread (or its turn in the queue); resolves once it is gone. */
  cancel(): Promise<void>;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(`./read-model-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);

/**
 * A build's garbage is short-lived and what it keeps is its read model: a smaller young
 * generation than V8's default costs it little speed and saves the process (every thread has
 * one) tens of megabytes at its peak.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 24 };

/**
 * Starts a thread on the entry. Run from the TypeScript sources (tests, benchmarks), the thread
 * first registers tsx (a thread does not inherit its parent's module hooks) and resolves the
 * workspace's packages to their sources, as its parent does.
 */
function startThread(input: WorkerBuildInput): Worker {
  const options = { workerData: input, resourceLimits: RESOURCE_LIMITS };
  if (!FROM_SOURCE) return new Worker(ENTRY, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ENTRY.href)}); })`;
  return new Worker(boot, { ...options, eval: true, execArgv: ['--conditions=source'] });
}

/** Builds read models in worker threads, at most `threads` at a time; the others wait their turn. */
export class WorkerBuilds {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  readonly threads: number;

  constructor(private readonly workers: ProjectionWorkers) {
    this.threads = Math.max(1, workers.threads ?? availableParallelism());
  }

  start(job: Omit<WorkerBuildInput, 'setup' | 'data'>, onProgress: (position: number) => void): WorkerBuild {
    const names = job.targets.map((t) => t.projection).join("', '");
    let cancelled = false;
    let worker: Worker | null = null;
    const done = this.turn().then(async () => {
      try {
        if (cancelled) throw new ProjectionNotReadyError(names, 'its build was cancelled');
        const input: WorkerBuildInput = {
          ...job,
          setup: String(this.workers.setup),
          data: this.workers.data ?? null,
        };
        worker = startThread(input);
        const outcome = await outcomeOf(worker, names, onProgress);
        if (!outcome.ok) throw new ProjectionBuildError(names, outcome.code, outcome.message);
        const failed = new Map<string, ProjectionBuildError>();
        for (const [i, target] of outcome.targets.entries()) {
          if (target !== null) {
            const { projection } = job.targets[i]!;
            failed.set(projection, new ProjectionBuildError(projection, target.code, target.message));
          }
        }
        return failed;
      } finally {
        this.release();
      }
    });
    done.catch(() => {});
    return {
      done,
      cancel: async () => {
        cancelled = true;
        await (worker as Worker | null)?.terminate();
        await done.catch(() => {});
      },
    };
  }

  private turn(): Promise<void> {
    if (this.running < this.threads) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the thread slot to the next build waiting, if any. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

function outcomeOf(
  worker: Worker,
  projection: string,
  onProgress: (position: number) => void,
): Promise<WorkerBuildOutcome> {
  return new Promise((resolve, reject) => {
    let outcome: WorkerBuildOutcome | null = null;
    worker.on('message', (message: WorkerBuildOutcome | WorkerBuildProgress) => {
      if ('progress' in message) onProgress(message.progress);
      else outcome = message;
    });
    let thrown: Error | null = null;
    worker.once('error', (error) => {
      thrown = error;
    });
    // Settled only once the thread is gone, so that nothing it had open is still open.
    worker.once('exit', (code) => {
      if (outcome) resolve(outcome);
      else {
        const why = thrown?.message ?? `the thread exited with code ${code}`;
        reject(new ProjectionBuildError(projection, null, why));
      }
    });
  });
}
