import {
  ANY,
  type RecordedEvent as ClientRecordedEvent,
  NO_STREAM,
  STREAM_EXISTS,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  defaultIdempotencyFingerprint,
  type RecordedMetadata,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '@rma-ledger/event-store';
import { describe, expect, it } from 'vitest';
import { isWrongExpectedVersion, toWrongExpectedRevisionError } from './conflicts.js';
import { asStoreError, UnreadableEventError } from './errors.js';
import { deterministicEventId, idempotencyStreamName } from './event-ids.js';
import { decodeIntent } from './idempotency-record.js';
import { decodeMetadata, encodeMetadata } from './metadata.js';
import { fromClientPosition, toClientPosition } from './positions.js';
import { toRecordedEvent } from './recorded-event.js';
import {
  expectedStateOf,
  fromClientExpectedRevision,
  fromClientRevision,
  fromCurrentRevision,
  retriesOnConflict,
  satisfiesExpected,
  toClientExpectedRevision,
} from './revisions.js';
import { isLedgerEvent, isReservedStreamName } from './visibility.js';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const recordedMetadata: RecordedMetadata = {
  actor: 'user:alice',
  correlationId: 'corr-1',
  causationId: null,
  schemaVersion: 2,
  recordedAt: '2026-11-23T17:00:00.000Z',
  idempotencyKey: 'cmd-1',
  prevHash: null,
  hash: 'a'.repeat(64),
};

describe('expected revisions', () => {
  it('maps every port expectation to the client and back unchanged', () => {
    expect(toClientExpectedRevision('any')).toBe(ANY);
    expect(toClientExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toClientExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toClientExpectedRevision(7)).toBe(7n);
    for (const expected of ['any', 'no_stream', 'stream_exists', 0, 7] as const) {
      expect(fromClientExpectedRevision(toClientExpectedRevision(expected))).toBe(expected);
    }
  });

  it('rejects revisions that are not non-negative safe integers, both ways', () => {
    expect(() => toClientExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toClientExpectedRevision(1.5)).toThrow(RangeError);
    expect(() => fromClientRevision(2n ** 53n)).toThrow(RangeError);
    expect(fromClientRevision(2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('maps the client current revision: no_stream is null, a bigint is a number', () => {
    expect(fromCurrentRevision(NO_STREAM)).toBeNull();
    expect(fromCurrentRevision(3n)).toBe(3);
  });

  it('sends the exact state read: NO_STREAM for an absent stream, the revision otherwise', () => {
    expect(expectedStateOf(null)).toBe(NO_STREAM);
    expect(expectedStateOf(4)).toBe(4n);
  });

  it('checks the caller expectation against the current revision', () => {
    const table: [Parameters<typeof satisfiesExpected>[0], number | null, boolean][] = [
      ['any', null, true],
      ['any', 3, true],
      ['no_stream', null, true],
      ['no_stream', 0, false],
      ['stream_exists', null, false],
      ['stream_exists', 0, true],
      [0, null, false],
      [1, 1, true],
      [1, 2, false],
    ];
    for (const [expected, current, satisfied] of table) {
      expect(satisfiesExpected(expected, current), `${String(expected)} vs ${String(current)}`).toBe(
        satisfied,
      );
    }
  });

  it('retries a lost race only for any and stream_exists', () => {
    expect(retriesOnConflict('any')).toBe(true);
    expect(retriesOnConflict('stream_exists')).toBe(true);
    expect(retriesOnConflict('no_stream')).toBe(false);
    expect(retriesOnConflict(3)).toBe(false);
  });
});

describe('conflicts', () => {
  it('given the client WrongExpectedVersionError for an exact revision, then the port error carries its fields', () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'order-1',
      expected: 1n,
      current: 4n,
    });

    expect(isWrongExpectedVersion(error)).toBe(true);
    const mapped = toWrongExpectedRevisionError(error);
    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ streamName: 'order-1', expected: 1, actual: 4 });
  });

  it('given a conflict on a missing stream, then actual is null; given no_stream on an existing one, then actual is its revision', () => {
    const missing = toWrongExpectedRevisionError({
      streamName: 'order-1',
      expectedVersion: 0n,
      actualVersion: NO_STREAM,
    });
    const existing = toWrongExpectedRevisionError({
      streamName: 'order-1',
      expectedVersion: NO_STREAM,
      actualVersion: 2n,
    });

    expect(missing).toMatchObject({ expected: 0, actual: null });
    expect(existing).toMatchObject({ expected: 'no_stream', actual: 2 });
  });

  it('does not take other errors for conflicts', () => {
    expect(isWrongExpectedVersion(new Error('wrong expected version'))).toBe(false);
    expect(isWrongExpectedVersion({ streamName: 'x', expectedVersion: 1n, actualVersion: 2n })).toBe(false);
  });
});

describe('global positions', () => {
  it('takes the commit position and resumes from { commit: n, prepare: n }', () => {
    expect(fromClientPosition({ commit: 1234n, prepare: 1234n })).toBe(1234);
    expect(toClientPosition(1234)).toEqual({ commit: 1234n, prepare: 1234n });
    expect(fromClientPosition(toClientPosition(987654321))).toBe(987654321);
  });

  it('rejects positions that cannot be numbers', () => {
    expect(() => fromClientPosition({ commit: 2n ** 53n, prepare: 2n ** 53n })).toThrow(RangeError);
    expect(() => toClientPosition(-1)).toThrow(RangeError);
  });
});

describe('visibility of $all events', () => {
  it('keeps ledger events and drops system streams, system event types and the adapter streams', () => {
    expect(isLedgerEvent('order-1', 'Placed')).toBe(true);
    expect(isLedgerEvent('$settings', 'Settings')).toBe(false);
    expect(isLedgerEvent('$$order-1', '$metadata')).toBe(false);
    expect(isLedgerEvent('order-1', '$>')).toBe(false);
    expect(isLedgerEvent(idempotencyStreamName('cmd-1'), 'ldg.idempotency-intent')).toBe(false);
  });

  it('reserves system and adapter stream names', () => {
    expect(isReservedStreamName('$all')).toBe(true);
    expect(isReservedStreamName(idempotencyStreamName('k'))).toBe(true);
    expect(isReservedStreamName('order-1')).toBe(false);
  });
});

describe('deterministic event ids', () => {
  it('are UUID v5, stable for a key and index, and distinct across indexes and keys', () => {
    const id = deterministicEventId('cmd-1', 0);
    expect(id).toMatch(UUID_V5);
    expect(deterministicEventId('cmd-1', 0)).toBe(id);
    const all = new Set([
      id,
      deterministicEventId('cmd-1', 1),
      deterministicEventId('cmd-2', 0),
      deterministicEventId('cmd-1#1', 0),
      deterministicEventId('cmd-1#', 10),
    ]);
    expect(all.size).toBe(5);
  });

  it('names one internal stream per key', () => {
    expect(idempotencyStreamName('cmd-1')).toBe(idempotencyStreamName('cmd-1'));
    expect(idempotencyStreamName('cmd-1')).not.toBe(idempotencyStreamName('cmd-2'));
    expect(idempotencyStreamName('cmd-1')).toMatch(/^ldg-idempotency-[0-9a-f]{64}$/);
  });
});

describe('metadata', () => {
  it('round-trips through JSON unchanged', () => {
    const stored = JSON.parse(JSON.stringify(encodeMetadata(recordedMetadata)));
    expect(decodeMetadata(stored)).toEqual(recordedMetadata);
  });

  it('stores only the recorded fields', () => {
    const withExtra = { ...recordedMetadata, secret: 'x' } as RecordedMetadata;
    expect(Object.keys(encodeMetadata(withExtra)).sort()).toEqual(Object.keys(recordedMetadata).sort());
  });

  it('names the field that is missing or mistyped', () => {
    expect(() => decodeMetadata(undefined)).toThrow('not a JSON object');
    expect(() => decodeMetadata({ ...recordedMetadata, hash: undefined })).toThrow('metadata.hash');
    expect(() => decodeMetadata({ ...recordedMetadata, schemaVersion: '2' })).toThrow(
      'metadata.schemaVersion',
    );
    expect(() => decodeMetadata({ ...recordedMetadata, causationId: 5 })).toThrow('metadata.causationId');
  });
});

describe('recorded events', () => {
  const clientEvent = (overrides: Partial<ClientRecordedEvent> = {}): ClientRecordedEvent =>
    ({
      streamId: 'order-1',
      id: '6f1d2c3b-4a59-4e7f-8a1b-2c3d4e5f6a7b',
      isJson: true,
      revision: 3n,
      type: 'Placed',
      created: new Date(),
      data: { total: 10 },
      metadata: encodeMetadata(recordedMetadata),
      position: { commit: 5000n, prepare: 5000n },
      ...overrides,
    }) as ClientRecordedEvent;

  it('maps a client event to the port shape', () => {
    expect(toRecordedEvent(clientEvent())).toEqual({
      streamName: 'order-1',
      eventId: '6f1d2c3b-4a59-4e7f-8a1b-2c3d4e5f6a7b',
      type: 'Placed',
      revision: 3,
      position: 5000,
      data: { total: 10 },
      metadata: recordedMetadata,
    });
  });

  it('refuses events without ledger metadata or position as unreadable', () => {
    expect(() => toRecordedEvent(clientEvent({ metadata: undefined }))).toThrow(UnreadableEventError);
    expect(() => toRecordedEvent(clientEvent({ position: undefined }))).toThrow(/position/);
  });
});

describe('idempotency records', () => {
  it('decodes a well-formed intent and rejects a malformed one', () => {
    const intent = {
      idempotencyKey: 'k',
      fingerprint: 'f',
      streamName: 'order-1',
      streamRevision: null,
      eventIds: [deterministicEventId('k', 0)],
      events: [
        {
          type: 'Placed',
          data: { total: 10 },
          metadata: { actor: 'user:alice', correlationId: 'c', causationId: null, schemaVersion: 1 },
        },
      ],
    };
    expect(decodeIntent(JSON.parse(JSON.stringify(intent)))).toEqual(intent);
    expect(() => decodeIntent({ ...intent, eventIds: [] })).toThrow(TypeError);
    expect(() => decodeIntent({ ...intent, streamRevision: '1' })).toThrow(TypeError);
    expect(() => decodeIntent({ ...intent, events: [] })).toThrow(TypeError);
    expect(() => decodeIntent({ ...intent, events: [{ type: 'Placed', data: {} }] })).toThrow(TypeError);
  });

  it('fingerprints the stream and each event type, data and schema version, not ids or actors', () => {
    const placed = {
      type: 'Placed',
      data: { total: 10 },
      metadata: { actor: 'a', correlationId: 'c', causationId: null, schemaVersion: 1 },
    };
    const base = defaultIdempotencyFingerprint('order-1', [placed]);
    const retried = defaultIdempotencyFingerprint('order-1', [
      {
        ...placed,
        eventId: '6f1d2c3b-4a59-4e7f-8a1b-2c3d4e5f6a7b',
        metadata: { ...placed.metadata, actor: 'b' },
      },
    ]);
    expect(retried).toBe(base);
    expect(defaultIdempotencyFingerprint('order-2', [placed])).not.toBe(base);
    expect(defaultIdempotencyFingerprint('order-1', [{ ...placed, data: { total: 11 } }])).not.toBe(base);
    expect(
      defaultIdempotencyFingerprint('order-1', [
        { ...placed, metadata: { ...placed.metadata, schemaVersion: 2 } },
      ]),
    ).not.toBe(base);
  });
});

describe('connection failures', () => {
  it('become StoreUnavailableError; other errors pass through unchanged', () => {
    const unavailable = new UnavailableError();
    const conflict = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 1n });
    const other = new Error('boom');

    expect(asStoreError(unavailable)).toBeInstanceOf(StoreUnavailableError);
    expect(asStoreError(unavailable)).toMatchObject({ code: 'LDG_STORE_UNAVAILABLE', cause: unavailable });
    expect(asStoreError(conflict)).toBe(conflict);
    expect(asStoreError(other)).toBe(other);
  });
});
