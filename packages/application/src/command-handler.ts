import { createHash } from 'node:crypto';
import type { Decider } from '@rma-ledger/domain';
import {
  type AppendResult,
  canonicalJson,
  type EventStore,
  type JsonValue,
  type RecordedEvent,
} from '@rma-ledger/event-store';
import {
  ConcurrencyConflictError,
  DomainRejectedError,
  IdempotencyKeyReusedError,
  OccurredAtInFutureError,
  OccurredAtInvalidError,
  PreconditionFailedError,
} from './errors.js';
import type { EventCodec, LoadedEvent } from './event-codec.js';
import { StreamStates } from './stream-states.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** How far in the future a caller's `occurredAt` may be (clock skew between systems). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** Who is asking and under which guarantees; the same for every command. */
export interface CommandContext {
  /** Recorded on every event: a user, a token, or `system:<component>`. */
  readonly actor: string;
  readonly correlationId: string;
  /** The event or command that caused this one; default null. */
  readonly causationId?: string | null;
  /** Makes the command idempotent: a repeat returns the first outcome and writes nothing. */
  readonly idempotencyKey?: string;
  /** `If-Match`: the revision the caller last read. A different current revision fails the command. */
  readonly expectedRevision?: number;
}

export interface CommandRequest<Command, Event, State> {
  readonly decider: Decider<Command, Event, State>;
  readonly codec: EventCodec<Event>;
  readonly streamName: string;
  /** Names the command in the idempotency fingerprint (e.g. `case.approve`). */
  readonly operation: string;
  /**
   * The command exactly as the caller sent it (JSON-compatible), before any default is filled in. Together with
   * `operation` and `target` it makes the idempotency fingerprint.
   */
  readonly input: unknown;
  /** What the caller addressed, for the fingerprint; default `streamName`. */
  readonly target?: string;
  /** The caller's business time, ISO-8601 with an offset; default the clock's now. */
  readonly occurredAt?: string | undefined;
  /**
   * Builds the domain command from the current state. Called again after a concurrent write, so it
   * must derive everything stream-dependent from `state`.
   */
  build(state: State, occurredAt: string, revision: number | null): Command;
}

export interface CommandOutcome<Event> {
  readonly streamName: string;
  /** The stream's revision after the command; null when the stream still does not exist. */
  readonly revision: number | null;
  /** The events the command wrote (or first wrote, when deduplicated); empty for a no-op. */
  readonly events: readonly LoadedEvent<Event>[];
  /** True when an idempotency key matched and nothing was written. */
  readonly deduplicated: boolean;
}

export interface CommandHandlerOptions {
  readonly clock?: Clock;
  /** Where streams' current states are kept between commands; default a private cache. */
  readonly states?: StreamStates;
  /** Attempts when concurrent writers move the stream between read and append; default 5. */
  readonly maxAttempts?: number;
}

/**
 * Runs commands against the event store: read, replay, decide, append with the revision read
 * (optimistic concurrency), under the idempotency, precondition and business-time rules of the API.
 */
export class CommandHandler {
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly states: StreamStates;

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.states = options.states ?? new StreamStates(store);
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async handle<Command, Event, State>(
    request: CommandRequest<Command, Event, State>,
    context: CommandContext,
  ): Promise<CommandOutcome<Event>> {
    const { decider, codec, streamName } = request;
    const givenOccurredAt =
      request.occurredAt === undefined ? undefined : this.businessTime(request.occurredAt);
    const fingerprint = commandFingerprint(request.operation, request.target ?? streamName, request.input);
    const { idempotencyKey } = context;

    // The first outcome under this key, if any: a repeat returns it and writes nothing.
    const firstOutcome = async (): Promise<CommandOutcome<Event> | null> => {
      if (idempotencyKey === undefined) return null;
      const first = await this.store.lookupIdempotencyKey(idempotencyKey);
      if (first === null) return null;
      if (first.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(idempotencyKey);
      return outcome(codec, streamName, first.result);
    };
    const repeated = await firstOutcome();
    if (repeated) return repeated;

    let lastConflict: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const loaded = await this.states.load(decider, codec, streamName);
      if (context.expectedRevision !== undefined && loaded.revision !== context.expectedRevision) {
        throw new PreconditionFailedError(streamName, context.expectedRevision, loaded.revision);
      }
      // Defaulted afresh on each attempt: a rival that won the race may have recorded a later instant.
      const occurredAt = givenOccurredAt ?? this.clock.now().toISOString();
      const command = request.build(loaded.state, occurredAt, loaded.revision);
      const decision = decider.decide(command, loaded.state);
      if (!decision.ok) {
        // A repeat that raced its original sees the original's effect and is refused: answer it instead.
        const concurrentRepeat = await firstOutcome();
        if (concurrentRepeat) return concurrentRepeat;
        throw new DomainRejectedError(decision.error, streamName);
      }
      if (decision.events.length === 0) {
        // Nothing left to do may mean a repeat that raced its original: answer the original, then.
        const concurrentRepeat = await firstOutcome();
        if (concurrentRepeat) return concurrentRepeat;
        return { streamName, revision: loaded.revision, events: [], deduplicated: false };
      }

      const metadata = {
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: context.causationId ?? null,
      };
      const toAppend = decision.events.map((event) => {
        const { type, data, schemaVersion } = codec.encode(event);
        return { type, data, metadata: { ...metadata, schemaVersion } };
      });
      try {
        const result = await this.store.append(streamName, toAppend, {
          expectedRevision: loaded.revision ?? 'no_stream',
          ...(idempotencyKey !== undefined ? { idempotencyKey, idempotencyFingerprint: fingerprint } : {}),
        });
        const written = outcome(codec, streamName, result);
        if (!result.deduplicated) {
          const events = written.events.map((e) => e.event);
          this.states.appended(decider, streamName, loaded, events, result.nextExpectedRevision);
        }
        return written;
      } catch (error) {
        if (hasCode(error, 'LDG_STORE_IDEMPOTENCY_KEY_REUSED') && idempotencyKey !== undefined) {
          throw new IdempotencyKeyReusedError(idempotencyKey);
        }
        if (!hasCode(error, 'LDG_STORE_WRONG_EXPECTED_REVISION')) throw error;
        // The writer that got in first may have been this very command (a concurrent retry).
        const concurrentRepeat = await firstOutcome();
        if (concurrentRepeat) return concurrentRepeat;
        if (context.expectedRevision !== undefined) {
          const actual = (error as { actual?: number | null }).actual ?? null;
          throw new PreconditionFailedError(streamName, context.expectedRevision, actual);
        }
        lastConflict = error;
      }
    }
    throw new ConcurrencyConflictError(streamName, this.maxAttempts, { cause: lastConflict });
  }

  /** Normalises the caller's `occurredAt` to ISO-8601 UTC, refusing one too far in the future. */
  private businessTime(occurredAt: string): string {
    const now = this.clock.now();
    const instant = parseInstant(occurredAt);
    if (instant === null) throw new OccurredAtInvalidError(occurredAt);
    if (instant.getTime() - now.getTime() > MAX_FUTURE_SKEW_MS) {
      throw new OccurredAtInFutureError(occurredAt, now.toISOString());
    }
    return instant.toISOString();
  }
}

/** SHA-256 (hex) of the canonical JSON of the command as the caller sent it and what it addressed. */
export function commandFingerprint(operation: string, target: string, input: unknown): string {
  // canonicalJson leaves out undefined members, so an absent optional field and a missing one agree.
  return createHash('sha256')
    .update(canonicalJson({ operation, target, input: input as JsonValue }), 'utf8')
    .digest('hex');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 date-time with an explicit offset, or null. */
export function parseInstant(value: string): Date | null {
  if (!ISO_INSTANT.test(value)) return null;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

function outcome<Event>(
  codec: EventCodec<Event>,
  streamName: string,
  result: AppendResult,
): CommandOutcome<Event> {
  return {
    // A deduplicated command that generated its stream's id first wrote to that stream, not this one.
    streamName: result.events[0]?.streamName ?? streamName,
    revision: result.nextExpectedRevision,
    events: result.events.map((recorded: RecordedEvent) => ({ event: codec.decode(recorded), recorded })),
    deduplicated: result.deduplicated,
  };
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
