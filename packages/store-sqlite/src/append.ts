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

/** Refuses what no store could write; run before an append is queued. */
export function checkArguments(
  streamName: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision,
) {
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

export interface AppendRequest {
  readonly streamName: string;
  readonly events: readonly EventToAppend[];
  readonly options: AppendOptions | undefined;
  /** When the store accepted the append (ISO-8601 UTC), stamped by the caller's clock. */
  readonly recordedAt: string;
}

/** Each request's result, or what it threw; in request order. */
export type AppendOutcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: unknown };

/** Writes several appends in one transaction: each commits or fails on its own, and all share one commit (one fsync). */
export type GroupAppendFn = (requests: readonly AppendRequest[]) => AppendOutcome[];

/**
 * Builds the group append: one immediate transaction (so several processes on one file queue on
 * the write lock instead of deadlocking) holding one savepoint per append, each already checked
 * with `checkArguments`. Each append checks its idempotency key, then its expected revision
 * against the streams table (seeing the appends before it in the group, exactly as if they had
 * committed one by one), then writes every event with its hash-chain link. An append that fails rolls back to its savepoint and leaves the others
 * in the group untouched. If the commit itself fails, the whole group fails.
 */
export function createGroupAppend(db: Database, statements: Statements): GroupAppendFn {
  const one = createAppendTransaction(db, statements);
  const group: Transaction<GroupAppendFn> = db.transaction((requests) =>
    requests.map((request): AppendOutcome => {
      try {
        // Nested inside the group's transaction, better-sqlite3 runs this one as a savepoint.
        return { ok: true, result: one(request) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  return (requests) => group.immediate(requests);
}

function createAppendTransaction(
  db: Database,
  statements: Statements,
): Transaction<(request: AppendRequest) => AppendResult> {
  return db.transaction(({ streamName, events, options, recordedAt }: AppendRequest) => {
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
