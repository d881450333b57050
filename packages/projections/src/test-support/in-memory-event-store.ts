import {
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
  SubscriptionError,
} from '@rma-ledger/event-store';

/**
 * A test double of the port's read side: appends are recorded in memory with contiguous positions
 * from 1 and a controllable `recordedAt`; subscriptions behave like catch-up subscriptions.
 */
export class InMemoryEventStore implements EventStore {
  readonly events: RecordedEvent[] = [];
  /** The `recordedAt` stamped on the next appends. */
  recordedAt = '2026-01-01T00:00:00.000Z';
  /** As EventStoreDB does: a subscription reports caught up once, when it turns live, never after. */
  caughtUpOnce = false;
  private readonly listeners = new Set<() => void>();
  private readonly revisions = new Map<string, number>();

  async append(streamName: string, events: readonly EventToAppend[]): Promise<AppendResult> {
    const stored = this.appendSync(streamName, events);
    return {
      nextExpectedRevision: stored[stored.length - 1]!.revision,
      position: stored[stored.length - 1]!.position,
      events: stored,
      deduplicated: false,
    };
  }

  appendSync(streamName: string, events: readonly EventToAppend[]): RecordedEvent[] {
    let revision = this.revisions.get(streamName) ?? 0;
    const stored = events.map((event) => {
      const recorded: RecordedEvent = {
        streamName,
        eventId: event.eventId ?? `event-${this.events.length + 1}`,
        type: event.type,
        revision: revision++,
        position: this.events.length + 1,
        data: event.data,
        metadata: {
          ...event.metadata,
          recordedAt: this.recordedAt,
          idempotencyKey: null,
          prevHash: null,
          hash: '',
        },
      };
      this.events.push(recorded);
      return recorded;
    });
    this.revisions.set(streamName, revision);
    for (const listener of this.listeners) listener();
    return stored;
  }

  async *readStream(streamName: string): AsyncIterable<RecordedEvent> {
    for (const event of this.events) if (event.streamName === streamName) yield event;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let delivered = 0;
    for (const event of this.events) {
      if (options.after !== undefined && event.position <= options.after) continue;
      if (options.maxCount !== undefined && delivered >= options.maxCount) return;
      delivered++;
      yield event;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    let stopped = false;
    let wake: (() => void) | null = null;
    const listener = () => wake?.();
    this.listeners.add(listener);
    const run = async () => {
      let reported = false;
      let next = options.after === undefined ? 0 : this.events.findIndex((e) => e.position > options.after!);
      if (next < 0) next = this.events.length;
      while (!stopped) {
        while (!stopped && next < this.events.length) {
          const event = this.events[next++]!;
          if (options.eventTypes && !options.eventTypes.includes(event.type)) continue;
          try {
            await options.handler(event);
          } catch (cause) {
            throw new SubscriptionError(`handler failed at ${event.position}`, event.position, { cause });
          }
        }
        if (stopped) break;
        if (!(this.caughtUpOnce && reported))
          options.onCaughtUp?.(this.events[this.events.length - 1]?.position ?? null);
        reported = true;
        if (next >= this.events.length) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            if (stopped || next < this.events.length) resolve();
          });
          wake = null;
        }
      }
    };
    const done = run().then(
      () => {
        this.listeners.delete(listener);
      },
      (error: SubscriptionError) => {
        this.listeners.delete(listener);
        options.onError?.(error);
        throw error;
      },
    );
    done.catch(() => {});
    return {
      done,
      stop: async () => {
        stopped = true;
        wake?.();
        await done.catch(() => {});
      },
    };
  }

  async lookupIdempotencyKey(): Promise<null> {
    return null;
  }

  async streamRevision(streamName: string): Promise<number | null> {
    const count = this.revisions.get(streamName) ?? 0;
    return count === 0 ? null : count - 1;
  }

  async headPosition(): Promise<number | null> {
    return this.events[this.events.length - 1]?.position ?? null;
  }

  async verify(): Promise<never> {
    throw new Error('not supported by the in-memory test store');
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
