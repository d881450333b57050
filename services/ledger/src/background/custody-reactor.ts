import type { DomainRejectedError, Ledger } from '@rma-ledger/application';
import type { RecordedEvent } from '@rma-ledger/event-store';
import { type CheckpointStore, CUSTODY_REACTOR } from '../checkpoints.js';
import type { Supervisor } from './supervisor.js';

/** At most this many events between two checkpoint writes while the reactor is catching up. */
const CHECKPOINT_EVERY = 500;
/** Once caught up, at most one checkpoint write per this many milliseconds. */
const CHECKPOINT_INTERVAL_MS = 1000;

/**
 * Runs the custody reactor (the safety net that finishes any unit write a command could not
 * complete inline) under the supervisor: each run resumes from the stored checkpoint, so a store
 * outage delays reactions and never loses one.
 *
 * The checkpoint is written every `CHECKPOINT_EVERY` events, at most once a second while the
 * reactor keeps catching up with live writes, and when the run stops or fails — not after every
 * event: each write is a synchronous commit of the service database (under load the reactor
 * catches up after nearly every command), and a checkpoint that lags after a crash only makes the
 * next run repeat reactions, which are idempotent.
 */
export function superviseCustodyReactor(
  supervisor: Supervisor,
  ledger: Ledger,
  checkpoints: CheckpointStore,
  onRejected: (error: DomainRejectedError, trigger: RecordedEvent) => void,
): void {
  supervisor.supervise(CUSTODY_REACTOR, ({ failed, caughtUp }) => {
    const after = checkpoints.get(CUSTODY_REACTOR);
    let pending: number | null = null;
    let unsaved = 0;
    let timer: NodeJS.Timeout | undefined;
    let savedAt = Number.NEGATIVE_INFINITY;
    const save = () => {
      clearTimeout(timer);
      timer = undefined;
      if (pending === null) return;
      checkpoints.set(CUSTODY_REACTOR, pending);
      savedAt = performance.now();
      pending = null;
      unsaved = 0;
    };
    const saveSoon = () => {
      const wait = savedAt + CHECKPOINT_INTERVAL_MS - performance.now();
      if (wait <= 0) save();
      else timer ??= setTimeout(save, wait).unref();
    };
    const subscription = ledger.processManager.start({
      ...(after === undefined ? {} : { after }),
      onCheckpoint: (position) => {
        pending = position;
        if (++unsaved >= CHECKPOINT_EVERY) save();
      },
      onRejected,
      onError: (error) => {
        save();
        failed(error);
      },
      onCaughtUp: () => {
        saveSoon();
        caughtUp();
      },
    });
    return {
      stop: async () => {
        await subscription.stop();
        save();
      },
    };
  });
}
