import type { RecordedEvent } from '@rma-ledger/event-store';
import { describe, expect, it } from 'vitest';
import { parseDomainEvent, parseStoredDomainEvent } from './parse-domain-event.js';

function recorded(type: string, schemaVersion: number, data: RecordedEvent['data']): RecordedEvent {
  return {
    streamName: 'rma-unit-u1',
    eventId: 'e1',
    type,
    revision: 0,
    position: 1,
    data,
    metadata: {
      actor: 'test',
      correlationId: 'c',
      causationId: null,
      schemaVersion,
      recordedAt: '2026-01-01T00:00:00.000Z',
      idempotencyKey: null,
      prevHash: null,
      hash: '',
    },
  };
}

const sealed = {
  alg: 'aes-256-gcm',
  keyId: 'k',
  iv: 'AAAAAAAAAAAAAAAA',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
  ciphertext: 'c2VhbGVk',
};
const caseOpenedV1 = {
  caseId: 'c1',
  orderId: 'o1',
  channel: 'web',
  sku: 'A',
  quantity: 1,
  unitPrice: '19.90',
  currency: 'EUR',
  purchasedAt: '2026-01-01',
  reason: 'faulty',
  customer: { id: 'cust', personalData: sealed },
  vendorId: 'V1',
  pmId: 'P1',
  occurredAt: '2026-01-02T00:00:00.000Z',
};

describe('parsing stored domain events', () => {
  it('validates current-version data with the domain parser, and takes it as stored with the trusting one', () => {
    const invalid = recorded('UnitGraded', 1, { grade: 'shiny', occurredAt: '2026-01-02T00:00:00.000Z' });
    expect(() => parseDomainEvent(invalid)).toThrow(/UnitGraded/);
    expect(parseStoredDomainEvent(invalid)).toEqual({ type: 'UnitGraded', data: invalid.data });
  });

  it('upcasts an older schema version with both parsers', () => {
    const old = recorded('CaseOpened', 1, caseOpenedV1);
    for (const parse of [parseDomainEvent, parseStoredDomainEvent]) {
      expect(parse(old)).toMatchObject({
        type: 'CaseOpened',
        data: { unitPrice: { amount: 1990, currency: 'EUR' }, purchasedAt: '2026-01-01T00:00:00.000Z' },
      });
    }
  });
});
