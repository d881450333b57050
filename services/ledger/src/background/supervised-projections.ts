import {
  type ProjectionLag,
  ProjectionNotReadyError,
  ProjectionRunner,
  type ProjectionRunnerOptions,
} from '@rma-ledger/projections';
import type { Database } from 'better-sqlite3';
import type { Supervisor } from './supervisor.js';

export const PROJECTIONS_TASK = 'projections';

/**
 * The projection runner under a supervisor: when a projection stops (the store dropped, or was
 * unreachable from the start), the whole runner is replaced by a new one that resumes every read
 * model from its checkpoint. Until then the failed runner keeps answering from its last good state.
 */
export class SupervisedProjections<E> {
  /** Null only while the runner could not even be started; the supervisor keeps trying. */
  private runner: ProjectionRunner<E> | null = null;

  constructor(supervisor: Supervisor, options: ProjectionRunnerOptions<E>) {
    supervisor.supervise(PROJECTIONS_TASK, ({ failed, caughtUp }) => {
      const runner = ProjectionRunner.start<E>({
        ...options,
        onFailure: (projection, error) => {
          options.onFailure?.(projection, error);
          failed(error);
        },
      });
      this.runner = runner;
      // Recovered once every read model has applied the log as it stands now.
      options.store
        .headPosition()
        .then((head) => (head === null ? undefined : runner.waitFor(head)))
        .then(caughtUp, failed);
      return runner;
    });
  }

  read<T>(name: string, query: (db: Database) => T): T {
    return this.current(name).read(name, query);
  }

  waitFor(position: number): Promise<void> {
    return this.runner === null ? Promise.reject(notRunning('*')) : this.runner.waitFor(position);
  }

  rebuild(name: string): Promise<void> {
    return this.runner === null ? Promise.reject(notRunning(name)) : this.runner.rebuild(name);
  }

  lag(): Promise<ProjectionLag[]> {
    return this.runner === null ? Promise.reject(notRunning('*')) : this.runner.lag();
  }

  private current(name: string): ProjectionRunner<E> {
    if (this.runner === null) throw notRunning(name);
    return this.runner;
  }
}

function notRunning(name: string): ProjectionNotReadyError {
  return new ProjectionNotReadyError(name, 'the projections could not be started');
}
