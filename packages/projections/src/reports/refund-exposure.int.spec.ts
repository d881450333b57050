import type { DomainEvent } from '@rma-ledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectionRunner } from '../projection-runner.js';
import { day, ReportScenario } from '../test-support/report-scenario.js';
import { refundExposureCsv, refundExposureReport } from './refund-exposure.js';

let runner: ProjectionRunner<DomainEvent>;
beforeAll(async () => {
  runner = await new ReportScenario()
    .openCase('r1', 'A', 1, 'V1', 'P1', day(0))
    .refundPaid('r1', 'R1', 3000, 'EUR', day(2))
    .receive('r1', 'r1-u1', day(5))
    .openCase('r2', 'A', 1, 'V1', 'P1', day(0))
    .refundPaid('r2', 'R2', 2000, 'USD', day(3))
    .openCase('r3', 'A', 1, 'V1', 'P1', day(0))
    .receive('r3', 'r3-u1', day(1))
    .refundPaid('r3', 'R3', 900, 'EUR', day(2))
    .openCase('r4', 'A', 1, 'V1', 'P1', day(0))
    .refundPaid('r4', 'R4', 1500, 'EUR', day(6))
    .project();
});
afterAll(() => runner.stop());

const report = (asOf: string) => runner.read('reports', (db) => refundExposureReport(db, { asOf }));

describe('refund exposure', () => {
  it('lists refunds paid before the item was received, with totals per currency', () => {
    expect(report(day(4, 43_200_000))).toEqual({
      asOf: day(4.5),
      count: 2,
      totals: [
        { currency: 'EUR', count: 1, amount: 3000 },
        { currency: 'USD', count: 1, amount: 2000 },
      ],
      refunds: [
        {
          refundId: 'R1',
          caseId: 'r1',
          paidAt: day(2),
          amount: 3000,
          currency: 'EUR',
          daysSincePayment: 2.5,
        },
        {
          refundId: 'R2',
          caseId: 'r2',
          paidAt: day(3),
          amount: 2000,
          currency: 'USD',
          daysSincePayment: 1.5,
        },
      ],
    });
  });

  it('drops a refund once its item is received, and counts a refund only once it is paid', () => {
    expect(report(day(5)).refunds.map((r) => r.refundId)).toEqual(['R2']);
    expect(report(day(10))).toMatchObject({
      count: 2,
      totals: [
        { currency: 'EUR', count: 1, amount: 1500 },
        { currency: 'USD', count: 1, amount: 2000 },
      ],
    });
    expect(report(day(2, -1)).count).toBe(0);
  });

  it('writes the refunds as CSV with a stable column order', () => {
    expect(refundExposureCsv(report(day(10))).split('\r\n')).toEqual([
      'refund_id,case_id,paid_at,amount,currency,days_since_payment',
      'R2,r2,2026-01-04T00:00:00.000Z,2000,USD,7',
      'R4,r4,2026-01-07T00:00:00.000Z,1500,EUR,4',
      '',
    ]);
  });
});
