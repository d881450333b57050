import type { DomainEvent } from '@rma-ledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectionRunner } from '../projection-runner.js';
import { day, ReportScenario } from '../test-support/report-scenario.js';
import { afterSalesRatioCsv, afterSalesRatioReport } from './after-sales-ratio.js';

let runner: ProjectionRunner<DomainEvent>;
const on = (n: number) => day(n).slice(0, 10);

beforeAll(async () => {
  const s = new ReportScenario()
    .sku('Q', 'V1', 'P1', 100, 'EUR', day(-30))
    .sku('R', 'V2', 'P2', 100, 'EUR', day(-30))
    .sku('W', 'V2', 'P2', 100, 'EUR', day(-30))
    .sku('X', 'V1', 'P1', 100, 'EUR', day(-30))
    .sku('Y', 'V1', 'P1', 100, 'EUR', day(-30))
    .sku('Z', 'V2', 'P2', 100, 'EUR', day(-30))
    .sku('S', 'V2', 'P2', 100, 'EUR', day(40))
    .sales('X', 500, on(-1), day(0))
    .sales('X', 60, on(1), day(2))
    .sales('X', 40, on(10), day(11))
    .sales('X', 1000, on(30), day(31))
    .sales('Y', 100, on(3), day(4))
    .sales('Z', 40, on(3), day(4))
    .sales('W', 50, on(3), day(4))
    .sales('Q', 200, on(3), day(4))
    .openCase('x1', 'X', 2, 'V1', 'P1', day(5))
    .openCase('x2', 'X', 9, 'V1', 'P1', day(30))
    .openCase('y1', 'Y', 3, 'V1', 'P1', day(5))
    .openCase('y2', 'Y', 2, 'V1', 'P1', day(29))
    .openCase('z1', 'Z', 10, 'V2', 'P2', day(5))
    .openCase('w1', 'W', 1, 'V2', 'P2', day(0))
    .openCase('q1', 'Q', 3, 'V1', 'P1', day(5))
    .reassign('Q', 'V1', 'P3', day(15));
  runner = await s.project();
});
afterAll(() => runner.stop());

const report = (options: { minUnitsSold?: number; alertRatio?: number } = {}) =>
  runner.read('reports', (db) => afterSalesRatioReport(db, { from: day(0), to: day(30), ...options }));

describe('after-sales ratio per SKU', () => {
  it('flags alert at exactly 2 % and delist at exactly 5 %, only from minUnitsSold units sold', () => {
    expect(report().skus).toEqual([
      // reassigned from P1 to P3 midway: listed under the PM in force at the end of the period
      { sku: 'Q', pmId: 'P3', vendorId: 'V1', unitsSold: 200, unitsOnCases: 3, ratio: 0.015, flag: null },
      { sku: 'R', pmId: 'P2', vendorId: 'V2', unitsSold: 0, unitsOnCases: 0, ratio: null, flag: null },
      { sku: 'W', pmId: 'P2', vendorId: 'V2', unitsSold: 50, unitsOnCases: 1, ratio: 0.02, flag: 'alert' },
      { sku: 'X', pmId: 'P1', vendorId: 'V1', unitsSold: 100, unitsOnCases: 2, ratio: 0.02, flag: 'alert' },
      { sku: 'Y', pmId: 'P1', vendorId: 'V1', unitsSold: 100, unitsOnCases: 5, ratio: 0.05, flag: 'delist' },
      // 25 % but only 40 units sold
      { sku: 'Z', pmId: 'P2', vendorId: 'V2', unitsSold: 40, unitsOnCases: 10, ratio: 0.25, flag: null },
    ]);
  });

  it('takes the thresholds and the minimum from configuration', () => {
    const r = report({ minUnitsSold: 40, alertRatio: 0.03 });
    expect(r.skus.map((s) => [s.sku, s.flag])).toEqual([
      ['Q', null],
      ['R', null],
      ['W', null],
      ['X', null],
      ['Y', 'delist'],
      ['Z', 'delist'],
    ]);
    expect(r).toMatchObject({ alertRatio: 0.03, delistRatio: 0.05, minUnitsSold: 40 });
  });

  it('writes one CSV line per SKU with a stable column order', () => {
    expect(afterSalesRatioCsv(report()).split('\r\n').slice(0, 3)).toEqual([
      'sku,pm_id,vendor_id,units_sold,units_on_cases,ratio,flag',
      'Q,P3,V1,200,3,0.015,',
      'R,P2,V2,0,0,,',
    ]);
  });
});
