import { randomUUID } from 'node:crypto';
import {
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  ErrorType,
  type EventData,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  isCommandError,
  type JSONType,
  jsonEvent,
  NO_STREAM,
  type ResolvedEvent,
  START,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  type AppendOptions,
  type AppendResult,
  type BrokenLink,
  computeEventHash,
  defaultIdempotencyFingerprint,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  IdempotencyKeyReusedError,
  type IdempotentAppend,
  InvalidAppendError,
  LogDigest,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StoreUnavailableError,
  StreamChainChecker,
  type SubscribeToAllOptions,
  type Subscription,
  type VerifyOptions,
  type VerifyReport,
  WrongExpectedRevisionError,
} from '@rma-ledger/event-store';
import { validate as isUuid } from 'uuid';
import { isWrongExpectedVersion, toWrongExpectedRevisionError } from './conflicts.js';
import { asStoreError, UnreadableEventError } from './errors.js';
import { deterministicEventId, idempotencyStreamName } from './event-ids.js';
import { decodeIntent, type IdempotencyIntent, INTENT_EVENT_TYPE } from './idempotency-record.js';
import { encodeMetadata } from './metadata.js';
import { fromClientPosition, toClientPosition } from './positions.js';
import { toRecordedEvent } from './recorded-event.js';
import {
  expectedStateOf,
  fromClientRevision,
  retriesOnConflict,
  satisfiesExpected,
  toClientRevision,
} from './revisions.js';
import { runSubscription } from './subscription.js';
import { isLedgerEvent, isReservedStreamName } from './visibility.js';

export interface EventStoreDbEventStoreOptions {
  /** An `esdb://` (or `kurrentdb://`) connection string, e.g. `esdb://localhost:2113?tls=false`. */
  readonly connectionString: string;
  /** Stamps `recordedAt`; default the system clock. */
  readonly clock?: () => Date;
}

/** How many times an `any`/`stream_exists` append re-reads and retries when concurrent writers keep winning. */
const MAX_APPEND_ATTEMPTS = 100;
const PROGRESS_EVERY = 10_000;

/**
 * The port on EventStoreDB 22.6+ / KurrentDB (23.10+ for `onCaughtUp`). Opening does no I/O: the
 * client connects on first use; `ping()` checks reachability.
 */
export function openEventStoreDbEventStore(options: EventStoreDbEventStoreOptions): EventStore {
  return eventStoreOnClient(
    EventStoreDBClient.connectionString(options.connectionString),
    options.clock ?? (() => new Date()),
  );
}

/** The adapter over a client the caller made (tests use it with a simulated server). */
export function eventStoreOnClient(client: EventStoreDBClient, clock: () => Date): EventStore {
  return new EventStoreDbEventStore(client, clock);
}

/** The stream's last event as the hash chain needs it: its revision and hash (null: no stream). */
interface StreamHead {
  readonly revision: number | null;
  readonly hash: string | null;
}

class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly clock: () => Date,
  ) {}

  async append(
    streamName: string,
    events: readonly EventToAppend[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    this.assertOpen();
    const expected = options.expectedRevision ?? 'any';
    checkArguments(streamName, events, expected);
    const key = options.idempotencyKey;
    try {
      if (key === undefined) return await this.appendOnce(streamName, events, expected);
      const fingerprint = options.idempotencyFingerprint ?? defaultIdempotencyFingerprint(streamName, events);
      return await this.appendWithKey(streamName, events, expected, key, fingerprint);
    } catch (error) {
      throw asStoreError(error);
    }
  }

  /**
   * Reads the stream's last event (its hash is the next event's `prevHash`), checks the caller's
   * expectation against it, and appends with exactly the revision read, so a concurrent writer in
   * between is a server-side conflict: the caller's for an exact or `no_stream` expectation, a retry
   * (re-read, re-hash) for `any` and `stream_exists`.
   */
  private async appendOnce(
    streamName: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    for (let attempt = 1; ; attempt += 1) {
      const head = await this.readHead(streamName);
      if (!satisfiesExpected(expected, head.revision)) {
        throw new WrongExpectedRevisionError(streamName, expected, head.revision);
      }
      const ids = events.map((event) => event.eventId ?? randomUUID());
      const prepared = this.prepare(streamName, events, head, ids, null);
      try {
        await this.client.appendToStream(streamName, prepared, {
          expectedRevision: expectedStateOf(head.revision),
        });
      } catch (error) {
        this.rethrowUnlessRetryable(error, expected, attempt);
        continue;
      }
      return appendResult(await this.readWritten(streamName, head.revision, ids), false);
    }
  }

  /*
   * Idempotent appends. EventStoreDB de-duplicates a write whose event ids are already in the stream
   * right after the expected revision it names, so the adapter makes a keyed append repeatable:
   * 1. it records an intent in the key's internal stream (fingerprint, target stream, the revision it
   *    read, the event ids and the events) with optimistic concurrency on that stream, so one writer
   *    owns each step;
   * 2. it appends the events with those ids at exactly that revision.
   * The key belongs to the intent recorded first. A crash (or a lost reply, or a slow writer) between
   * 1 and 2, or after 2, leaves an intent, and every later append with the key, whatever its target
   * stream or fingerprint, reads it before anything else: if the events are at the intended
   * revisions the append happened; if not, it writes the intent's own events itself at the intended
   * revision with the intended ids, and the server's de-duplication makes that a no-op should the
   * original write land first (or the other way round), so the events are never written twice and
   * no second write under the key can land beside them. The append then returns that result (same
   * fingerprint) or throws `IdempotencyKeyReusedError` (another fingerprint). Only when the intended
   * stream has moved past the intended revision (the events are known not to be there, and the
   * intent's write can never land) does it start afresh with a new intent.
   * `deduplicated` is false only for the append that recorded the intent: one that finds an intent
   * reports its result as deduplicated even when its own write of the intent's events landed, since
   * an original writer that stopped and one still on its way cannot be told apart.
   */
  private async appendWithKey(
    streamName: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    key: string,
    fingerprint: string,
  ): Promise<AppendResult> {
    const recordStream = idempotencyStreamName(key);
    for (let attempt = 1; ; attempt += 1) {
      const record = await this.readIntent(recordStream);
      let recordRevision: AppendExpectedRevision = NO_STREAM;
      if (record !== null) {
        recordRevision = toClientRevision(record.revision);
        const { intent } = record;
        const settled = await this.settleIntent(intent);
        if (settled !== null) {
          if (intent.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(key, intent.streamName);
          return settled;
        }
      }

      const head = await this.readHead(streamName);
      if (!satisfiesExpected(expected, head.revision)) {
        throw new WrongExpectedRevisionError(streamName, expected, head.revision);
      }
      const eventIds = events.map((event, index) => event.eventId ?? deterministicEventId(key, index));
      // Prepared before the intent is recorded: events that cannot be stored must not reserve the key.
      const prepared = this.prepare(streamName, events, head, eventIds, key);
      const intent: IdempotencyIntent = {
        idempotencyKey: key,
        fingerprint,
        streamName,
        streamRevision: head.revision,
        eventIds,
        events: events.map(({ type, data, metadata }) => {
          const { actor, correlationId, causationId, schemaVersion } = metadata;
          return { type, data, metadata: { actor, correlationId, causationId, schemaVersion } };
        }),
      };
      try {
        await this.client.appendToStream(
          recordStream,
          jsonEvent({ type: INTENT_EVENT_TYPE, data: { ...intent } as JSONType }),
          { expectedRevision: recordRevision },
        );
      } catch (error) {
        // Another append with this key moved first: look again at what it recorded.
        this.rethrowUnlessRetryable(error, 'any', attempt);
        continue;
      }
      try {
        await this.client.appendToStream(streamName, prepared, {
          expectedRevision: expectedStateOf(head.revision),
        });
      } catch (error) {
        this.rethrowUnlessRetryable(error, expected, attempt);
        continue;
      }
      return appendResult(await this.readWritten(streamName, head.revision, eventIds), false);
    }
  }

  /**
   * The result of a recorded intent: its events where it meant them, written now from the intent
   * when they are not there yet; null when its stream has moved on without them.
   */
  private async settleIntent(intent: IdempotencyIntent): Promise<AppendResult | null> {
    const already = await this.readIntended(intent);
    if (already !== null) return appendResult(already, true);
    const { streamName, streamRevision } = intent;
    let head: StreamHead = { revision: null, hash: null };
    if (streamRevision !== null) {
      const previous = await this.readEventAt(streamName, streamRevision);
      if (previous === null) return null;
      head = { revision: streamRevision, hash: previous.metadata.hash };
    }
    const prepared = this.prepare(streamName, intent.events, head, intent.eventIds, intent.idempotencyKey);
    try {
      await this.client.appendToStream(streamName, prepared, {
        expectedRevision: expectedStateOf(streamRevision),
      });
    } catch (error) {
      if (isWrongExpectedVersion(error)) return null;
      throw error;
    }
    return appendResult(await this.readWritten(streamName, streamRevision, intent.eventIds), true);
  }

  private rethrowUnlessRetryable(error: unknown, expected: ExpectedRevision, attempt: number): void {
    if (!isWrongExpectedVersion(error)) throw error;
    if (!retriesOnConflict(expected)) throw toWrongExpectedRevisionError(error);
    if (attempt >= MAX_APPEND_ATTEMPTS) {
      throw new StoreUnavailableError(
        `Append to '${error.streamName}' lost to concurrent writers ${attempt} times in a row`,
        { cause: error },
      );
    }
  }

  /** Builds the events as stored: caller metadata stamped with the write time and chained hashes. */
  private prepare(
    streamName: string,
    events: readonly EventToAppend[],
    head: StreamHead,
    ids: readonly string[],
    idempotencyKey: string | null,
  ): EventData[] {
    const recordedAt = this.clock().toISOString();
    const data: EventData[] = [];
    let prevHash = head.hash;
    events.forEach((event, index) => {
      const eventId = ids[index]!;
      const revision = (head.revision ?? -1) + 1 + index;
      let hash: string;
      try {
        hash = computeEventHash({
          streamName,
          revision,
          eventId,
          type: event.type,
          data: event.data,
          metadata: event.metadata,
          recordedAt,
          idempotencyKey,
          prevHash,
        });
      } catch (error) {
        throw new InvalidAppendError(
          `An event for '${streamName}' has data that is not JSON: ${String(error)}`,
        );
      }
      const { actor, correlationId, causationId, schemaVersion } = event.metadata;
      const metadata = encodeMetadata({
        actor,
        correlationId,
        causationId,
        schemaVersion,
        recordedAt,
        idempotencyKey,
        prevHash,
        hash,
      });
      data.push(jsonEvent({ id: eventId, type: event.type, data: event.data as JSONType, metadata }));
      prevHash = hash;
    });
    return data;
  }

  private async readHead(streamName: string): Promise<StreamHead> {
    for await (const resolved of this.stream(streamName, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    })) {
      if (resolved.event === undefined) continue;
      const last = toRecordedEvent(resolved.event);
      return { revision: last.revision, hash: last.metadata.hash };
    }
    return { revision: null, hash: null };
  }

  private async readEventAt(streamName: string, revision: number): Promise<RecordedEvent | null> {
    const read = this.stream(streamName, { fromRevision: toClientRevision(revision), maxCount: 1 });
    for await (const resolved of read) {
      if (resolved.event !== undefined && fromClientRevision(resolved.event.revision) === revision) {
        return toRecordedEvent(resolved.event);
      }
    }
    return null;
  }

  /** The events with `ids` right after `revision`, or null when they are not (all) there. */
  private async readRange(
    streamName: string,
    revision: number | null,
    ids: readonly string[],
  ): Promise<RecordedEvent[] | null> {
    const from = revision === null ? 0 : revision + 1;
    const found: RecordedEvent[] = [];
    const read = this.stream(streamName, { fromRevision: toClientRevision(from), maxCount: ids.length });
    for await (const resolved of read) {
      if (resolved.event === undefined) continue;
      if (resolved.event.id !== ids[found.length]) return null;
      found.push(toRecordedEvent(resolved.event));
    }
    return found.length === ids.length ? found : null;
  }

  private async readWritten(
    streamName: string,
    revision: number | null,
    ids: readonly string[],
  ): Promise<RecordedEvent[]> {
    const written = await this.readRange(streamName, revision, ids);
    if (written === null) {
      throw new StoreUnavailableError(`Events just appended to '${streamName}' could not be read back`);
    }
    return written;
  }

  private readIntended(intent: IdempotencyIntent): Promise<RecordedEvent[] | null> {
    return this.readRange(intent.streamName, intent.streamRevision, intent.eventIds);
  }

  private async readIntent(
    recordStream: string,
  ): Promise<{ intent: IdempotencyIntent; revision: number } | null> {
    for await (const resolved of this.stream(recordStream, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    })) {
      if (resolved.event === undefined) continue;
      return {
        intent: decodeIntent(resolved.event.data),
        revision: fromClientRevision(resolved.event.revision),
      };
    }
    return null;
  }

  async *readStream(streamName: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    if (isReservedStreamName(streamName) || options.maxCount === 0) return;
    const backwards = options.direction === 'backwards';
    const read = this.stream(streamName, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision:
        options.fromRevision === undefined
          ? backwards
            ? END
            : START
          : toClientRevision(options.fromRevision),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    for await (const resolved of read) {
      if (resolved.event !== undefined) yield toRecordedEvent(resolved.event);
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const { after, maxCount } = options;
    if (maxCount === 0) return;
    let yielded = 0;
    for await (const event of this.ledgerEvents(after)) {
      yield toRecordedEvent(event);
      yielded += 1;
      if (maxCount !== undefined && yielded >= maxCount) return;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    this.assertOpen();
    const feed = this.client.subscribeToAll({
      fromPosition: options.after === undefined ? START : toClientPosition(options.after),
      filter: excludeSystemEvents(),
    });
    const subscription = runSubscription(feed, options);
    this.subscriptions.add(subscription);
    subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  async lookupIdempotencyKey(idempotencyKey: string): Promise<IdempotentAppend | null> {
    this.assertOpen();
    const record = await this.readIntent(idempotencyStreamName(idempotencyKey));
    if (record === null) return null;
    const written = await this.readIntended(record.intent);
    if (written === null) return null;
    return { fingerprint: record.intent.fingerprint, result: appendResult(written, true) };
  }

  async streamRevision(streamName: string): Promise<number | null> {
    this.assertOpen();
    if (isReservedStreamName(streamName)) return null;
    for await (const resolved of this.stream(streamName, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    })) {
      if (resolved.event !== undefined) return fromClientRevision(resolved.event.revision);
    }
    return null;
  }

  async headPosition(): Promise<number | null> {
    this.assertOpen();
    for await (const resolved of drain(this.client.readAll({ direction: BACKWARDS, fromPosition: END }))) {
      const event = resolved.event;
      if (event !== undefined && isLedgerEvent(event.streamId, event.type)) {
        return fromClientPosition(event.position);
      }
    }
    return null;
  }

  /**
   * Walks `$all` once in global order, keeping one chain checker (a revision and a hash) per stream
   * seen so far: memory grows with the number of streams, never with the number of events. A stream's
   * events appear in `$all` in revision order, so each chain is checked exactly as a per-stream read
   * would. Stops at the first broken link in global order.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    this.assertOpen();
    const checkers = new Map<string, StreamChainChecker>();
    const digest = new LogDigest(options.anchors);
    let events = 0;
    for await (const stored of this.ledgerEvents(undefined)) {
      let checker = checkers.get(stored.streamId);
      if (checker === undefined) {
        checker = new StreamChainChecker();
        checkers.set(stored.streamId, checker);
      }
      let broken: BrokenLink | undefined;
      try {
        const event = toRecordedEvent(stored);
        broken = checker.check(event) ?? digest.add({ ...event, hash: event.metadata.hash });
      } catch (error) {
        if (!(error instanceof UnreadableEventError)) throw error;
        broken = {
          streamName: stored.streamId,
          revision: error.revision,
          position: fromClientPosition(stored.position),
          eventId: stored.id,
          reason: 'unreadable',
          detail: error.message,
        };
      }
      if (broken !== undefined) return { ok: false, streams: checkers.size, events, firstBroken: broken };
      events += 1;
      if (events % PROGRESS_EVERY === 0) options.onProgress?.(events);
    }
    const broken = digest.finish();
    if (broken !== undefined) return { ok: false, streams: checkers.size, events, firstBroken: broken };
    options.onProgress?.(events);
    return { ok: true, streams: checkers.size, events, head: digest.head };
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      for await (const _ of drain(
        this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }),
      )) {
        // reachable
      }
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`EventStoreDB is not reachable: ${String(error)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.client.dispose();
  }

  /**
   * `$all` after a position (exclusive), without system events and the adapter's own streams. The
   * server reads from an exact log position, so `after` must be 0 or a position this store returned.
   */
  private async *ledgerEvents(after: number | undefined) {
    const read = this.client.readAll({
      direction: FORWARDS,
      fromPosition: after === undefined ? START : toClientPosition(after),
    });
    for await (const resolved of drain(read)) {
      const event = resolved.event;
      if (event === undefined || !isLedgerEvent(event.streamId, event.type)) continue;
      if (after !== undefined && fromClientPosition(event.position) <= after) continue;
      yield event;
    }
  }

  /** A stream read that ends quietly when the stream does not exist. */
  private stream(
    streamName: string,
    options: Parameters<EventStoreDBClient['readStream']>[1],
  ): AsyncGenerator<ResolvedEvent> {
    return drain(this.client.readStream(streamName, options));
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('The EventStoreDB event store is closed');
  }
}

/**
 * Iterates a client read; cancels the server-side read when the consumer stops early, and treats
 * "stream not found" as an empty read.
 */
async function* drain<E>(read: StreamingRead<E>): AsyncGenerator<E> {
  let finished = false;
  try {
    for await (const item of read) yield item;
    finished = true;
  } catch (error) {
    finished = true;
    if (error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND) return;
    throw asStoreError(error);
  } finally {
    if (!finished) await read.cancel().catch(() => {});
  }
}

function appendResult(events: readonly RecordedEvent[], deduplicated: boolean): AppendResult {
  const last = events[events.length - 1]!;
  return { nextExpectedRevision: last.revision, position: last.position, events, deduplicated };
}

function checkArguments(
  streamName: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
): void {
  if (typeof streamName !== 'string' || streamName.length === 0) {
    throw new InvalidAppendError('The stream name must be a non-empty string');
  }
  if (isReservedStreamName(streamName)) {
    throw new InvalidAppendError(`Stream '${streamName}' is reserved for the server or the store itself`);
  }
  if (events.length === 0) {
    throw new InvalidAppendError(`An append to '${streamName}' must carry at least one event`);
  }
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new InvalidAppendError(`Expected revision ${expected} is not a non-negative integer`);
  }
  for (const event of events) {
    if (event.eventId !== undefined && !isUuid(event.eventId)) {
      throw new InvalidAppendError(`Event id '${event.eventId}' is not a UUID`);
    }
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.startsWith('$')) {
      throw new InvalidAppendError('Every event needs a non-empty type that does not start with $');
    }
  }
}
