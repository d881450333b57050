import { randomUUID } from 'node:crypto';
import {
  type AppendOptions,
  type AppendResult,
  canonicalJson,
  computeEventHashWithCanonicalData,
  defaultIdempotencyFingerprint,
  type EventToAppend,
  type ExpectedRevision,
  IdempotencyKeyReusedError,
  type IdempotentAppend,
  InvalidAppendError,
  type JsonValue,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '@rma-ledger/event-store';
import type { Database, Transaction } from 'better-sqlite3';
import { validate as isUuid } from 'uuid';
import { toRecordedEvent } from './rows.js';
import type { IdempotencyRow, Statements, StreamHead } from './statements.js';

function checkArguments(streamName: string, events: readonly EventToAppend[], expected: ExpectedRevision) {
  if (typeof streamName !== 'string' || streamName.length === 0) {
    throw new InvalidAppendError('The stream name must be a non-empty string');
  }
  if (events.length === 0) {
    throw new InvalidAppendError(`An append to '${streamName}' must carry at least one event`);
  }
  const valid =
    typeof expected === 'number'
      ? Number.isSafeInteger(expected) && expected >= 0
      : expected === 'any' || expected === 'no_stream' || expected === 'stream_exists';
  if (!valid) {
    throw new InvalidAppendError(
      `Expected revision ${String(expected)} is neither a non-negative integer nor any, no_stream or stream_exists`,
    );
  }
  for (const event of events) {
    if (event.eventId !== undefined && !isUuid(event.eventId)) {
      throw new InvalidAppendError(`Event id '${event.eventId}' is not a UUID`);
    }
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new InvalidAppendError('Every event needs a non-empty type');
    }
  }
}

function serialiseData(streamName: string, data: JsonValue): string {
  try {
    return canonicalJson(data);
  } catch (error) {
    throw new InvalidAppendError(`An event for '${streamName}' has data that is not JSON: ${String(error)}`);
  }
}

function conflicts(expected: ExpectedRevision, actual: number | null): boolean {
  switch (expected) {
    case 'any':
      return false;
    case 'no_stream':
      return actual !== null;
    case 'stream_exists':
      return actual === null;
    default:
      return actual !== expected;
  }
}

export type AppendFn = (
  streamName: string,
  events: readonly EventToAppend[],
  options: AppendOptions | undefined,
) => AppendResult;

/**
 * Builds the append: one immediate transaction (so several processes on one file queue on the
 * write lock instead of deadlocking) that checks the idempotency key, then the expected revision
 * against the streams table, then writes every event with its hash-chain link.
 */
export function createAppend(db: Database, statements: Statements, clock: () => Date): AppendFn {
  const write: Transaction<AppendFn> = db.transaction((streamName, events, options) => {
    const expected = options?.expectedRevision ?? 'any';
    const key = options?.idempotencyKey;
    let fingerprint: string | undefined;
    if (key !== undefined) {
      fingerprint = options?.idempotencyFingerprint ?? defaultIdempotencyFingerprint(streamName, events);
      const seen = statements.findIdempotencyKey.get(key);
      if (seen !== undefined) {
        if (seen.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(key, seen.stream_name);
        return replay(statements, seen);
      }
    }

    const head: StreamHead | undefined = statements.streamHead.get(streamName);
    const actual = head === undefined ? null : head.revision;
    if (conflicts(expected, actual)) throw new WrongExpectedRevisionError(streamName, expected, actual);

    const recordedAt = clock().toISOString();
    const idempotencyKey = key ?? null;
    let revision = actual === null ? 0 : actual + 1;
    let prevHash = head === undefined ? null : head.head_hash;
    const recorded: RecordedEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i += 1) {
      const event = events[i]!;
      const eventId = event.eventId ?? randomUUID();
      const data = serialiseData(streamName, event.data);
      const { actor, correlationId, causationId, schemaVersion } = event.metadata;
      const hash = computeEventHashWithCanonicalData(
        {
          streamName,
          revision,
          eventId,
          type: event.type,
          metadata: event.metadata,
          recordedAt,
          idempotencyKey,
          prevHash,
        },
        data,
      );
      const { lastInsertRowid } = statements.insertEvent.run(
        streamName,
        revision,
        eventId,
        event.type,
        data,
        actor,
        correlationId,
        causationId,
        schemaVersion,
        recordedAt,
        idempotencyKey,
        prevHash,
        hash,
      );
      recorded[i] = {
        streamName,
        eventId,
        type: event.type,
        revision,
        position: Number(lastInsertRowid),
        data: event.data,
        metadata: {
          actor,
          correlationId,
          causationId,
          schemaVersion,
          recordedAt,
          idempotencyKey,
          prevHash,
          hash,
        },
      };
      prevHash = hash;
      revision += 1;
    }
    const last = recorded[recorded.length - 1]!;
    statements.upsertStream.run(streamName, last.revision, last.metadata.hash);
    if (key !== undefined) {
      statements.insertIdempotencyKey.run(
        key,
        streamName,
        fingerprint!,
        recorded[0]!.position,
        last.position,
      );
    }
    return {
      nextExpectedRevision: last.revision,
      position: last.position,
      events: recorded,
      deduplicated: false,
    };
  });

  return (streamName, events, options) => {
    checkArguments(streamName, events, options?.expectedRevision ?? 'any');
    return write.immediate(streamName, events, options);
  };
}

/** The result of the append that first used an idempotency key, rebuilt from its stored events. */
function replay(statements: Statements, row: IdempotencyRow): AppendResult {
  const events = statements.eventsBetween.all(row.first_position, row.last_position).map(toRecordedEvent);
  const last = events[events.length - 1]!;
  return { nextExpectedRevision: last.revision, position: last.position, events, deduplicated: true };
}

export function lookupIdempotencyKey(statements: Statements, key: string): IdempotentAppend | null {
  const row = statements.findIdempotencyKey.get(key);
  return row === undefined ? null : { fingerprint: row.fingerprint, result: replay(statements, row) };
}
