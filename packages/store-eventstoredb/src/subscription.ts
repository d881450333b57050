import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import {
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
  SubscriptionError,
} from '@rma-ledger/event-store';
import { fromClientPosition } from './positions.js';
import { toRecordedEvent } from './recorded-event.js';
import { isLedgerEvent } from './visibility.js';

/** Events buffered ahead of the handler before the feed is paused (gRPC flow control does the rest). */
const HIGH_WATER = 256;
const LOW_WATER = 64;

/**
 * Drives the port's catch-up subscription from the client's `subscribeToAll` feed: one handler call
 * at a time, in order, skipping system and internal events and anything at or before the checkpoint.
 *
 * `onCaughtUp` follows the server's caught-up signal (client 6.x emits `caughtUp` on the feed;
 * EventStoreDB 23.10+ sends it). The feed emits it from its transform, while events before it may
 * still sit in its read buffer, so the signal is pinned to the number of events received by then
 * (those delivered to us plus `readableLength`) and reported once that many have been handled.
 */
export function runSubscription(feed: AllStreamSubscription, options: SubscribeToAllOptions): Subscription {
  const after = options.after;
  const queue: AllStreamResolvedEvent[] = [];
  const caughtUpMarks: number[] = [];
  let received = 0;
  let handled = 0;
  let checkpoint: number | null = after ?? null;
  let failure: SubscriptionError | undefined;
  let ended = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };

  feed.on('data', (resolved: AllStreamResolvedEvent) => {
    received += 1;
    queue.push(resolved);
    if (queue.length >= HIGH_WATER) feed.pause();
    signal();
  });
  feed.on('caughtUp', () => {
    caughtUpMarks.push(received + feed.readableLength);
    signal();
  });
  feed.on('error', (error: Error) => {
    failure ??= new SubscriptionError(`The subscription to $all failed: ${error.message}`, null, {
      cause: error,
    });
    signal();
  });
  feed.on('close', () => {
    ended = true;
    signal();
  });

  const reportCaughtUp = () => {
    while (caughtUpMarks.length > 0 && caughtUpMarks[0]! <= handled) {
      caughtUpMarks.shift();
      try {
        options.onCaughtUp?.(checkpoint);
      } catch (error) {
        throw new SubscriptionError(`The subscription's onCaughtUp callback failed: ${String(error)}`, null, {
          cause: error,
        });
      }
    }
  };

  const deliver = async (resolved: AllStreamResolvedEvent) => {
    const event = resolved.event;
    if (event === undefined || !isLedgerEvent(event.streamId, event.type)) return;
    const position = fromClientPosition(event.position);
    if (after !== undefined && position <= after) return;
    let recorded: RecordedEvent;
    try {
      recorded = toRecordedEvent(event);
    } catch (error) {
      throw new SubscriptionError(`The subscription could not read an event: ${String(error)}`, null, {
        cause: error,
      });
    }
    try {
      await options.handler(recorded);
    } catch (error) {
      throw new SubscriptionError(
        `The subscription's handler failed on the event at position ${position} ` +
          `('${recorded.type}' in '${recorded.streamName}'): ${String(error)}`,
        position,
        { cause: error },
      );
    }
    checkpoint = position;
  };

  const run = async () => {
    for (;;) {
      if (stopped) return;
      reportCaughtUp();
      const next = queue.shift();
      if (next === undefined) {
        if (failure !== undefined) throw failure;
        if (ended) throw new SubscriptionError('The server ended the subscription to $all', null);
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (feed.isPaused() && queue.length <= LOW_WATER) feed.resume();
      await deliver(next);
      handled += 1;
    }
  };

  const teardown = async () => {
    await feed.unsubscribe().catch(() => {});
    feed.destroy();
  };

  const done = run().then(teardown, async (error: unknown) => {
    await teardown();
    const stoppedBy =
      error instanceof SubscriptionError
        ? error
        : new SubscriptionError(`The subscription failed: ${String(error)}`, null, { cause: error });
    options.onError?.(stoppedBy);
    throw stoppedBy;
  });
  // A caller that only uses onError must not get an unhandled rejection; `done` still rejects for those who await it.
  done.catch(() => {});

  return {
    done,
    async stop() {
      stopped = true;
      signal();
      await done.catch(() => {});
    },
  };
}
