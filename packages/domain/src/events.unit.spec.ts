import { describe, expect, it } from 'vitest';
import { caseDecider } from './case/decider.js';
import type { CaseEvent } from './case/events.js';
import { replay } from './decider.js';
import {
  currentSchemaVersion,
  EVENT_CATALOGUE,
  EventSchemaError,
  isCaseEvent,
  isRmaUnitEvent,
  parseEvent,
} from './events.js';
import { caseOpened, sealed } from './testing/fixtures.js';

const v1 = {
  caseId: 'c-legacy',
  orderId: 'o-9',
  channel: 'jd',
  sku: 'SKU-1',
  quantity: 1,
  unitPrice: '199.90',
  currency: 'CNY',
  purchasedAt: '2025-11-02',
  reason: 'imported from the refunds sheet',
  customer: { id: 'cust-9', personalData: sealed },
  vendorId: 'v-acme',
  pmId: 'pm-li',
  occurredAt: '2025-11-10T08:00:00Z',
};

describe('the event catalogue', () => {
  it('writes CaseOpened at version 2 and everything else at version 1', () => {
    expect(currentSchemaVersion('CaseOpened')).toBe(2);
    expect(currentSchemaVersion('UnitWrittenOff')).toBe(1);
    const others = Object.keys(EVENT_CATALOGUE).filter((type) => type !== 'CaseOpened');
    expect(others).toHaveLength(39);
    for (const type of others) expect(currentSchemaVersion(type)).toBe(1);
  });

  it('parses current data unchanged', () => {
    const event = caseOpened();
    expect(parseEvent('CaseOpened', 2, JSON.parse(JSON.stringify(event.data)))).toEqual(event);
  });

  it('upcasts a v1 CaseOpened from the spreadsheet import to exact minor units and the refund resolution', () => {
    expect(parseEvent('CaseOpened', 1, v1)).toEqual({
      type: 'CaseOpened',
      data: {
        caseId: 'c-legacy',
        orderId: 'o-9',
        channel: 'jd',
        sku: 'SKU-1',
        quantity: 1,
        unitPrice: { amount: 19_990, currency: 'CNY' },
        purchasedAt: '2025-11-02T00:00:00.000Z',
        reason: 'imported from the refunds sheet',
        resolution: 'refund',
        customer: { id: 'cust-9', personalData: sealed },
        vendorId: 'v-acme',
        pmId: 'pm-li',
        occurredAt: '2025-11-10T08:00:00Z',
      },
    });
  });

  it('converts v1 prices with the decimals of each currency', () => {
    const price = (unitPrice: string, currency: string) =>
      (
        parseEvent('CaseOpened', 1, { ...v1, unitPrice, currency }) as Extract<
          CaseEvent,
          { type: 'CaseOpened' }
        >
      ).data.unitPrice;
    expect(price('1990', 'JPY')).toEqual({ amount: 1990, currency: 'JPY' });
    expect(price('12.5', 'KWD')).toEqual({ amount: 12_500, currency: 'KWD' });
    expect(price('0.1', 'EUR')).toEqual({ amount: 10, currency: 'EUR' });
    expect(() => price('19.9', 'JPY')).toThrow(EventSchemaError);
  });

  it('replays a stream that starts with a v1 event', () => {
    const opened = parseEvent('CaseOpened', 1, v1);
    const closed = parseEvent('CaseClosed', 1, { resolution: 'refund', occurredAt: '2025-11-20T08:00:00Z' });
    if (!isCaseEvent(opened) || !isCaseEvent(closed)) throw new Error('not case events');
    const state = replay(caseDecider, [opened, closed]);
    expect(state).toMatchObject({
      status: 'closed',
      closedWith: 'refund',
      opened: { unitPrice: { amount: 19_990, currency: 'CNY' }, resolution: 'refund' },
    });
  });

  it('refuses unknown types, unknown versions and invalid data', () => {
    expect(() => parseEvent('CaseReopened', 1, {})).toThrow(/unknown event type/);
    expect(() => parseEvent('CaseOpened', 3, caseOpened().data)).toThrow(/unknown schema version/);
    expect(() => parseEvent('CaseOpened', 0, caseOpened().data)).toThrow(/unknown schema version/);
    expect(() => parseEvent('CaseOpened', 2, { ...caseOpened().data, quantity: -1 })).toThrow(/quantity/);
    expect(() => parseEvent('CaseOpened', 1, { ...v1, unitPrice: 'abc' })).toThrow(/upcast failed/);
  });

  it('tells the aggregate an event belongs to', () => {
    const event = parseEvent('VendorDunned', 1, {
      dispatchNo: 1,
      dunningNo: 1,
      note: 'x',
      occurredAt: v1.occurredAt,
    });
    expect(isRmaUnitEvent(event)).toBe(true);
    expect(isCaseEvent(event)).toBe(false);
  });
});
