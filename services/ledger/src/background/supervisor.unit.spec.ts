import { StoreUnavailableError, SubscriptionError } from '@rma-ledger/event-store';
import { describe, expect, it } from 'vitest';
import { ManualSchedule } from '../test-support/manual-schedule.js';
import { errorCode, type FailureReport, type RunSignals, Supervisor } from './supervisor.js';

const storeDropped = () =>
  new SubscriptionError('subscription failed', null, { cause: new StoreUnavailableError('refused') });

/** A task whose runs are recorded so a test can fail them or report them caught up. */
function recordingTask() {
  const runs: { signals: RunSignals; stopped: boolean }[] = [];
  const start = (signals: RunSignals) => {
    const run = { signals, stopped: false };
    runs.push(run);
    return {
      stop: async () => {
        run.stopped = true;
      },
    };
  };
  return { runs, start, last: () => runs[runs.length - 1]! };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function supervisor(clock: ManualSchedule, failures: FailureReport[] = [], recovered: string[] = []) {
  return new Supervisor({
    initialDelayMs: 100,
    maxDelayMs: 1000,
    schedule: clock.schedule,
    now: () => Date.parse('2026-05-01T00:00:00Z'),
    onFailure: (report) => failures.push(report),
    onRecovered: (task, after) => recovered.push(`${task} after ${after}`),
  });
}

describe('Supervisor', () => {
  it('restarts a failed run with exponential backoff capped at the maximum, reporting each failure', async () => {
    const clock = new ManualSchedule();
    const failures: FailureReport[] = [];
    const sup = supervisor(clock, failures);
    const task = recordingTask();
    sup.supervise('reactor', task.start);
    expect(sup.status()[0]).toMatchObject({ state: 'running', consecutiveFailures: 0, lastError: null });

    for (let i = 0; i < 6; i++) {
      task.last().signals.failed(storeDropped());
      clock.fire();
      await settle();
    }

    expect(clock.delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(task.runs).toHaveLength(7);
    expect(task.runs.slice(0, 6).every((run) => run.stopped)).toBe(true);
    expect(failures.map((f) => [f.attempt, f.code])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [n, 'LDG_STORE_SUBSCRIPTION_FAILED <- LDG_STORE_UNAVAILABLE']),
    );
    expect(sup.status()[0]).toMatchObject({ state: 'restarting', consecutiveFailures: 6 });
  });

  it('reports the task down with its error and retry time until the new run catches up', async () => {
    const clock = new ManualSchedule();
    const recovered: string[] = [];
    const sup = supervisor(clock, [], recovered);
    const task = recordingTask();
    sup.supervise('projections', task.start);

    task.last().signals.failed(storeDropped());
    expect(sup.status()[0]).toEqual({
      name: 'projections',
      state: 'restarting',
      consecutiveFailures: 1,
      lastError: {
        code: 'LDG_STORE_SUBSCRIPTION_FAILED <- LDG_STORE_UNAVAILABLE',
        message: 'subscription failed',
      },
      retryAt: '2026-05-01T00:00:00.100Z',
    });

    clock.fire();
    await settle();
    expect(sup.status()[0]).toMatchObject({ state: 'restarting', retryAt: null });
    task.last().signals.caughtUp();
    expect(sup.status()[0]).toMatchObject({ state: 'running', consecutiveFailures: 0 });
    expect(recovered).toEqual(['projections after 1']);

    // The next failure starts the backoff from the beginning again.
    task.last().signals.failed(new Error('boom'));
    expect(clock.delays).toEqual([100, 100]);
    expect(sup.status()[0]?.lastError).toEqual({ code: 'LDG_BACKGROUND_TASK_FAILED', message: 'boom' });
  });

  it('ignores what a replaced run still reports', async () => {
    const clock = new ManualSchedule();
    const failures: FailureReport[] = [];
    const sup = supervisor(clock, failures);
    const task = recordingTask();
    sup.supervise('reactor', task.start);
    const first = task.last();
    first.signals.failed(storeDropped());
    first.signals.failed(storeDropped());
    expect(failures).toHaveLength(1);
    clock.fire();
    await settle();
    first.signals.caughtUp();
    first.signals.failed(storeDropped());
    expect(sup.status()[0]).toMatchObject({ state: 'restarting', consecutiveFailures: 1 });
    expect(clock.size).toBe(0);
  });

  it('retries a task whose start throws', async () => {
    const clock = new ManualSchedule();
    const sup = supervisor(clock);
    let attempts = 0;
    sup.supervise('model', () => {
      attempts += 1;
      if (attempts === 1) throw new StoreUnavailableError('not yet');
      return { stop: async () => {} };
    });
    expect(sup.status()[0]).toMatchObject({
      state: 'restarting',
      lastError: { code: 'LDG_STORE_UNAVAILABLE' },
    });
    clock.fire();
    await settle();
    expect(attempts).toBe(2);
  });

  it('stops every run and cancels pending restarts', async () => {
    const clock = new ManualSchedule();
    const sup = supervisor(clock);
    const a = recordingTask();
    const b = recordingTask();
    sup.supervise('a', a.start);
    sup.supervise('b', b.start);
    b.last().signals.failed(storeDropped());
    await sup.stop();
    expect(a.last().stopped).toBe(true);
    expect(clock.size).toBe(0);
    expect(sup.status().map((t) => t.state)).toEqual(['stopped', 'stopped']);
    expect(() => sup.supervise('c', a.start)).toThrow(/stopped/);
  });
});

describe('errorCode', () => {
  it('names the error’s code and its cause’s', () => {
    expect(errorCode(storeDropped())).toBe('LDG_STORE_SUBSCRIPTION_FAILED <- LDG_STORE_UNAVAILABLE');
    expect(errorCode(new StoreUnavailableError('x'))).toBe('LDG_STORE_UNAVAILABLE');
    expect(errorCode('weird')).toBe('LDG_BACKGROUND_TASK_FAILED');
  });
});
