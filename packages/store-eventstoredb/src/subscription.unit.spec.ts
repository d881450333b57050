import { Transform, type TransformCallback } from 'node:stream';
import type { AllStreamResolvedEvent, AllStreamSubscription } from '@eventstore/db-client';
import { type RecordedEvent, type RecordedMetadata, SubscriptionError } from '@rma-ledger/event-store';
import { describe, expect, it } from 'vitest';
import { deterministicEventId, idempotencyStreamName } from './event-ids.js';
import { encodeMetadata } from './metadata.js';
import { runSubscription } from './subscription.js';

const CAUGHT_UP = Symbol('caught up');

/** Stands in for the client's subscription: a Transform that emits `caughtUp` from `_transform`, as 6.2.1 does. */
class FakeFeed extends Transform {
  unsubscribed = 0;
  constructor() {
    super({ objectMode: true });
  }
  override _transform(chunk: AllStreamResolvedEvent | typeof CAUGHT_UP, _: string, next: TransformCallback) {
    if (chunk === CAUGHT_UP) {
      this.emit('caughtUp');
      next();
      return;
    }
    next(null, chunk);
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed += 1;
  }
  send(...chunks: (AllStreamResolvedEvent | typeof CAUGHT_UP)[]): void {
    for (const chunk of chunks) this.write(chunk);
  }
  asClientFeed(): AllStreamSubscription {
    return this as unknown as AllStreamSubscription;
  }
}

const metadata: RecordedMetadata = {
  actor: 'user:alice',
  correlationId: 'corr-1',
  causationId: null,
  schemaVersion: 1,
  recordedAt: '2026-11-23T17:00:00.000Z',
  idempotencyKey: null,
  prevHash: null,
  hash: 'a'.repeat(64),
};

function resolved(position: number, streamId = 'order-1', type = 'Placed'): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: deterministicEventId('fake', position),
      isJson: true,
      revision: BigInt(position),
      type,
      created: new Date(0),
      data: { position },
      metadata: encodeMetadata(metadata),
      position: { commit: BigInt(position), prepare: BigInt(position) },
    },
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('catch-up subscription over the client feed', () => {
  it('given history then the caught-up signal, then every event is handled before onCaughtUp reports the last position', async () => {
    const feed = new FakeFeed();
    const handled: number[] = [];
    const caughtUp: { at: number | null; handledSoFar: number }[] = [];
    const subscription = runSubscription(feed.asClientFeed(), {
      handler: async (event) => {
        await tick();
        handled.push(event.position);
      },
      onCaughtUp: (at) => caughtUp.push({ at, handledSoFar: handled.length }),
    });

    const history = Array.from({ length: 600 }, (_, i) => i + 1);
    feed.send(...history.map((position) => resolved(position)), CAUGHT_UP);
    while (caughtUp.length === 0) await tick();

    expect(handled).toEqual(history);
    expect(caughtUp).toEqual([{ at: 600, handledSoFar: 600 }]);
    await subscription.stop();
  });

  it('given nothing after the checkpoint, then onCaughtUp reports the checkpoint itself', async () => {
    const feed = new FakeFeed();
    const caughtUp: (number | null)[] = [];
    const subscription = runSubscription(feed.asClientFeed(), {
      after: 42,
      handler: () => {},
      onCaughtUp: (at) => caughtUp.push(at),
    });

    feed.send(CAUGHT_UP);
    while (caughtUp.length === 0) await tick();

    expect(caughtUp).toEqual([42]);
    await subscription.stop();
  });

  it('skips system events, the adapter streams and events at or before the checkpoint', async () => {
    const feed = new FakeFeed();
    const delivered: RecordedEvent[] = [];
    let caughtUp = false;
    const subscription = runSubscription(feed.asClientFeed(), {
      after: 2,
      handler: (event) => {
        delivered.push(event);
      },
      onCaughtUp: () => {
        caughtUp = true;
      },
    });

    feed.send(
      resolved(2),
      resolved(3, '$settings', 'Settings'),
      resolved(4, 'order-1', '$metadata'),
      resolved(5, idempotencyStreamName('k'), 'ldg.idempotency-intent'),
      resolved(6),
      CAUGHT_UP,
    );
    while (!caughtUp) await tick();

    expect(delivered.map((event) => event.position)).toEqual([6]);
    expect(delivered[0]).toMatchObject({
      streamName: 'order-1',
      type: 'Placed',
      revision: 6,
      data: { position: 6 },
    });
    await subscription.stop();
  });

  it('given a handler that throws, then it stops with a SubscriptionError at that position and reports it once', async () => {
    const feed = new FakeFeed();
    const errors: SubscriptionError[] = [];
    const handled: number[] = [];
    const subscription = runSubscription(feed.asClientFeed(), {
      handler: (event) => {
        if (event.position === 2) throw new Error('refused');
        handled.push(event.position);
      },
      onError: (error) => errors.push(error),
    });

    feed.send(resolved(1), resolved(2), resolved(3));
    const error = await subscription.done.then(
      () => undefined,
      (rejected: unknown) => rejected,
    );

    expect(error).toBeInstanceOf(SubscriptionError);
    expect(error).toMatchObject({ code: 'LDG_STORE_SUBSCRIPTION_FAILED', position: 2 });
    expect(errors).toEqual([error]);
    expect(handled).toEqual([1]);
    expect(feed.unsubscribed).toBe(1);
  });

  it('given the feed fails, then it stops with a SubscriptionError without a position', async () => {
    const feed = new FakeFeed();
    const subscription = runSubscription(feed.asClientFeed(), { handler: () => {} });

    feed.emit('error', new Error('connection reset'));

    await expect(subscription.done).rejects.toMatchObject({ position: null, message: /connection reset/ });
  });

  it('stop() while waiting for events resolves done and unsubscribes; a handler in flight finishes first', async () => {
    const feed = new FakeFeed();
    let release: () => void = () => {};
    let finished = false;
    const subscription = runSubscription(feed.asClientFeed(), {
      handler: async () => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        finished = true;
      },
    });
    feed.send(resolved(1));
    await tick();

    const stopping = subscription.stop();
    release();
    await stopping;

    expect(finished).toBe(true);
    await expect(subscription.done).resolves.toBeUndefined();
    expect(feed.unsubscribed).toBe(1);
  });
});
