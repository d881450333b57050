import {
  type EventStore,
  type RecordedEvent,
  StoreUnavailableError,
  type SubscribeToAllOptions,
  type Subscription,
  SubscriptionError,
} from '@rma-ledger/event-store';

/**
 * A real store behind a switch: while `down`, every call fails with `StoreUnavailableError` and
 * new subscriptions fail at once; `goDown()` also breaks the subscriptions already running, as a
 * dropped connection does.
 */
export class FlakyStore implements EventStore {
  down = false;
  /** How many subscriptions were asked for (each restart asks for a new one). */
  subscriptionsOpened = 0;
  private readonly live = new Set<() => void>();

  constructor(private readonly inner: EventStore) {}

  goDown(): void {
    this.down = true;
    for (const drop of [...this.live]) drop();
  }

  comeBack(): void {
    this.down = false;
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    this.subscriptionsOpened += 1;
    let settle!: (error?: SubscriptionError) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    done.catch(() => {});
    let inner: Subscription | null = null;
    let ended = false;
    const fail = () => {
      if (ended) return;
      ended = true;
      this.live.delete(fail);
      const error = new SubscriptionError('the store dropped the subscription', null, {
        cause: new StoreUnavailableError('connection refused'),
      });
      void (inner?.stop() ?? Promise.resolve()).then(() => {
        options.onError?.(error);
        settle(error);
      });
    };
    if (this.down) queueMicrotask(fail);
    else {
      this.live.add(fail);
      inner = this.inner.subscribeToAll(options);
    }
    return {
      done,
      stop: async () => {
        if (ended) return;
        ended = true;
        this.live.delete(fail);
        await inner?.stop();
        settle();
      },
    };
  }

  append: EventStore['append'] = (...args) => this.guard(() => this.inner.append(...args));
  lookupIdempotencyKey: EventStore['lookupIdempotencyKey'] = (key) =>
    this.guard(() => this.inner.lookupIdempotencyKey(key));
  streamRevision: EventStore['streamRevision'] = (name) => this.guard(() => this.inner.streamRevision(name));
  headPosition: EventStore['headPosition'] = () => this.guard(() => this.inner.headPosition());
  verify: EventStore['verify'] = (options) => this.guard(() => this.inner.verify(options));
  ping: EventStore['ping'] = () => this.guard(() => this.inner.ping());
  close: EventStore['close'] = () => this.inner.close();

  readStream(
    streamName: string,
    options?: Parameters<EventStore['readStream']>[1],
  ): AsyncIterable<RecordedEvent> {
    return this.guardIterable(() => this.inner.readStream(streamName, options));
  }

  readAll(options?: Parameters<EventStore['readAll']>[0]): AsyncIterable<RecordedEvent> {
    return this.guardIterable(() => this.inner.readAll(options));
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.down) throw new StoreUnavailableError('connection refused');
    return fn();
  }

  private guardIterable(fn: () => AsyncIterable<RecordedEvent>): AsyncIterable<RecordedEvent> {
    const store = this;
    return {
      async *[Symbol.asyncIterator]() {
        if (store.down) throw new StoreUnavailableError('connection refused');
        yield* fn();
      },
    };
  }
}
