import type { DomainEvent } from '@rma-ledger/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectionRunner } from '../projection-runner.js';
import { day, ReportScenario } from '../test-support/report-scenario.js';
import { paidRefundsReport } from './paid-refunds.js';

let runner: ProjectionRunner<DomainEvent>;
beforeAll(async () => {
  const s = new ReportScenario();
  const credited = (unitId: string, caseId: string, amount: number, currency: string, at: number) =>
    s
      .enter(unitId, caseId, 'A', 'V1', 'P1', 5000, currency, day(at - 2))
      .dispatch(unitId, 1, 'V1', day(at - 1), day(at + 10))
      .credit(unitId, 1, amount, currency, day(at));
  s.openCase('c0', 'A', 1, 'V1', 'P1', day(0)).refundPaid('c0', 'R0', 100, 'EUR', day(1, -1));
  // c1: one unit credited after the refund was paid
  s.openCase('c1', 'A', 1, 'V1', 'P1', day(0)).refundPaid('c1', 'R1', 3000, 'EUR', day(1));
  credited('u1', 'c1', 1200, 'EUR', 8);
  // c2: two units credited in one currency, and two partial refunds
  s.openCase('c2', 'A', 2, 'V1', 'P1', day(0));
  credited('u2b', 'c2', 700, 'USD', 4);
  credited('u2a', 'c2', 500, 'USD', 5);
  s.refundPaid('c2', 'R2', 2000, 'USD', day(6)).refundPaid('c2', 'R2-rest', 1000, 'USD', day(7));
  // c3: the unit came back repaired: no credit
  s.openCase('c3', 'A', 1, 'V1', 'P1', day(0))
    .enter('u3', 'c3', 'A', 'V1', 'P1', 5000, 'EUR', day(1))
    .dispatch('u3', 1, 'V1', day(2), day(12))
    .repaired('u3', 1, day(3))
    .refundPaid('c3', 'R3', 900, 'EUR', day(4));
  // c4: units credited in two currencies; the refund is in USD
  s.openCase('c4', 'A', 2, 'V1', 'P1', day(0));
  credited('u4e', 'c4', 300, 'EUR', 3);
  credited('u4u', 'c4', 400, 'USD', 3);
  s.refundPaid('c4', 'R4', 4000, 'USD', day(5));
  s.openCase('c5', 'A', 1, 'V1', 'P1', day(0)).refundPaid('c5', 'R5', 100, 'EUR', day(10));
  runner = await s.project();
});
afterAll(() => runner.stop());

const report = (from: string, to: string) =>
  runner.read('reports', (db) => paidRefundsReport(db, { from, to }));

describe('refunds paid in a period, for reconciliation', () => {
  it('lists each refund with its order and payment reference, and the vendor credit of its case beside it', () => {
    expect(report(day(1), day(10))).toEqual([
      {
        refundId: 'R1',
        caseId: 'c1',
        orderId: 'o-c1',
        amount: 3000,
        currency: 'EUR',
        paidAt: day(1),
        paymentRef: 'R1',
        vendorCredit: { unitId: 'u1', amount: 1200, currency: 'EUR' },
      },
      {
        refundId: 'R3',
        caseId: 'c3',
        orderId: 'o-c3',
        amount: 900,
        currency: 'EUR',
        paidAt: day(4),
        paymentRef: 'R3',
        vendorCredit: null,
      },
      {
        refundId: 'R4',
        caseId: 'c4',
        orderId: 'o-c4',
        amount: 4000,
        currency: 'USD',
        paidAt: day(5),
        paymentRef: 'R4',
        vendorCredit: { unitId: 'u4u', amount: 400, currency: 'USD' },
      },
      {
        refundId: 'R2',
        caseId: 'c2',
        orderId: 'o-c2',
        amount: 2000,
        currency: 'USD',
        paidAt: day(6),
        paymentRef: 'R2',
        vendorCredit: { unitId: 'u2a+u2b', amount: 1200, currency: 'USD' },
      },
      {
        refundId: 'R2-rest',
        caseId: 'c2',
        orderId: 'o-c2',
        amount: 1000,
        currency: 'USD',
        paidAt: day(7),
        paymentRef: 'R2-rest',
        vendorCredit: { unitId: 'u2a+u2b', amount: 1200, currency: 'USD' },
      },
    ]);
  });

  it('takes the period as half-open [from, to) in business time', () => {
    expect(report(day(1, -1), day(1)).map((r) => r.refundId)).toEqual(['R0']);
    expect(report(day(7), day(10, 1)).map((r) => r.refundId)).toEqual(['R2-rest', 'R5']);
    expect(report(day(11), day(20))).toEqual([]);
  });
});
