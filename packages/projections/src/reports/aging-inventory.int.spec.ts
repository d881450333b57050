import type { DomainEvent } from '@rma-ledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectionRunner } from '../projection-runner.js';
import { day, ReportScenario } from '../test-support/report-scenario.js';
import { ageBucket, agingInventoryCsv, agingInventoryReport } from './aging-inventory.js';

let runner: ProjectionRunner<DomainEvent>;
const unit = (s: ReportScenario, id: string, at: string, pm = 'P1') =>
  s.enter(id, `c-${id}`, 'A', 'V1', pm, 1000, 'EUR', at);

beforeAll(async () => {
  const s = new ReportScenario();
  unit(s, 'a7', day(5)).grade('a7', 'resellable', day(6)).restock('a7', day(50));
  s.enter('a6', 'c-a6', 'B', 'V2', 'P2', 5000, 'USD', day(9)).grade('a6', 'scrap', day(10));
  unit(s, 'a5', day(10))
    .grade('a5', 'defective', day(11))
    .dispatch('a5', 1, 'V1', day(12), day(22))
    .repaired('a5', 1, day(20))
    .retest('a5', 1, false, day(21));
  unit(s, 'a4', day(39)).dispatch('a4', 1, 'V1', day(40), day(50)).repaired('a4', 1, day(50));
  unit(s, 'a3', day(40)).grade('a3', 'repairable', day(41)).dispatch('a3', 1, 'V1', day(42), day(52));
  unit(s, 'a2', day(69)).grade('a2', 'defective', day(69));
  unit(s, 'a8', day(69, 1));
  unit(s, 'a1', day(70));
  unit(s, 'a9', day(95), 'P3');
  runner = await s.project();
});
afterAll(() => runner.stop());

const report = (asOf: string) => runner.read('reports', (db) => agingInventoryReport(db, { asOf }));

describe('aging RMA inventory', () => {
  it('buckets whole days since custody entry at the 30/31, 60/61 and 90/91 boundaries', () => {
    expect([0, 30, 31, 60, 61, 90, 91, 400].map(ageBucket)).toEqual([
      '0-30',
      '0-30',
      '31-60',
      '31-60',
      '61-90',
      '61-90',
      '91+',
      '91+',
    ]);
  });

  it('as of day 100: count and unit cost per bucket, custody state, PM, vendor and currency', () => {
    const r = report(day(100));
    expect(r.groups).toEqual([
      // a1 is 30 days old; a8 entered a millisecond after a2 and is 30 days old, not 31
      {
        bucket: '0-30',
        state: 'awaiting-inspection',
        pmId: 'P1',
        vendorId: 'V1',
        currency: 'EUR',
        units: 2,
        totalUnitCost: 2000,
      },
      {
        bucket: '0-30',
        state: 'awaiting-inspection',
        pmId: 'P3',
        vendorId: 'V1',
        currency: 'EUR',
        units: 1,
        totalUnitCost: 1000,
      },
      // a2: 31 days; a3: 60 days
      {
        bucket: '31-60',
        state: 'awaiting-dispatch',
        pmId: 'P1',
        vendorId: 'V1',
        currency: 'EUR',
        units: 1,
        totalUnitCost: 1000,
      },
      {
        bucket: '31-60',
        state: 'at-vendor',
        pmId: 'P1',
        vendorId: 'V1',
        currency: 'EUR',
        units: 1,
        totalUnitCost: 1000,
      },
      // a5 (failed its retest: back to awaiting dispatch): 90 days; a4: 61 days
      {
        bucket: '61-90',
        state: 'awaiting-dispatch',
        pmId: 'P1',
        vendorId: 'V1',
        currency: 'EUR',
        units: 1,
        totalUnitCost: 1000,
      },
      {
        bucket: '61-90',
        state: 'awaiting-retest',
        pmId: 'P1',
        vendorId: 'V1',
        currency: 'EUR',
        units: 1,
        totalUnitCost: 1000,
      },
      // a6: 91 days
      {
        bucket: '91+',
        state: 'awaiting-disposition',
        pmId: 'P2',
        vendorId: 'V2',
        currency: 'USD',
        units: 1,
        totalUnitCost: 5000,
      },
    ]);
    expect(r.byBucketAndState).toEqual([
      { bucket: '0-30', state: 'awaiting-inspection', currency: 'EUR', units: 3, totalUnitCost: 3000 },
      { bucket: '31-60', state: 'awaiting-dispatch', currency: 'EUR', units: 1, totalUnitCost: 1000 },
      { bucket: '31-60', state: 'at-vendor', currency: 'EUR', units: 1, totalUnitCost: 1000 },
      { bucket: '61-90', state: 'awaiting-dispatch', currency: 'EUR', units: 1, totalUnitCost: 1000 },
      { bucket: '61-90', state: 'awaiting-retest', currency: 'EUR', units: 1, totalUnitCost: 1000 },
      { bucket: '91+', state: 'awaiting-disposition', currency: 'USD', units: 1, totalUnitCost: 5000 },
    ]);
    expect(r.byPm).toEqual([
      { pmId: 'P1', bucket: '0-30', currency: 'EUR', units: 2, totalUnitCost: 2000 },
      { pmId: 'P1', bucket: '31-60', currency: 'EUR', units: 2, totalUnitCost: 2000 },
      { pmId: 'P1', bucket: '61-90', currency: 'EUR', units: 2, totalUnitCost: 2000 },
      { pmId: 'P2', bucket: '91+', currency: 'USD', units: 1, totalUnitCost: 5000 },
      { pmId: 'P3', bucket: '0-30', currency: 'EUR', units: 1, totalUnitCost: 1000 },
    ]);
    expect(r.byVendor).toEqual([
      { vendorId: 'V1', bucket: '0-30', currency: 'EUR', units: 3, totalUnitCost: 3000 },
      { vendorId: 'V1', bucket: '31-60', currency: 'EUR', units: 2, totalUnitCost: 2000 },
      { vendorId: 'V1', bucket: '61-90', currency: 'EUR', units: 2, totalUnitCost: 2000 },
      { vendorId: 'V2', bucket: '91+', currency: 'USD', units: 1, totalUnitCost: 5000 },
    ]);
  });

  it('as of a past instant: the custody state and age then, including units disposed of since', () => {
    expect(report(day(45)).groups).toEqual([
      {
        bucket: '0-30',
        state: 'at-vendor',
        pmId: 'P1',
        vendorId: 'V1',
        currency: 'EUR',
        units: 2,
        totalUnitCost: 2000,
      },
      {
        bucket: '31-60',
        state: 'awaiting-dispatch',
        pmId: 'P1',
        vendorId: 'V1',
        currency: 'EUR',
        units: 1,
        totalUnitCost: 1000,
      },
      {
        bucket: '31-60',
        state: 'awaiting-disposition',
        pmId: 'P1',
        vendorId: 'V1',
        currency: 'EUR',
        units: 1,
        totalUnitCost: 1000,
      },
      {
        bucket: '31-60',
        state: 'awaiting-disposition',
        pmId: 'P2',
        vendorId: 'V2',
        currency: 'USD',
        units: 1,
        totalUnitCost: 5000,
      },
    ]);
    // a7 was restocked on day 50: from then on it is out of custody
    expect(report(day(50)).groups.some((g) => g.state === 'awaiting-disposition' && g.pmId === 'P1')).toBe(
      false,
    );
  });

  it('writes the groups as CSV with a stable column order', () => {
    const lines = agingInventoryCsv(report(day(100))).split('\r\n');
    expect(lines[0]).toBe('bucket,state,pm_id,vendor_id,currency,units,total_unit_cost');
    expect(lines[1]).toBe('0-30,awaiting-inspection,P1,V1,EUR,2,2000');
    expect(lines).toHaveLength(9);
  });
});
