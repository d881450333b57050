import {
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
  SubscriptionError,
} from '@rma-ledger/event-store';
import type { CommitSignal } from './commit-signal.js';
import { PAGE_SIZE } from './reads.js';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface SubscriptionSource {
  /**
   * Up to `limit` events strictly after `after`, in position order, and the position the log was
   * read up to for them (after the last one when events of other types were skipped).
   */
  readPage(
    after: number,
    limit: number,
  ): { readonly events: RecordedEvent[]; readonly readTo: number | null };
  readonly signal: CommitSignal;
}

/**
 * A catch-up subscription: pages through the log after the checkpoint, handing each event to the
 * handler and awaiting it, then sleeps until a commit (or a poll) and pages on.
 */
export function subscribe(source: SubscriptionSource, options: SubscribeToAllOptions): Subscription {
  let stopped = false;
  let cancelWait: (() => void) | undefined;
  let checkpoint: number | null = options.after ?? null;

  const run = async (): Promise<void> => {
    let reportedCaughtUp = false;
    while (!stopped) {
      const before = checkpoint;
      let page: RecordedEvent[];
      let readTo: number | null;
      try {
        ({ events: page, readTo } = source.readPage(checkpoint ?? 0, PAGE_SIZE));
      } catch (error) {
        throw new SubscriptionError(`The subscription could not read the log: ${String(error)}`, null, {
          cause: error,
        });
      }
      for (const event of page) {
        if (stopped) return;
        try {
          // Awaited only when it returns a promise: a synchronous handler costs no turn per event.
          const handled = options.handler(event);
          if (handled) await handled;
        } catch (error) {
          throw new SubscriptionError(
            `The subscription's handler failed on the event at position ${event.position} ` +
              `('${event.type}' in '${event.streamName}'): ${String(error)}`,
            event.position,
            { cause: error },
          );
        }
        checkpoint = event.position;
      }
      if (readTo !== null && (checkpoint === null || readTo > checkpoint)) checkpoint = readTo;
      // Read further, if only past events of other types: caught up at a new position.
      if (checkpoint !== before) reportedCaughtUp = false;
      if (page.length > 0) {
        // A long catch-up lets the rest of the process (requests, timers) run between pages.
        await yieldToEventLoop();
        continue;
      }
      // Registered before onCaughtUp runs, so a commit it makes cannot be missed.
      const { changed, cancel } = source.signal.wait();
      cancelWait = cancel;
      if (!reportedCaughtUp) {
        reportedCaughtUp = true;
        try {
          options.onCaughtUp?.(checkpoint);
        } catch (error) {
          cancel();
          throw new SubscriptionError(
            `The subscription's onCaughtUp callback failed: ${String(error)}`,
            null,
            {
              cause: error,
            },
          );
        }
      }
      await changed;
      cancelWait = undefined;
    }
  };

  const done = run().catch((error: unknown) => {
    const failure =
      error instanceof SubscriptionError
        ? error
        : new SubscriptionError(`The subscription failed: ${String(error)}`, null, { cause: error });
    options.onError?.(failure);
    throw failure;
  });
  // A caller that only uses onError must not get an unhandled rejection; `done` still rejects for those who await it.
  done.catch(() => {});

  return {
    done,
    async stop() {
      stopped = true;
      cancelWait?.();
      await done.catch(() => {});
    },
  };
}
