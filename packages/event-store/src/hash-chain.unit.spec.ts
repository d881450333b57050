import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  computeEventHash,
  computeEventHashWithCanonicalData,
  type HashedContent,
  StreamChainChecker,
} from './hash-chain.js';
import type { JsonValue, RecordedEvent } from './types.js';

describe('canonicalJson', () => {
  it('given objects with the same members in different orders, then it writes the same text', () => {
    expect(canonicalJson({ b: 1, a: 2, c: { z: true, y: null } })).toBe(
      canonicalJson({ c: { y: null, z: true }, a: 2, b: 1 }),
    );
  });

  it('sorts keys at every depth, keeps array order and writes no white space', () => {
    expect(canonicalJson({ z: [3, 1, { b: 'x', a: [] }], a: { d: 1.5, c: 'é "q"' } })).toBe(
      '{"a":{"c":"é \\"q\\"","d":1.5},"z":[3,1,{"a":[],"b":"x"}]}',
    );
  });

  it('writes scalars as JSON does', () => {
    expect([null, true, false, 0, -12.25, 'text'].map((value) => canonicalJson(value))).toEqual([
      'null',
      'true',
      'false',
      '0',
      '-12.25',
      '"text"',
    ]);
  });

  it('leaves out members whose value is undefined, as JSON does', () => {
    const withUndefined = { a: 1, b: undefined } as unknown as { a: number };
    expect(canonicalJson(withUndefined)).toBe('{"a":1}');
  });

  class Money {
    constructor(readonly amount = 1) {}
  }
  const notJson: [string, unknown][] = [
    ['undefined in an array', [1, undefined]],
    ['a hole in a sparse array', Object.assign([], { 1: 3 })],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 10n],
    ['a Date', new Date(0)],
    ['an object with toJSON from a class', new URL('https://example.com/')],
    ['a class instance', new Money()],
    ['a Map', new Map([['a', 1]])],
    ['a boxed string', Object('text')],
  ];
  it.each(notJson)('given %s anywhere, then it refuses with a TypeError', (_case, value) => {
    expect(() => canonicalJson(value as JsonValue)).toThrow(TypeError);
    expect(() => canonicalJson({ nested: [1, { deeper: value }] } as JsonValue)).toThrow(TypeError);
  });

  it('given undefined as the whole value, then it refuses with a TypeError', () => {
    expect(() => canonicalJson(undefined as unknown as JsonValue)).toThrow(TypeError);
  });

  it('accepts an object without a prototype, as plain data', () => {
    const bare = Object.assign(Object.create(null) as Record<string, JsonValue>, { b: 1, a: [true] });
    expect(canonicalJson(bare)).toBe('{"a":[true],"b":1}');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'given the non-finite number %s anywhere, then it refuses to serialise',
    (value) => {
      expect(() => canonicalJson(value)).toThrow(TypeError);
      expect(() => canonicalJson({ nested: [1, { deeper: value }] })).toThrow(TypeError);
    },
  );
});

const content: HashedContent = {
  streamName: 'order-1',
  revision: 3,
  eventId: '2f0c0f76-8e2b-4c34-9f0e-0f5a4d1e2b3c',
  type: 'ReturnReceived',
  data: { items: [{ sku: 'A-1', quantity: 2 }], note: null },
  metadata: { actor: 'user:alice', correlationId: 'req-1', causationId: 'cmd-1', schemaVersion: 1 },
  recordedAt: '2026-03-01T09:30:00.000Z',
  idempotencyKey: 'key-1',
  prevHash: 'a'.repeat(64),
};

describe('computeEventHash', () => {
  it('is a SHA-256 hex digest and deterministic', () => {
    const hash = computeEventHash(content);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(computeEventHash({ ...content })).toBe(hash);
  });

  const nulls: HashedContent = {
    ...content,
    streamName: 'order "special" ü',
    metadata: { ...content.metadata, causationId: null },
    idempotencyKey: null,
    prevHash: null,
  };
  it.each([
    ['every member set', content],
    ['null members and escaped text', nulls],
  ])('is the SHA-256 of the canonical JSON of the whole event (%s)', (_case, hashed) => {
    const { actor, correlationId, causationId, schemaVersion } = hashed.metadata;
    const whole = canonicalJson({
      ...hashed,
      metadata: { actor, correlationId, causationId, schemaVersion },
    });
    expect(computeEventHash(hashed)).toBe(createHash('sha256').update(whole, 'utf8').digest('hex'));
  });

  it('gives the same digest when the writer passes the data already serialised', () => {
    const { data, ...rest } = content;
    expect(computeEventHashWithCanonicalData(rest, canonicalJson(data))).toBe(computeEventHash(content));
  });

  it('does not depend on the key order of the data', () => {
    const reordered = { ...content, data: { note: null, items: [{ quantity: 2, sku: 'A-1' }] } };
    expect(computeEventHash(reordered)).toBe(computeEventHash(content));
  });

  const changes: [string, Partial<HashedContent>][] = [
    ['stream name', { streamName: 'order-2' }],
    ['revision', { revision: 4 }],
    ['event id', { eventId: '2f0c0f76-8e2b-4c34-9f0e-0f5a4d1e2b3d' }],
    ['type', { type: 'ReturnRejected' }],
    ['data', { data: { items: [{ sku: 'A-1', quantity: 3 }], note: null } }],
    ['actor', { metadata: { ...content.metadata, actor: 'user:bob' } }],
    ['correlation id', { metadata: { ...content.metadata, correlationId: 'req-2' } }],
    ['causation id', { metadata: { ...content.metadata, causationId: null } }],
    ['schema version', { metadata: { ...content.metadata, schemaVersion: 2 } }],
    ['recorded at', { recordedAt: '2026-03-01T09:30:00.001Z' }],
    ['idempotency key', { idempotencyKey: null }],
    ['previous hash', { prevHash: 'b'.repeat(64) }],
  ];
  it.each(changes)('changes when the %s changes', (_field, change) => {
    expect(computeEventHash({ ...content, ...change })).not.toBe(computeEventHash(content));
  });

  it('ignores metadata fields outside the caller metadata it covers', () => {
    const extra = { ...content.metadata, recordedAt: 'elsewhere', hash: 'x' } as HashedContent['metadata'];
    expect(computeEventHash({ ...content, metadata: extra })).toBe(computeEventHash(content));
  });
});

/** A correctly chained stream of `count` events. */
function chain(count: number): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  let prevHash: string | null = null;
  for (let revision = 0; revision < count; revision += 1) {
    const base = {
      streamName: 'order-1',
      revision,
      eventId: `00000000-0000-4000-8000-00000000000${revision}`,
      type: 'Numbered',
      data: { n: revision },
      metadata: { actor: 'user:alice', correlationId: 'req-1', causationId: null, schemaVersion: 1 },
      recordedAt: '2026-03-01T09:30:00.000Z',
      idempotencyKey: null,
      prevHash,
    };
    const hash = computeEventHash(base);
    events.push({
      streamName: base.streamName,
      revision,
      position: 100 + revision * 10,
      eventId: base.eventId,
      type: base.type,
      data: base.data,
      metadata: { ...base.metadata, recordedAt: base.recordedAt, idempotencyKey: null, prevHash, hash },
    });
    prevHash = hash;
  }
  return events;
}

function firstBreak(events: readonly RecordedEvent[]) {
  const checker = new StreamChainChecker();
  for (const event of events) {
    const broken = checker.check(event);
    if (broken !== undefined) return broken;
  }
  return undefined;
}

describe('StreamChainChecker', () => {
  it('given an intact chain, then it finds no broken link', () => {
    expect(firstBreak(chain(4))).toBeUndefined();
  });

  it('given a missing revision, then it reports a revision gap at the next event', () => {
    const events = chain(4);
    const broken = firstBreak([events[0]!, events[1]!, events[3]!]);
    expect(broken).toMatchObject({
      streamName: 'order-1',
      revision: 3,
      position: 130,
      eventId: events[3]!.eventId,
      reason: 'revision-gap',
    });
  });

  it('given a stream that does not start at revision 0, then it reports a revision gap', () => {
    expect(firstBreak(chain(3).slice(1))).toMatchObject({ revision: 1, reason: 'revision-gap' });
  });

  it('given a prevHash that does not link to the previous hash, then it reports a prev-hash mismatch', () => {
    const events = chain(3);
    const relinked = { ...events[2]!, metadata: { ...events[2]!.metadata, prevHash: 'c'.repeat(64) } };
    expect(firstBreak([events[0]!, events[1]!, relinked])).toMatchObject({
      revision: 2,
      reason: 'prev-hash-mismatch',
    });
  });

  it('given an event whose content no longer matches its hash, then it reports a hash mismatch', () => {
    const events = chain(3);
    const altered = { ...events[1]!, data: { n: 99 } };
    expect(firstBreak([events[0]!, altered, events[2]!])).toMatchObject({
      revision: 1,
      eventId: events[1]!.eventId,
      reason: 'hash-mismatch',
    });
  });

  it('given an event whose stored hash was replaced, then it reports a hash mismatch there', () => {
    const events = chain(2);
    const rehashed = { ...events[1]!, metadata: { ...events[1]!.metadata, hash: 'd'.repeat(64) } };
    expect(firstBreak([events[0]!, rehashed])).toMatchObject({ revision: 1, reason: 'hash-mismatch' });
  });
});
