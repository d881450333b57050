import { describe, expect, it } from 'vitest';
import { policy as terms } from '../testing/fixtures.js';
import { specify } from '../testing/given-when-then.js';
import { DEFAULT_HANDLING_DAYS, type PolicyEvent, policyDecider, type SetPolicy } from './policy.js';
import { type RecordSales, salesDecider } from './sales.js';
import { type SetSku, type SkuEvent, skuDecider } from './sku.js';
import { type SetVendor, type VendorEvent, vendorDecider } from './vendor.js';

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-02T00:00:00Z';
const CNY = (amount: number) => ({ amount, currency: 'CNY' });

describe('vendor', () => {
  const spec = specify(vendorDecider);
  const setVendor = (overrides: Partial<SetVendor> = {}): SetVendor => ({
    type: 'SetVendor',
    vendorId: 'v-acme',
    name: 'ACME',
    agreement: { turnaroundDays: 14 },
    occurredAt: T1,
    context: {
      policies: [
        { channel: 'tmall', repairPromiseDays: 20, handlingDays: 3 },
        { channel: 'jd', repairPromiseDays: 15, handlingDays: 1 },
      ],
    },
    ...overrides,
  });
  const registered: VendorEvent = {
    type: 'VendorRegistered',
    data: { vendorId: 'v-acme', name: 'ACME', turnaroundDays: 14, promiseConflicts: [], occurredAt: T1 },
  };

  it('registers a vendor with its agreement', () => {
    spec.given().when(setVendor()).thenEmits([registered]);
  });

  it('flags the channels whose repair promise is shorter than turnaround plus handling', () => {
    const events = spec
      .given()
      .when(setVendor({ agreement: { turnaroundDays: 18 } }))
      .thenTypes('VendorRegistered');
    expect(events[0]?.data).toMatchObject({
      promiseConflicts: [
        {
          channel: 'tmall',
          vendorId: 'v-acme',
          repairPromiseDays: 20,
          turnaroundDays: 18,
          handlingDays: 3,
          shortfallDays: 1,
        },
        {
          channel: 'jd',
          vendorId: 'v-acme',
          repairPromiseDays: 15,
          turnaroundDays: 18,
          handlingDays: 1,
          shortfallDays: 4,
        },
      ],
    });
  });

  it('records a changed agreement with the previous terms and its conflicts', () => {
    spec
      .given(registered)
      .when(setVendor({ agreement: { turnaroundDays: 14.5 }, occurredAt: T2 }))
      .thenRefused('LDG_INVALID_COMMAND', 'turnaroundDays');
    spec
      .given(registered)
      .when(setVendor({ agreement: { turnaroundDays: 21 }, occurredAt: T2 }))
      .thenEmits([
        {
          type: 'VendorAgreementChanged',
          data: {
            vendorId: 'v-acme',
            turnaroundDays: 21,
            previousTurnaroundDays: 14,
            promiseConflicts: [
              {
                channel: 'tmall',
                vendorId: 'v-acme',
                repairPromiseDays: 20,
                turnaroundDays: 21,
                handlingDays: 3,
                shortfallDays: 4,
              },
              {
                channel: 'jd',
                vendorId: 'v-acme',
                repairPromiseDays: 15,
                turnaroundDays: 21,
                handlingDays: 1,
                shortfallDays: 7,
              },
            ],
            occurredAt: T2,
          },
        },
      ]);
  });

  it('records a rename', () => {
    spec
      .given(registered)
      .when(setVendor({ name: 'ACME Ltd', occurredAt: T2 }))
      .thenEmits([
        {
          type: 'VendorRenamed',
          data: { vendorId: 'v-acme', name: 'ACME Ltd', previousName: 'ACME', occurredAt: T2 },
        },
      ]);
  });

  it('writes nothing when nothing changed', () => {
    spec
      .given(registered)
      .when(setVendor({ occurredAt: T2 }))
      .thenEmits([]);
  });

  it('refuses an occurredAt before the previous event', () => {
    spec
      .given(registered)
      .when(setVendor({ occurredAt: '2025-12-31T00:00:00Z' }))
      .thenRefused('LDG_OCCURRED_AT_BEFORE_PREVIOUS', 'occurredAt');
  });
});

describe('SKU', () => {
  const spec = specify(skuDecider);
  const setSku = (overrides: Partial<SetSku> = {}): SetSku => ({
    type: 'SetSku',
    sku: 'SKU-1',
    name: 'Kettle',
    vendorId: 'v-acme',
    pmId: 'pm-li',
    unitCost: CNY(12_000),
    category: 'kitchen',
    occurredAt: T1,
    context: { vendorRegistered: true },
    ...overrides,
  });
  const registered: SkuEvent = {
    type: 'SkuRegistered',
    data: {
      sku: 'SKU-1',
      name: 'Kettle',
      vendorId: 'v-acme',
      pmId: 'pm-li',
      unitCost: CNY(12_000),
      category: 'kitchen',
      occurredAt: T1,
    },
  };
  const period = { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };

  it('registers a SKU', () => {
    spec.given().when(setSku()).thenEmits([registered]);
  });

  it('refuses an unregistered vendor', () => {
    spec
      .given()
      .when(setSku({ context: { vendorRegistered: false } }))
      .thenRefused('LDG_VENDOR_NOT_FOUND', 'vendorId');
  });

  it('records a reassignment with the previous vendor and PM, and changed details separately', () => {
    const state = spec
      .given(registered)
      .when(setSku({ pmId: 'pm-zhao', unitCost: CNY(11_000), occurredAt: T2 }))
      .thenEmits([
        {
          type: 'SkuReassigned',
          data: {
            sku: 'SKU-1',
            vendorId: 'v-acme',
            pmId: 'pm-zhao',
            previousVendorId: 'v-acme',
            previousPmId: 'pm-li',
            occurredAt: T2,
          },
        },
        {
          type: 'SkuDetailsChanged',
          data: { sku: 'SKU-1', name: 'Kettle', unitCost: CNY(11_000), category: 'kitchen', occurredAt: T2 },
        },
      ]);
    expect(state.details).toMatchObject({ pmId: 'pm-zhao', unitCost: CNY(11_000) });
  });

  it('writes nothing when nothing changed', () => {
    spec
      .given(registered)
      .when(setSku({ occurredAt: T2 }))
      .thenEmits([]);
  });

  it('raises, escalates and clears the after-sales flag, each change once', () => {
    const raise = {
      type: 'RaiseAfterSalesFlag',
      sku: 'SKU-1',
      level: 'alert',
      ratio: 0.025,
      period,
      occurredAt: T2,
    } as const;
    const raised: SkuEvent = {
      type: 'SkuAfterSalesFlagRaised',
      data: { sku: 'SKU-1', level: 'alert', ratio: 0.025, period, occurredAt: T2 },
    };
    spec.given(registered).when(raise).thenEmits([raised]);
    spec.given(registered, raised).when(raise).thenEmits([]);
    spec
      .given(registered, raised)
      .when({ ...raise, level: 'delist', ratio: 0.06 })
      .thenEmits([
        {
          type: 'SkuAfterSalesFlagRaised',
          data: { sku: 'SKU-1', level: 'delist', ratio: 0.06, period, occurredAt: T2 },
        },
      ]);
    const clear = { type: 'ClearAfterSalesFlag', sku: 'SKU-1', ratio: 0.01, period, occurredAt: T2 } as const;
    spec
      .given(registered, raised)
      .when(clear)
      .thenEmits([
        {
          type: 'SkuAfterSalesFlagCleared',
          data: { sku: 'SKU-1', previousLevel: 'alert', ratio: 0.01, period, occurredAt: T2 },
        },
      ]);
    spec.given(registered).when(clear).thenEmits([]);
  });

  it('refuses an occurredAt before the previous event', () => {
    spec
      .given(registered)
      .when(setSku({ name: 'Kettle 2', occurredAt: '2025-12-31T00:00:00Z' }))
      .thenRefused('LDG_OCCURRED_AT_BEFORE_PREVIOUS', 'occurredAt');
  });

  it('refuses a flag on an unregistered SKU', () => {
    spec
      .given()
      .when({
        type: 'RaiseAfterSalesFlag',
        sku: 'SKU-9',
        level: 'alert',
        ratio: 0.03,
        period,
        occurredAt: T2,
      })
      .thenRefused('LDG_SKU_NOT_FOUND', 'sku');
  });
});

describe('channel policy', () => {
  const spec = specify(policyDecider);
  const setPolicy = (overrides: Partial<SetPolicy> = {}): SetPolicy => {
    const { handlingDays: _, ...rest } = terms;
    return {
      type: 'SetPolicy',
      channel: 'tmall',
      ...rest,
      occurredAt: T1,
      context: {
        vendors: [
          { vendorId: 'v-acme', turnaroundDays: 14 },
          { vendorId: 'v-slow', turnaroundDays: 30 },
        ],
      },
      ...overrides,
    };
  };

  it('sets every field, the default handling days, and flags the vendors too slow for the repair promise', () => {
    const state = spec
      .given()
      .when(setPolicy())
      .thenEmits([
        {
          type: 'ChannelPolicySet',
          data: {
            channel: 'tmall',
            ...terms,
            handlingDays: DEFAULT_HANDLING_DAYS,
            promiseConflicts: [
              {
                channel: 'tmall',
                vendorId: 'v-slow',
                repairPromiseDays: 20,
                turnaroundDays: 30,
                handlingDays: DEFAULT_HANDLING_DAYS,
                shortfallDays: 12,
              },
            ],
            occurredAt: T1,
          },
        },
      ]);
    expect(state.terms?.handlingDays).toBe(DEFAULT_HANDLING_DAYS);
  });

  it('writes nothing when the terms did not change, and a new event when they did', () => {
    const first = spec
      .given()
      .when(setPolicy({ handlingDays: 3 }))
      .thenTypes('ChannelPolicySet') as PolicyEvent[];
    spec
      .given(...first)
      .when(setPolicy({ handlingDays: 3, occurredAt: T2 }))
      .thenEmits([]);
    spec
      .given(...first)
      .when(setPolicy({ handlingDays: 3, warrantyDays: 730, occurredAt: T2 }))
      .thenTypes('ChannelPolicySet');
  });

  it('refuses an occurredAt before the previous event', () => {
    const first = spec
      .given()
      .when(setPolicy({ occurredAt: T2 }))
      .thenTypes('ChannelPolicySet') as PolicyEvent[];
    spec
      .given(...first)
      .when(setPolicy({ warrantyDays: 1, occurredAt: T1 }))
      .thenRefused('LDG_OCCURRED_AT_BEFORE_PREVIOUS', 'occurredAt');
  });

  it('refuses malformed terms', () => {
    spec
      .given()
      .when(setPolicy({ returnWindowDays: -1 }))
      .thenRefused('LDG_INVALID_COMMAND', 'returnWindowDays');
    spec
      .given()
      .when(setPolicy({ autoApproveLimit: { amount: 1, currency: 'yuan' } }))
      .thenRefused('LDG_INVALID_COMMAND', 'autoApproveLimit.currency');
  });
});

describe('sales', () => {
  const spec = specify(salesDecider);
  const record: RecordSales = {
    type: 'RecordSales',
    sku: 'SKU-1',
    quantity: 120,
    soldOn: '2026-01-01',
    occurredAt: T1,
    context: { skuRegistered: true },
  };

  it('records units sold on a day, adding up', () => {
    const event = {
      type: 'SalesRecorded',
      data: { sku: 'SKU-1', quantity: 120, soldOn: '2026-01-01', occurredAt: T1 },
    } as const;
    spec.given().when(record).thenEmits([event]);
    const state = spec.given(event).when(record).thenEmits([event]);
    expect(state.unitsSold).toBe(240);
  });

  it('refuses an occurredAt before the previous event', () => {
    const event = {
      type: 'SalesRecorded',
      data: { sku: 'SKU-1', quantity: 1, soldOn: '2026-01-02', occurredAt: T2 },
    } as const;
    spec.given(event).when(record).thenRefused('LDG_OCCURRED_AT_BEFORE_PREVIOUS', 'occurredAt');
  });

  it('refuses an unregistered SKU, a non-positive quantity and a bad day', () => {
    spec
      .given()
      .when({ ...record, context: { skuRegistered: false } })
      .thenRefused('LDG_SKU_NOT_FOUND', 'sku');
    spec
      .given()
      .when({ ...record, quantity: 0 })
      .thenRefused('LDG_INVALID_COMMAND', 'quantity');
    spec
      .given()
      .when({ ...record, soldOn: '2026-13-01' })
      .thenRefused('LDG_INVALID_COMMAND', 'soldOn');
  });
});
