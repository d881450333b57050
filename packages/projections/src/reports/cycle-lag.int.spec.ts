import type { DomainEvent } from '@rma-ledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectionRunner } from '../projection-runner.js';
import { day, ReportScenario } from '../test-support/report-scenario.js';
import { vendorCycleScenario } from '../test-support/vendor-cycle-scenario.js';
import { cycleLagCsv, cycleLagReport } from './cycle-lag.js';

let runner: ProjectionRunner<DomainEvent>;
beforeAll(async () => {
  runner = await vendorCycleScenario().project();
});
afterAll(() => runner.stop());

const report = (asOf: string) => runner.read('reports', (db) => cycleLagReport(db, { asOf }));

describe('cycle lag', () => {
  it('as of day 30: lag runs to the completion (retest pass, rejection) or to T for open units; a credit ends it', () => {
    const r = report(day(30));
    expect(r.asOf).toBe(day(30));
    expect(r.overall).toEqual({
      casesConsidered: 5,
      laggingCases: 4,
      shareLagging: 0.8,
      meanLagDays: 6.75,
      maxLagDays: 11,
      negativeHeadroomCases: 3,
    });
    expect(r.lagging).toEqual([
      {
        caseId: 'c1',
        unitId: 'u1',
        vendorId: 'V1',
        pmId: 'P1',
        promisedBy: day(20),
        vendorCompletedAt: day(26),
        lagMs: 6 * 86_400_000,
        lagDays: 6,
        headroomDays: 6,
      },
      {
        caseId: 'c3',
        unitId: 'u3',
        vendorId: 'V1',
        pmId: 'P1',
        promisedBy: day(15),
        vendorCompletedAt: day(20),
        lagMs: 5 * 86_400_000,
        lagDays: 5,
        headroomDays: -2,
      },
      {
        caseId: 'c5',
        unitId: 'u6',
        vendorId: 'V1',
        pmId: 'P3',
        promisedBy: day(19),
        vendorCompletedAt: null,
        lagMs: 11 * 86_400_000,
        lagDays: 11,
        headroomDays: -3,
      },
      {
        caseId: 'c6',
        unitId: 'u7',
        vendorId: 'V2',
        pmId: 'P2',
        promisedBy: day(25),
        vendorCompletedAt: null,
        lagMs: 5 * 86_400_000,
        lagDays: 5,
        headroomDays: 6,
      },
    ]);
  });

  it('groups by the vendor and by the PM of the unit at custody entry, not the SKU owner of today', () => {
    const r = report(day(30));
    expect(r.byVendor).toEqual([
      {
        vendorId: 'V1',
        casesConsidered: 3,
        laggingCases: 3,
        shareLagging: 1,
        meanLagDays: 22 / 3,
        maxLagDays: 11,
        negativeHeadroomCases: 2,
      },
      {
        vendorId: 'V2',
        casesConsidered: 2,
        laggingCases: 1,
        shareLagging: 0.5,
        meanLagDays: 5,
        maxLagDays: 5,
        negativeHeadroomCases: 1,
      },
    ]);
    expect(r.byPm).toEqual([
      {
        pmId: 'P1',
        casesConsidered: 2,
        laggingCases: 2,
        shareLagging: 1,
        meanLagDays: 5.5,
        maxLagDays: 6,
        negativeHeadroomCases: 1,
      },
      {
        pmId: 'P2',
        casesConsidered: 2,
        laggingCases: 1,
        shareLagging: 0.5,
        meanLagDays: 5,
        maxLagDays: 5,
        negativeHeadroomCases: 1,
      },
      {
        pmId: 'P3',
        casesConsidered: 1,
        laggingCases: 1,
        shareLagging: 1,
        meanLagDays: 11,
        maxLagDays: 11,
        negativeHeadroomCases: 1,
      },
    ]);
  });

  it('as of a past instant: a failed retest keeps the unit open, and a case lags only once T passes promisedBy', () => {
    const r = report(day(18));
    expect(r.overall).toMatchObject({ casesConsidered: 5, laggingCases: 1, maxLagDays: 3 });
    // c1 failed its retest on day 13 and is still open on day 18, but its promise (day 20) holds;
    // c3 is open (rejected only on day 20) and 3 days past its promise
    expect(r.lagging.map((c) => [c.caseId, c.lagDays, c.vendorCompletedAt])).toEqual([['c3', 3, null]]);

    // exactly at c1's promise it does not lag yet; c3 completed by rejection at that very instant
    expect(report(day(20)).lagging.map((c) => [c.caseId, c.lagDays, c.vendorCompletedAt])).toEqual([
      ['c3', 5, day(20)],
      ['c5', 1, null],
    ]);
    expect(report(day(20, 1)).lagging.find((c) => c.caseId === 'c1')).toMatchObject({ lagMs: 1 });
  });

  it('considers a case only once one of its units has been dispatched', () => {
    expect(report(day(2)).overall.casesConsidered).toBe(0);
    expect(report(day(3)).overall).toEqual({
      casesConsidered: 1,
      laggingCases: 0,
      shareLagging: 0,
      meanLagDays: null,
      maxLagDays: 0,
      negativeHeadroomCases: 1,
    });
  });

  it('writes the lagging cases as CSV with a stable column order', () => {
    expect(cycleLagCsv(report(day(30))).split('\r\n')).toEqual([
      'case_id,unit_id,vendor_id,pm_id,promised_by,vendor_completed_at,lag_days,headroom_days',
      'c1,u1,V1,P1,2026-01-21T00:00:00.000Z,2026-01-27T00:00:00.000Z,6,6',
      'c3,u3,V1,P1,2026-01-16T00:00:00.000Z,2026-01-21T00:00:00.000Z,5,-2',
      'c5,u6,V1,P3,2026-01-20T00:00:00.000Z,,11,-3',
      'c6,u7,V2,P2,2026-01-26T00:00:00.000Z,,5,6',
      '',
    ]);
  });

  it('ends a case with several units when its last unit completes, with the headroom of its earliest dispatch', async () => {
    // m1b's dispatch (day 3, due 9) is logged before m1a's, which happened earlier (day 1, due 11)
    const multi = await new ReportScenario()
      .openCase('m1', 'A', 2, 'V1', 'P1', day(0))
      .promise('m1', day(10), day(0))
      .enter('m1b', 'm1', 'A', 'V1', 'P1', 1000, 'EUR', day(0))
      .dispatch('m1b', 1, 'V1', day(3), day(9))
      .repaired('m1b', 1, day(8))
      .retest('m1b', 1, true, day(12))
      .enter('m1a', 'm1', 'A', 'V1', 'P1', 1000, 'EUR', day(0))
      .dispatch('m1a', 1, 'V1', day(1), day(11))
      .credit('m1a', 1, 900, 'EUR', day(5))
      .project();
    try {
      const lagging = (asOf: string) =>
        multi
          .read('reports', (db) => cycleLagReport(db, { asOf }))
          .lagging.map((c) => [c.unitId, c.vendorCompletedAt, c.lagDays, c.headroomDays]);
      expect(lagging(day(20))).toEqual([['m1b', day(12), 2, -1]]);
      expect(lagging(day(11))).toEqual([['m1b', null, 1, -1]]);
      expect(lagging(day(4))).toEqual([]);
    } finally {
      await multi.stop();
    }
  });

  it('measures a past instant against the promise then in force, not one given later', async () => {
    const repromised = await new ReportScenario()
      .openCase('p1', 'A', 1, 'V1', 'P1', day(0))
      .promise('p1', day(10), day(0))
      .enter('p1u', 'p1', 'A', 'V1', 'P1', 1000, 'EUR', day(0))
      .dispatch('p1u', 1, 'V1', day(1), day(8))
      .promise('p1', day(20), day(15))
      .project();
    try {
      const lagging = (asOf: string) =>
        repromised
          .read('reports', (db) => cycleLagReport(db, { asOf }))
          .lagging.map((c) => [c.promisedBy, c.lagDays, c.headroomDays]);
      expect(lagging(day(12))).toEqual([[day(10), 2, 2]]);
      expect(lagging(day(16))).toEqual([]);
      expect(lagging(day(25))).toEqual([[day(20), 5, 12]]);
    } finally {
      await repromised.stop();
    }
  });

  it('as of now, follows every change to the cases: an open case lags more as T moves, a completion ends it', async () => {
    const scenario = new ReportScenario()
      .openCase('n1', 'A', 1, 'V1', 'P1', day(0))
      .promise('n1', day(10), day(0))
      .enter('n1u', 'n1', 'A', 'V1', 'P1', 1000, 'EUR', day(0))
      .dispatch('n1u', 1, 'V1', day(1), day(8));
    const runner = await scenario.project();
    try {
      const lagging = (asOf: string) =>
        runner
          .read('reports', (db) => cycleLagReport(db, { asOf }))
          .lagging.map((c) => [c.caseId, c.vendorCompletedAt, c.lagDays]);
      expect(lagging(day(15))).toEqual([['n1', null, 5]]);
      expect(lagging(day(16))).toEqual([['n1', null, 6]]);

      const written = scenario.chunks.length;
      scenario.credit('n1u', 1, 900, 'EUR', day(12));
      let last = 0;
      for (const [stream, events] of scenario.chunks.slice(written)) {
        last = (await scenario.store.append(stream, events)).position;
      }
      await runner.waitFor(last);
      expect(lagging(day(16))).toEqual([['n1', day(12), 2]]);
      expect(lagging(day(11))).toEqual([['n1', null, 1]]);
    } finally {
      await runner.stop();
    }
  });

  it('as of now after writes, answers from the cases it already read and those written since, as a fresh read would', async () => {
    const scenario = new ReportScenario();
    for (const id of ['a', 'c', 'e']) {
      scenario
        .openCase(id, 'A', 1, 'V1', 'P1', day(0))
        .promise(id, day(10), day(0))
        .enter(`${id}u`, id, 'A', 'V1', 'P1', 1000, 'EUR', day(0))
        .dispatch(`${id}u`, 1, 'V1', day(1), day(8));
    }
    const runner = await scenario.project();
    const append = async () => {
      let last = 0;
      for (const [stream, events] of scenario.chunks.splice(0)) {
        last = (await scenario.store.append(stream, events)).position;
      }
      await runner.waitFor(last);
    };
    const now = (db: Parameters<typeof cycleLagReport>[0]) => cycleLagReport(db, { asOf: day(20) });
    try {
      scenario.chunks.splice(0);
      expect(runner.read('reports', now).lagging.map((c) => c.caseId)).toEqual(['a', 'c', 'e']);

      // a case dispatched for the first time (it sorts between two read already), a completion, a new promise
      scenario
        .openCase('b', 'A', 1, 'V2', 'P2', day(2))
        .promise('b', day(12), day(2))
        .enter('bu', 'b', 'A', 'V2', 'P2', 1000, 'EUR', day(2))
        .dispatch('bu', 1, 'V2', day(3), day(9))
        .credit('au', 1, 900, 'EUR', day(11))
        .promise('c', day(19), day(4));
      await append();
      const afterWrites = runner.read('reports', now);
      expect(afterWrites.lagging.map((c) => [c.caseId, c.lagDays])).toEqual([
        ['a', 1],
        ['b', 8],
        ['c', 1],
        ['e', 10],
      ]);
      expect(afterWrites.byVendor.map((v) => [v.vendorId, v.casesConsidered])).toEqual([
        ['V1', 3],
        ['V2', 1],
      ]);

      scenario.retest('eu', 1, true, day(15));
      await append();
      const afterMore = runner.read('reports', now);
      await runner.rebuild('reports');
      expect(runner.read('reports', now)).toEqual(afterMore);
      expect(afterMore.lagging.find((c) => c.caseId === 'e')).toMatchObject({
        vendorCompletedAt: day(15),
        lagDays: 5,
      });
    } finally {
      await runner.stop();
    }
  });

  it('completes a unit the vendor never made good when it is liquidated or written off', async () => {
    const disposed = await new ReportScenario()
      .openCase('l1', 'A', 1, 'V1', 'P1', day(0))
      .promise('l1', day(5), day(0))
      .enter('l1u', 'l1', 'A', 'V1', 'P1', 1000, 'EUR', day(0))
      .dispatch('l1u', 1, 'V1', day(1), day(4))
      .repaired('l1u', 1, day(2))
      .retest('l1u', 1, false, day(3))
      .liquidate('l1u', 200, 1000, 'EUR', day(9))
      .openCase('w1', 'A', 1, 'V1', 'P1', day(0))
      .promise('w1', day(5), day(0))
      .enter('w1u', 'w1', 'A', 'V1', 'P1', 1000, 'EUR', day(0))
      .dispatch('w1u', 1, 'V1', day(1), day(4))
      .writeOff('w1u', 1000, 'EUR', 'P1', day(7))
      // credited on day 6, then written off: the credit completed it
      .openCase('k1', 'A', 1, 'V1', 'P1', day(0))
      .promise('k1', day(5), day(0))
      .enter('k1u', 'k1', 'A', 'V1', 'P1', 1000, 'EUR', day(0))
      .dispatch('k1u', 1, 'V1', day(1), day(4))
      .credit('k1u', 1, 900, 'EUR', day(6))
      .writeOff('k1u', 100, 'EUR', 'P1', day(12))
      .project();
    try {
      const r = disposed.read('reports', (db) => cycleLagReport(db, { asOf: day(20) }));
      expect(r.lagging.map((c) => [c.caseId, c.vendorCompletedAt, c.lagDays])).toEqual([
        ['k1', day(6), 1],
        ['l1', day(9), 4],
        ['w1', day(7), 2],
      ]);
    } finally {
      await disposed.stop();
    }
  });
});
