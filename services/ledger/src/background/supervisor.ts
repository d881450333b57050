/** One run of a background task; stopping it must be safe after it has already failed. */
export interface TaskRun {
  stop(): Promise<void>;
}

/** How a run tells its supervisor how it is doing; calls from a superseded run are ignored. */
export interface RunSignals {
  /** The run stopped (or cannot go on) because of `error`: it will be replaced after a backoff. */
  failed(error: unknown): void;
  /** The run has delivered everything in the log: after a failure, the task counts as recovered. */
  caughtUp(): void;
}

/** `running`: started and not failed since; `restarting`: failed, a new run is due or catching up. */
export type TaskState = 'running' | 'restarting' | 'stopped';

export interface TaskStatus {
  readonly name: string;
  readonly state: TaskState;
  /** Failures since the task last caught up; 0 while it is healthy. */
  readonly consecutiveFailures: number;
  readonly lastError: { readonly code: string; readonly message: string } | null;
  /** When the next run starts (ISO-8601 UTC); null unless one is scheduled. */
  readonly retryAt: string | null;
}

export interface FailureReport {
  readonly task: string;
  readonly error: unknown;
  /** The error's stable code, and that of its cause when it wraps one (a store failure, say). */
  readonly code: string;
  readonly attempt: number;
  readonly retryInMs: number;
}

/** Runs `fn` after `ms`; returns a function that cancels it. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export interface SupervisorOptions {
  /** Delay before the first restart; doubled after each further failure. Default 500 ms. */
  readonly initialDelayMs?: number;
  /** The longest delay between restarts. Default 30 s. */
  readonly maxDelayMs?: number;
  readonly onFailure?: (report: FailureReport) => void;
  readonly onRecovered?: (task: string, afterFailures: number) => void;
  /** Default: an unref'd `setTimeout`, so a pending restart never keeps the process alive. */
  readonly schedule?: Schedule;
  /** Epoch milliseconds; default `Date.now`. */
  readonly now?: () => number;
}

interface Task {
  readonly name: string;
  readonly start: (signals: RunSignals) => TaskRun;
  run: TaskRun | null;
  generation: number;
  state: TaskState;
  failures: number;
  lastError: TaskStatus['lastError'];
  retryAt: number | null;
  cancelRetry: (() => void) | null;
}

const defaultSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * Keeps background subscriptions (projections, reactors) going: when a run fails — the store is
 * unreachable at start, or drops later — it is replaced by a fresh run after a capped exponential
 * backoff, forever, and `status()` says which tasks are down and why so `/ready` can answer 503.
 */
export class Supervisor {
  private readonly tasks = new Map<string, Task>();
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly schedule: Schedule;
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly options: SupervisorOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.schedule = options.schedule ?? defaultSchedule;
    this.now = options.now ?? Date.now;
  }

  /** Starts the task now and keeps restarting it until `stop()`. */
  supervise(name: string, start: (signals: RunSignals) => TaskRun): void {
    if (this.stopped) throw new Error('the supervisor is stopped');
    if (this.tasks.has(name)) throw new Error(`Background task '${name}' is supervised twice`);
    const task: Task = {
      name,
      start,
      run: null,
      generation: 0,
      state: 'running',
      failures: 0,
      lastError: null,
      retryAt: null,
      cancelRetry: null,
    };
    this.tasks.set(name, task);
    this.launch(task);
  }

  /** The delay before restart number `attempt` (1-based). */
  delayFor(attempt: number): number {
    return Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  }

  status(): TaskStatus[] {
    return [...this.tasks.values()].map((task) => ({
      name: task.name,
      state: task.state,
      consecutiveFailures: task.failures,
      lastError: task.lastError,
      retryAt: task.retryAt === null ? null : new Date(task.retryAt).toISOString(),
    }));
  }

  /** Cancels pending restarts and stops every run. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const runs: Promise<void>[] = [];
    for (const task of this.tasks.values()) {
      task.cancelRetry?.();
      task.cancelRetry = null;
      task.retryAt = null;
      task.state = 'stopped';
      task.generation += 1;
      if (task.run) runs.push(task.run.stop().catch(() => undefined));
      task.run = null;
    }
    await Promise.all(runs);
  }

  private launch(task: Task): void {
    const generation = ++task.generation;
    const current = () => task.generation === generation && !this.stopped;
    const signals: RunSignals = {
      failed: (error) => {
        if (current()) this.failed(task, error);
      },
      caughtUp: () => {
        if (!current() || task.state !== 'restarting') return;
        const failures = task.failures;
        task.state = 'running';
        task.failures = 0;
        this.options.onRecovered?.(task.name, failures);
      },
    };
    try {
      task.run = task.start(signals);
    } catch (error) {
      task.run = null;
      signals.failed(error);
    }
  }

  private failed(task: Task, error: unknown): void {
    // Later signals of this run are stale: it is being replaced.
    task.generation += 1;
    task.state = 'restarting';
    task.failures += 1;
    const code = errorCode(error);
    task.lastError = { code, message: error instanceof Error ? error.message : String(error) };
    const delay = this.delayFor(task.failures);
    task.retryAt = this.now() + delay;
    this.options.onFailure?.({ task: task.name, error, code, attempt: task.failures, retryInMs: delay });
    task.cancelRetry = this.schedule(() => void this.restart(task), delay);
  }

  private async restart(task: Task): Promise<void> {
    task.cancelRetry = null;
    task.retryAt = null;
    const failed = task.run;
    task.run = null;
    // A failed run may still hold resources (a read model answering from its last good state).
    await failed?.stop().catch(() => undefined);
    if (this.stopped) return;
    this.launch(task);
  }
}

/** `LDG_…` code of an error, with its cause's when it wraps another coded error (`A <- B`). */
export function errorCode(error: unknown): string {
  const code = codeOf(error) ?? 'LDG_BACKGROUND_TASK_FAILED';
  const cause = codeOf((error as { cause?: unknown } | null)?.cause);
  return cause === undefined || cause === code ? code : `${code} <- ${cause}`;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
