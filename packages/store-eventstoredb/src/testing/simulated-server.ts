import { Readable, Transform, type TransformCallback } from 'node:stream';
import {
  type AllStreamResolvedEvent,
  ANY,
  type AppendExpectedRevision,
  type AppendResult,
  BACKWARDS,
  END,
  type EventData,
  type EventStoreDBClient,
  type Filter,
  NO_STREAM,
  type Position,
  type ReadPosition,
  type ReadRevision,
  type RecordedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';

interface Stored {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly data: string;
  readonly metadata: string;
}

interface ReadOptions {
  direction?: typeof BACKWARDS | 'forwards';
  maxCount?: number | bigint;
}

const CAUGHT_UP = Symbol('caught up');

class SimulatedSubscription extends Transform {
  constructor(private readonly onUnsubscribe: () => void) {
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
    this.onUnsubscribe();
    this.end();
  }
}

/**
 * An in-memory stand-in for the EventStoreDB server behind the client API the adapter uses, with
 * the server's semantics as documented: 0-based revisions, byte-offset positions (commit = prepare),
 * expected-version checks, de-duplication of a write whose ids already follow the expected revision,
 * system events in `$all`, JSON over the wire, `caughtUp` on subscriptions. It lets the adapter's
 * mapping run the contract where no EventStoreDB can be started; the real server run is the
 * integration spec.
 */
export class SimulatedEventStoreDb {
  private readonly log: Stored[] = [];
  private readonly streams = new Map<string, Stored[]>();
  private readonly live = new Set<{ feed: SimulatedSubscription; typeFilter: RegExp | undefined }>();
  private nextPosition = 0n;

  constructor() {
    this.write('$settings', [{ id: crypto.randomUUID(), type: '$settings', data: '{}', metadata: '' }]);
  }

  client(): EventStoreDBClient {
    const client = {
      appendToStream: (
        streamName: string,
        events: EventData | EventData[],
        options: { expectedRevision?: AppendExpectedRevision } = {},
      ) =>
        this.append(streamName, Array.isArray(events) ? events : [events], options.expectedRevision ?? ANY),
      readStream: (streamName: string, options: ReadOptions & { fromRevision?: ReadRevision } = {}) =>
        this.readStream(streamName, options),
      readAll: (options: ReadOptions & { fromPosition?: ReadPosition } = {}) => this.readAll(options),
      subscribeToAll: (options: { fromPosition?: ReadPosition; filter?: Filter } = {}) =>
        this.subscribe(options),
      dispose: async () => {},
    };
    return client as unknown as EventStoreDBClient;
  }

  private async append(
    streamName: string,
    events: EventData[],
    expected: AppendExpectedRevision,
  ): Promise<AppendResult> {
    await new Promise((resolve) => setImmediate(resolve));
    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length === 0 ? NO_STREAM : BigInt(stream.length - 1);
    if (expected === NO_STREAM || typeof expected === 'bigint') {
      const from = expected === NO_STREAM ? 0 : Number(expected) + 1;
      const already = stream.slice(from, from + events.length);
      if (already.length === events.length && already.every((stored, i) => stored.id === events[i]!.id)) {
        const last = already[already.length - 1]!;
        return { success: true, nextExpectedRevision: last.revision, position: at(last.position) };
      }
    }
    const accepted =
      expected === ANY ||
      (expected === STREAM_EXISTS && current !== NO_STREAM) ||
      (expected === NO_STREAM && current === NO_STREAM) ||
      (typeof expected === 'bigint' && current === expected);
    if (!accepted) throw new WrongExpectedVersionError(undefined, { streamName, expected, current });
    const written = this.write(
      streamName,
      events.map((event) => ({
        id: event.id,
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: event.metadata === undefined ? '' : JSON.stringify(event.metadata),
      })),
    );
    const last = written[written.length - 1]!;
    return { success: true, nextExpectedRevision: last.revision, position: at(last.position) };
  }

  private write(streamName: string, events: Omit<Stored, 'streamId' | 'revision' | 'position'>[]): Stored[] {
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    const written = events.map((event) => {
      const stored: Stored = {
        ...event,
        streamId: streamName,
        revision: BigInt(stream.length),
        position: this.nextPosition,
      };
      this.nextPosition += BigInt(120 + event.data.length + event.metadata.length);
      stream.push(stored);
      this.log.push(stored);
      return stored;
    });
    for (const { feed, typeFilter } of this.live) {
      for (const stored of written) if (typeFilter?.test(stored.type) ?? true) feed.write(resolved(stored));
    }
    return written;
  }

  private readStream(streamName: string, options: ReadOptions & { fromRevision?: ReadRevision }) {
    const stream = this.streams.get(streamName);
    const backwards = options.direction === BACKWARDS;
    const from = options.fromRevision ?? (backwards ? END : START);
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    function* events() {
      if (stream === undefined) throw new StreamNotFoundError(undefined, streamName);
      const ordered = backwards ? [...stream].reverse() : stream;
      const selected = ordered.filter((stored) => {
        if (typeof from !== 'bigint') return true;
        return backwards ? stored.revision <= from : stored.revision >= from;
      });
      yield* selected.slice(0, max).map(resolved);
    }
    return cancellable(Readable.from(events()));
  }

  private readAll(options: ReadOptions & { fromPosition?: ReadPosition }) {
    const backwards = options.direction === BACKWARDS;
    const from = options.fromPosition ?? (backwards ? END : START);
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const ordered = backwards ? [...this.log].reverse() : this.log;
    const selected = ordered.filter((stored) => {
      if (typeof from !== 'object') return true;
      return backwards ? stored.position < from.commit : stored.position >= from.commit;
    });
    return cancellable(Readable.from(selected.slice(0, max).map(resolved)));
  }

  private subscribe(options: { fromPosition?: ReadPosition; filter?: Filter }) {
    const from = options.fromPosition ?? START;
    const typeFilter =
      options.filter !== undefined && 'regex' in options.filter && options.filter.filterOn === 'eventType'
        ? new RegExp(options.filter.regex)
        : undefined;
    const entry = { feed: new SimulatedSubscription(() => this.live.delete(entry)), typeFilter };
    // Like the server's answer, the history arrives after the caller has attached its listeners.
    setImmediate(() => {
      if (entry.feed.destroyed) return;
      const history = this.log.filter(
        (stored) =>
          (typeof from !== 'object' || stored.position > from.commit) &&
          (typeFilter?.test(stored.type) ?? true),
      );
      for (const stored of history) entry.feed.write(resolved(stored));
      entry.feed.write(CAUGHT_UP);
      this.live.add(entry);
    });
    return entry.feed;
  }
}

function at(position: bigint): Position {
  return { commit: position, prepare: position };
}

function resolved(stored: Stored): { event: RecordedEvent & { position: Position } } {
  return {
    event: {
      streamId: stored.streamId,
      id: stored.id,
      isJson: true,
      revision: stored.revision,
      type: stored.type,
      created: new Date(0),
      data: JSON.parse(stored.data),
      metadata: stored.metadata === '' ? undefined : JSON.parse(stored.metadata),
      position: at(stored.position),
    } as RecordedEvent & { position: Position },
  };
}

function cancellable<R extends Readable>(readable: R): R & { cancel(): Promise<void> } {
  return Object.assign(readable, {
    cancel: async () => {
      readable.destroy();
    },
  });
}
