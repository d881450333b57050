import type { DomainEvent } from '@rma-ledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectionRunner } from '../projection-runner.js';
import { day } from '../test-support/report-scenario.js';
import { vendorCycleScenario } from '../test-support/vendor-cycle-scenario.js';
import { overdueRepairsCsv, overdueRepairsReport } from './overdue-repairs.js';

let runner: ProjectionRunner<DomainEvent>;
beforeAll(async () => {
  runner = await vendorCycleScenario().project();
});
afterAll(() => runner.stop());

const report = (asOf: string) => runner.read('reports', (db) => overdueRepairsReport(db, { asOf }));

describe('overdue vendor repairs', () => {
  it('as of day 30: open dispatches past their due date, most overdue first, with their dunning', () => {
    const r = report(day(30));
    expect(r.rows).toEqual([
      {
        unitId: 'u7',
        dispatchNo: 1,
        caseId: 'c6',
        sku: 'B',
        vendorId: 'V2',
        pmId: 'P2',
        dispatchedAt: day(5),
        dueAt: day(19),
        daysOverdue: 11,
        dunningCount: 0,
        lastDunnedAt: null,
        unitCost: 5000,
        currency: 'USD',
      },
      {
        unitId: 'u6',
        dispatchNo: 1,
        caseId: 'c5',
        sku: 'A',
        vendorId: 'V1',
        pmId: 'P3',
        dispatchedAt: day(12),
        dueAt: day(22),
        daysOverdue: 8,
        dunningCount: 2,
        lastDunnedAt: day(27),
        unitCost: 1000,
        currency: 'EUR',
      },
    ]);
    expect(r.byVendor).toEqual([
      { vendorId: 'V1', currency: 'EUR', count: 1, amount: 1000 },
      { vendorId: 'V2', currency: 'USD', count: 1, amount: 5000 },
    ]);
    expect(r.byPm).toEqual([
      { pmId: 'P2', currency: 'USD', count: 1, amount: 5000 },
      { pmId: 'P3', currency: 'EUR', count: 1, amount: 1000 },
    ]);
  });

  it('as of a past instant: a response recorded later does not count, and the dunning is counted up to T', () => {
    // u3 was rejected on day 20: on day 18 it was still open and a day overdue
    expect(report(day(18)).rows.map((r) => [r.unitId, r.daysOverdue])).toEqual([['u3', 1]]);
    const r = report(day(25));
    expect(r.rows.map((r) => [r.unitId, r.daysOverdue, r.dunningCount, r.lastDunnedAt])).toEqual([
      ['u7', 6, 0, null],
      ['u6', 3, 1, day(23)],
    ]);
  });

  it('is not overdue at the due instant itself, only after it', () => {
    // u1's second dispatch (after the failed retest) is due day 25 and answered day 24; u6 is due day 22
    expect(report(day(22)).rows.map((r) => r.unitId)).toEqual(['u7']);
    expect(report(day(22, 1)).rows.map((r) => [r.unitId, r.daysOverdue])).toEqual([
      ['u7', 3 + 1 / 86_400_000],
      ['u6', 1 / 86_400_000],
    ]);
  });

  it('writes the rows as CSV with a stable column order', () => {
    expect(overdueRepairsCsv(report(day(30))).split('\r\n')).toEqual([
      'unit_id,dispatch_no,case_id,sku,vendor_id,pm_id,dispatched_at,due_at,days_overdue,dunning_count,last_dunned_at,unit_cost,currency',
      'u7,1,c6,B,V2,P2,2026-01-06T00:00:00.000Z,2026-01-20T00:00:00.000Z,11,0,,5000,USD',
      'u6,1,c5,A,V1,P3,2026-01-13T00:00:00.000Z,2026-01-23T00:00:00.000Z,8,2,2026-01-28T00:00:00.000Z,1000,EUR',
      '',
    ]);
  });
});
