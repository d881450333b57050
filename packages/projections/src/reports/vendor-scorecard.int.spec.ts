import type { DomainEvent } from '@rma-ledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectionRunner } from '../projection-runner.js';
import { day, ReportScenario } from '../test-support/report-scenario.js';
import { vendorScorecardCsv, vendorScorecardReport } from './vendor-scorecard.js';

let runner: ProjectionRunner<DomainEvent>;
beforeAll(async () => {
  const s = new ReportScenario();
  const v1 = (id: string, pm = 'P1') => s.enter(id, `c-${id}`, 'A', 'V1', pm, 1000, 'EUR', day(-10));
  v1('s4')
    .dispatch('s4', 1, 'V1', day(-5), day(5))
    .replacement('s4', 1, day(3))
    .retest('s4', 1, true, day(4));
  v1('s1')
    .dispatch('s1', 1, 'V1', day(1), day(11))
    .repaired('s1', 1, day(5))
    .retest('s1', 1, false, day(6))
    .dispatch('s1', 2, 'V1', day(7), day(17))
    .repaired('s1', 2, day(19))
    .retest('s1', 2, true, day(20));
  v1('s2').dispatch('s2', 1, 'V1', day(2), day(12)).credit('s2', 1, 700, 'EUR', day(12));
  v1('s3')
    .dispatch('s3', 1, 'V1', day(3), day(13))
    .dun('s3', 1, 1, day(14))
    .dun('s3', 1, 2, day(16))
    .reject('s3', 1, day(25))
    .writeOff('s3', 1000, 'EUR', 'P1', day(26));
  v1('s5', 'P3').dispatch('s5', 1, 'V1', day(28), day(38));
  v1('s6').dispatch('s6', 1, 'V1', day(29), day(39)).repaired('s6', 1, day(31));
  s.enter('s7', 'c-s7', 'B', 'V2', 'P2', 5000, 'USD', day(-10)).dispatch('s7', 1, 'V2', day(10), day(24));
  runner = await s.project();
});
afterAll(() => runner.stop());

const report = () => runner.read('reports', (db) => vendorScorecardReport(db, { from: day(0), to: day(30) }));

const v1Card = {
  dispatches: 6,
  responses: 5,
  meanTurnaroundDays: 11.2,
  p90TurnaroundDays: 22,
  withinAgreementShare: 0.6,
  dunnings: 2,
  credits: [{ currency: 'EUR', count: 1, amount: 700 }],
  rejections: 1,
  retests: 3,
  failedRetests: 1,
  retestFailureRate: 1 / 3,
  writeOffs: [{ currency: 'EUR', count: 1, amount: 1000 }],
};
const emptyCard = {
  dispatches: 0,
  responses: 0,
  meanTurnaroundDays: null,
  p90TurnaroundDays: null,
  withinAgreementShare: null,
  dunnings: 0,
  credits: [],
  rejections: 0,
  retests: 0,
  failedRetests: 0,
  retestFailureRate: null,
  writeOffs: [],
};

describe('vendor scorecard', () => {
  it('counts each figure by the business time of its own event within [from, to)', () => {
    // turnarounds in the period: 4 (s1#1), 8 (s4, dispatched before the period), 10 (s2, on its due
    // date: within), 12 (s1#2, late), 22 (s3, late) → mean 11.2, p90 at rank ⌈4.5⌉ = 5 → 22
    expect(report().vendors).toEqual([
      { vendorId: 'V1', ...v1Card },
      { vendorId: 'V2', ...emptyCard, dispatches: 1 },
    ]);
  });

  it('rolls the figures up per PM of the unit at custody entry', () => {
    expect(report().pms).toEqual([
      { pmId: 'P1', ...v1Card, dispatches: 5 },
      { pmId: 'P2', ...emptyCard, dispatches: 1 },
      { pmId: 'P3', ...emptyCard, dispatches: 1 },
    ]);
  });

  it('writes one CSV line per vendor with a stable column order', () => {
    expect(vendorScorecardCsv(report()).split('\r\n')).toEqual([
      'vendor_id,dispatches,responses,mean_turnaround_days,p90_turnaround_days,within_agreement_share,dunnings,credits,credit_amounts,rejections,retests,failed_retests,retest_failure_rate,write_offs,write_off_amounts',
      `V1,6,5,11.2,22,0.6,2,1,EUR 700,1,3,1,${1 / 3},1,EUR 1000`,
      'V2,1,0,,,,0,0,,0,0,0,,0,',
      '',
    ]);
  });
});
