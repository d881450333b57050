import { describe, expect, it } from 'vitest';
import {
  approvedCase,
  at,
  caseOpened,
  OPENED_AT,
  openCase,
  PURCHASED_AT,
  policy,
} from '../testing/fixtures.js';
import { specify } from '../testing/given-when-then.js';
import { AUTO_APPROVAL_RULE, REFUND_AUTO_APPROVAL_RULE } from './approval.js';
import type { RequestRefund } from './commands.js';
import { caseDecider } from './decider.js';
import type { CaseEvent } from './events.js';

const spec = specify(caseDecider);
const CNY = (amount: number) => ({ amount, currency: 'CNY' });

function requestRefund(overrides: Partial<RequestRefund> = {}): RequestRefund {
  return {
    type: 'RequestRefund',
    caseId: 'c-1',
    refundId: 'r-1',
    amount: CNY(10_000),
    beforeReturn: false,
    occurredAt: at(1),
    context: { refundApprovalLimit: policy.refundApprovalLimit },
    ...overrides,
  };
}

const received = (unitId = 'c-1-u1', receiptNo = 1): CaseEvent => ({
  type: 'ItemReceived',
  data: { unitId, receiptNo, location: null, occurredAt: at(1) },
});
const refundRequested = (
  refundId: string,
  amount: number,
  reasons: ('above-limit' | 'before-return')[] = [],
) =>
  ({
    type: 'RefundRequested',
    data: {
      refundId,
      amount: CNY(amount),
      beforeReturn: reasons.includes('before-return'),
      evidence: reasons.includes('before-return') ? 'photo' : null,
      financeApprovalReasons: reasons,
      occurredAt: at(1),
    },
  }) satisfies CaseEvent;
const refundApproved = (refundId: string): CaseEvent => ({
  type: 'RefundApproved',
  data: { refundId, by: 'finance', approverId: 'fin-1', occurredAt: at(1) },
});
const refundPaid = (refundId: string, amount: number): CaseEvent => ({
  type: 'RefundPaid',
  data: { refundId, amount: CNY(amount), paymentRef: `pay-${refundId}`, occurredAt: at(1) },
});

describe('OpenCase', () => {
  it('opens the case with the attribution in force and approves it by rule inside the window and under the limit', () => {
    spec
      .given()
      .when(openCase())
      .thenEmits([
        caseOpened(),
        { type: 'CaseApproved', data: { by: 'rule', rule: AUTO_APPROVAL_RULE, occurredAt: OPENED_AT } },
        {
          type: 'CustomerPromiseSet',
          data: {
            promisedBy: at(7),
            basis: 'policy',
            promiseDays: 7,
            repairPlan: null,
            occurredAt: OPENED_AT,
          },
        },
      ]);
  });

  it('plans the headroom of a repair promise against the vendor turnaround plus handling', () => {
    const [, , promise] = spec
      .given()
      .when(openCase({ resolution: 'repair' }))
      .thenTypes('CaseOpened', 'CaseApproved', 'CustomerPromiseSet');
    expect(promise?.data).toMatchObject({
      promisedBy: at(20),
      repairPlan: {
        vendorId: 'v-acme',
        promiseDays: 20,
        turnaroundDays: 14,
        handlingDays: 3,
        plannedHeadroomDays: 3,
        shorterThanVendorCycle: false,
      },
    });
  });

  it('flags a repair promise shorter than the vendor cycle', () => {
    const command = openCase({ resolution: 'repair' });
    const events = spec
      .given()
      .when({ ...command, context: { ...command.context, vendorTurnaroundDays: 25 } })
      .thenTypes('CaseOpened', 'CaseApproved', 'CustomerPromiseSet');
    expect(events[2]?.data).toMatchObject({
      repairPlan: { plannedHeadroomDays: -8, shorterThanVendorCycle: true },
    });
  });

  it('approves on the last day of the window (inclusive)', () => {
    spec
      .given()
      .when(openCase({ occurredAt: '2026-03-15T10:00:00.000Z' }))
      .thenTypes('CaseOpened', 'CaseApproved', 'CustomerPromiseSet');
  });

  it('waits for a person outside the return window', () => {
    spec
      .given()
      .when(openCase({ occurredAt: '2026-03-15T10:00:00.001Z' }))
      .thenTypes('CaseOpened');
  });

  it('uses the window of the requested resolution', () => {
    const day20 = '2026-03-21T10:00:00.000Z';
    spec
      .given()
      .when(openCase({ occurredAt: day20 }))
      .thenTypes('CaseOpened');
    spec
      .given()
      .when(openCase({ occurredAt: day20, resolution: 'exchange' }))
      .thenTypes('CaseOpened', 'CaseApproved', 'CustomerPromiseSet');
    spec
      .given()
      .when(openCase({ occurredAt: '2027-02-01T00:00:00.000Z', resolution: 'repair' }))
      .thenTypes('CaseOpened', 'CaseApproved', 'CustomerPromiseSet');
  });

  it('waits for a person when the line amount exceeds the auto-approval limit', () => {
    spec
      .given()
      .when(openCase({ quantity: 3 }))
      .thenTypes('CaseOpened');
  });

  it('approves a line exactly at the limit', () => {
    spec
      .given()
      .when(openCase({ quantity: 1, unitPrice: CNY(50_000) }))
      .thenTypes('CaseOpened', 'CaseApproved', 'CustomerPromiseSet');
  });

  it('never compares the limit across currencies: a USD line waits for a person', () => {
    spec
      .given()
      .when(openCase({ unitPrice: { amount: 100, currency: 'USD' } }))
      .thenTypes('CaseOpened');
  });

  it('waits for a person when the channel has no policy', () => {
    const command = openCase();
    spec
      .given()
      .when({ ...command, context: { ...command.context, policy: null } })
      .thenTypes('CaseOpened');
  });

  it('refuses a case id that exists', () => {
    spec
      .given(caseOpened())
      .when(openCase({ occurredAt: at(1) }))
      .thenRefused('LDG_CASE_ALREADY_EXISTS', 'caseId');
  });

  it('refuses an unregistered SKU', () => {
    const command = openCase();
    spec
      .given()
      .when({ ...command, context: { ...command.context, sku: null } })
      .thenRefused('LDG_SKU_NOT_FOUND', 'sku');
  });

  it('refuses a quantity that is not a positive integer', () => {
    spec
      .given()
      .when(openCase({ quantity: 0 }))
      .thenRefused('LDG_INVALID_COMMAND', 'quantity');
    spec
      .given()
      .when(openCase({ quantity: 1.5 }))
      .thenRefused('LDG_INVALID_COMMAND', 'quantity');
  });

  it('refuses a unit price that is not integer minor units of an ISO currency', () => {
    spec
      .given()
      .when(openCase({ unitPrice: { amount: 19.9, currency: 'CNY' } }))
      .thenRefused('LDG_INVALID_COMMAND', 'unitPrice');
    spec
      .given()
      .when(openCase({ unitPrice: { amount: 1990, currency: 'yuan' } }))
      .thenRefused('LDG_INVALID_COMMAND', 'unitPrice');
  });

  it('refuses a purchase after the opening', () => {
    spec
      .given()
      .when(openCase({ purchasedAt: at(1) }))
      .thenRefused('LDG_PURCHASE_AFTER_OPENING', 'purchasedAt');
  });

  it('refuses an occurredAt that is not a UTC instant', () => {
    spec
      .given()
      .when(openCase({ occurredAt: '2026-03-05 10:00' }))
      .thenRefused('LDG_INVALID_COMMAND', 'occurredAt');
  });

  it('refuses personal data that is not sealed', () => {
    const plaintext = { id: 'cust-1', personalData: { name: 'Wang Fang' } } as never;
    spec
      .given()
      .when(openCase({ customer: plaintext }))
      .thenRefused('LDG_INVALID_COMMAND');
  });
});

describe('ApproveCase', () => {
  const approve = { type: 'ApproveCase', caseId: 'c-1', approverId: 'cs-1', occurredAt: at(2) } as const;
  const context = { policy, vendorTurnaroundDays: 14 };

  it('records the approver and the policy promise', () => {
    spec
      .given(caseOpened())
      .when({ ...approve, context })
      .thenEmits([
        { type: 'CaseApproved', data: { by: 'person', approverId: 'cs-1', occurredAt: at(2) } },
        {
          type: 'CustomerPromiseSet',
          data: { promisedBy: at(9), basis: 'policy', promiseDays: 7, repairPlan: null, occurredAt: at(2) },
        },
      ]);
  });

  it('records an explicit promise and plans a repair with the default handling days when no policy', () => {
    const events = spec
      .given(caseOpened({ resolution: 'repair' }))
      .when({ ...approve, promisedBy: at(12.5), context: { policy: null, vendorTurnaroundDays: 14 } })
      .thenTypes('CaseApproved', 'CustomerPromiseSet');
    expect(events[1]?.data).toEqual({
      promisedBy: at(12.5),
      basis: 'explicit',
      promiseDays: 10.5,
      repairPlan: {
        vendorId: 'v-acme',
        promiseDays: 10.5,
        turnaroundDays: 14,
        handlingDays: 2,
        plannedHeadroomDays: -5.5,
        shorterThanVendorCycle: true,
      },
      occurredAt: at(2),
    });
  });

  it('refuses without a policy or an explicit promise', () => {
    spec
      .given(caseOpened())
      .when({ ...approve, context: { policy: null, vendorTurnaroundDays: null } })
      .thenRefused('LDG_PROMISE_REQUIRED', 'promisedBy');
  });

  it('refuses a promise before the approval', () => {
    spec
      .given(caseOpened())
      .when({ ...approve, promisedBy: at(1), context })
      .thenRefused('LDG_PROMISE_BEFORE_APPROVAL', 'promisedBy');
  });

  it('refuses a case already approved or rejected', () => {
    spec
      .given(...approvedCase())
      .when({ ...approve, context })
      .thenRefused('LDG_CASE_ALREADY_DECIDED');
    spec
      .given(caseOpened(), { type: 'CaseRejected', data: { reason: 'late', occurredAt: at(1) } })
      .when({ ...approve, context })
      .thenRefused('LDG_CASE_ALREADY_DECIDED');
  });

  it('refuses an unknown case', () => {
    spec
      .given()
      .when({ ...approve, context })
      .thenRefused('LDG_CASE_NOT_FOUND', 'caseId');
  });

  it('refuses an occurredAt before the previous event', () => {
    spec
      .given(caseOpened())
      .when({ ...approve, occurredAt: at(-1), context })
      .thenRefused('LDG_OCCURRED_AT_BEFORE_PREVIOUS', 'occurredAt');
  });
});

describe('RejectCase', () => {
  const reject = {
    type: 'RejectCase',
    caseId: 'c-1',
    reason: 'outside warranty',
    occurredAt: at(1),
  } as const;

  it('rejects an open case', () => {
    spec
      .given(caseOpened())
      .when(reject)
      .thenEmits([{ type: 'CaseRejected', data: { reason: 'outside warranty', occurredAt: at(1) } }]);
  });

  it('refuses an approved case', () => {
    spec
      .given(...approvedCase())
      .when(reject)
      .thenRefused('LDG_CASE_ALREADY_DECIDED');
  });

  it('refuses an empty reason', () => {
    spec
      .given(caseOpened())
      .when({ ...reject, reason: '' })
      .thenRefused('LDG_INVALID_COMMAND', 'reason');
  });
});

describe('ReceiveItem', () => {
  const receive = { type: 'ReceiveItem', caseId: 'c-1', unitId: 'c-1-u1', occurredAt: at(1) } as const;

  it('receives a unit, numbering the receipts', () => {
    spec
      .given(...approvedCase())
      .when({ ...receive, location: 'shelf A' })
      .thenEmits([
        {
          type: 'ItemReceived',
          data: { unitId: 'c-1-u1', receiptNo: 1, location: 'shelf A', occurredAt: at(1) },
        },
      ]);
    spec
      .given(...approvedCase(), received())
      .when({ ...receive, unitId: 'c-1-u2' })
      .thenEmits([
        { type: 'ItemReceived', data: { unitId: 'c-1-u2', receiptNo: 2, location: null, occurredAt: at(1) } },
      ]);
  });

  it('receives a parcel that arrives before the approval', () => {
    spec.given(caseOpened()).when(receive).thenTypes('ItemReceived');
  });

  it('refuses more receipts than the quantity', () => {
    spec
      .given(...approvedCase(), received('c-1-u1', 1), received('c-1-u2', 2))
      .when({ ...receive, unitId: 'c-1-u3' })
      .thenRefused('LDG_ALL_ITEMS_RECEIVED');
  });

  it('refuses the same unit twice', () => {
    spec
      .given(...approvedCase(), received())
      .when(receive)
      .thenRefused('LDG_UNIT_ALREADY_RECEIVED', 'unitId');
  });

  it('refuses on a rejected case', () => {
    spec
      .given(caseOpened(), { type: 'CaseRejected', data: { reason: 'late', occurredAt: at(0) } })
      .when(receive)
      .thenRefused('LDG_CASE_REJECTED');
  });
});

describe('InspectItem', () => {
  const inspect = {
    type: 'InspectItem',
    caseId: 'c-1',
    unitId: 'c-1-u1',
    grade: 'repairable',
    occurredAt: at(2),
  } as const;

  it('records the grade of a received unit', () => {
    spec
      .given(...approvedCase(), received())
      .when({ ...inspect, notes: 'no power' })
      .thenEmits([
        {
          type: 'ItemInspected',
          data: { unitId: 'c-1-u1', grade: 'repairable', notes: 'no power', occurredAt: at(2) },
        },
      ]);
  });

  it('refuses a unit not received on the case', () => {
    spec
      .given(...approvedCase())
      .when(inspect)
      .thenRefused('LDG_UNIT_NOT_ON_CASE', 'unitId');
  });

  it('refuses a second inspection', () => {
    spec
      .given(...approvedCase(), received(), {
        type: 'ItemInspected',
        data: { unitId: 'c-1-u1', grade: 'scrap', notes: null, occurredAt: at(1) },
      })
      .when(inspect)
      .thenRefused('LDG_ITEM_ALREADY_INSPECTED');
  });
});

describe('RequestRefund', () => {
  const ruleApproved = (refundId: string): CaseEvent => ({
    type: 'RefundApproved',
    data: { refundId, by: 'rule', rule: REFUND_AUTO_APPROVAL_RULE, occurredAt: at(1) },
  });

  it('approves by rule a refund within the refund approval limit', () => {
    spec
      .given(...approvedCase(), received())
      .when(requestRefund())
      .thenEmits([refundRequested('r-1', 10_000), ruleApproved('r-1')]);
  });

  it('waits for finance above the limit', () => {
    spec
      .given(...approvedCase(), received())
      .when(requestRefund({ amount: CNY(20_001) }))
      .thenEmits([refundRequested('r-1', 20_001, ['above-limit'])]);
  });

  it('waits for finance when there is no limit or it is in another currency', () => {
    spec
      .given(...approvedCase(), received())
      .when(requestRefund({ context: { refundApprovalLimit: null } }))
      .thenEmits([refundRequested('r-1', 10_000, ['above-limit'])]);
    spec
      .given(...approvedCase(), received())
      .when(requestRefund({ context: { refundApprovalLimit: { amount: 1_000_000, currency: 'USD' } } }))
      .thenEmits([refundRequested('r-1', 10_000, ['above-limit'])]);
  });

  it("compares the limit with the case's committed refund total, this refund included", () => {
    // 130.00 already committed (approved by rule, or paid): another 130.00 is 260.00 > 200.00.
    for (const history of [
      [refundRequested('r-0', 13_000), ruleApproved('r-0')],
      [refundRequested('r-0', 13_000), ruleApproved('r-0'), refundPaid('r-0', 13_000)],
      [refundRequested('r-0', 13_000, ['above-limit'])],
    ]) {
      spec
        .given(...approvedCase(), received(), ...history)
        .when(requestRefund({ amount: CNY(13_000) }))
        .thenEmits([refundRequested('r-1', 13_000, ['above-limit'])]);
    }
  });

  it('approves by rule while the committed total stays within the limit, inclusive', () => {
    spec
      .given(...approvedCase(), received(), refundRequested('r-0', 10_000), ruleApproved('r-0'))
      .when(requestRefund({ amount: CNY(10_000) }))
      .thenEmits([refundRequested('r-1', 10_000), ruleApproved('r-1')]);
  });

  it('leaves rejected refunds out of the committed total', () => {
    spec
      .given(...approvedCase(), received(), refundRequested('r-0', 13_000, ['above-limit']), {
        type: 'RefundRejected',
        data: { refundId: 'r-0', reason: 'disputed', occurredAt: at(1) },
      })
      .when(requestRefund({ amount: CNY(13_000) }))
      .thenEmits([refundRequested('r-1', 13_000), ruleApproved('r-1')]);
  });

  it('sends every refund before return to finance, with its evidence', () => {
    spec
      .given(...approvedCase())
      .when(requestRefund({ beforeReturn: true, evidence: 'photo' }))
      .thenEmits([refundRequested('r-1', 10_000, ['before-return'])]);
  });

  it('treats a refund while nothing was received as before return, whatever the flag says', () => {
    spec
      .given(...approvedCase())
      .when(requestRefund({ beforeReturn: false, evidence: 'photo' }))
      .thenEmits([refundRequested('r-1', 10_000, ['before-return'])]);
  });

  it('gives a refund before return above the limit both reasons', () => {
    spec
      .given(...approvedCase())
      .when(requestRefund({ amount: CNY(20_001), evidence: 'photo' }))
      .thenEmits([refundRequested('r-1', 20_001, ['above-limit', 'before-return'])]);
  });

  it('refuses a refund before return without evidence, flagged or not', () => {
    for (const beforeReturn of [true, false]) {
      spec
        .given(...approvedCase())
        .when(requestRefund({ beforeReturn }))
        .thenRefused('LDG_EVIDENCE_REQUIRED', 'evidence');
    }
  });

  it('refuses to split a refund before return under the limit: each waits for finance', () => {
    // The reviewer's case: nothing received, three refunds of 130.00 under a 200.00 limit.
    let state = spec.given(...approvedCase()).state;
    for (const n of [1, 2, 3]) {
      const decision = caseDecider.decide(
        requestRefund({ refundId: `r${n}`, amount: CNY(13_000), evidence: 'photo', occurredAt: at(n) }),
        state,
      );
      if (!decision.ok) throw new Error(decision.error.code);
      expect(decision.events.map((e) => e.type)).toEqual(['RefundRequested']);
      for (const event of decision.events) state = caseDecider.evolve(state, event);
    }
    expect(state.refunds.map((r) => [r.beforeReturn, r.status])).toEqual([
      [true, 'requested'],
      [true, 'requested'],
      [true, 'requested'],
    ]);
  });

  it('refuses a refund before return once something was received', () => {
    spec
      .given(...approvedCase(), received())
      .when(requestRefund({ beforeReturn: true, evidence: 'photo' }))
      .thenRefused('LDG_ITEM_ALREADY_RECEIVED', 'beforeReturn');
  });

  it('refuses refunds beyond what was paid for the line, counting earlier requests', () => {
    spec
      .given(...approvedCase(), received())
      .when(requestRefund({ amount: CNY(39_801) }))
      .thenRefused('LDG_REFUND_EXCEEDS_PAID', 'amount');
    spec
      .given(...approvedCase(), received(), refundRequested('r-0', 30_000, ['above-limit']))
      .when(requestRefund({ amount: CNY(9_801) }))
      .thenRefused('LDG_REFUND_EXCEEDS_PAID', 'amount');
    spec
      .given(...approvedCase(), received(), refundRequested('r-0', 30_000, ['above-limit']))
      .when(requestRefund({ amount: CNY(9_800) }))
      .thenTypes('RefundRequested');
  });

  it('frees the amount of a rejected refund', () => {
    spec
      .given(...approvedCase(), received(), refundRequested('r-0', 39_800, ['above-limit']), {
        type: 'RefundRejected',
        data: { refundId: 'r-0', reason: 'duplicate', occurredAt: at(1) },
      })
      .when(requestRefund({ amount: CNY(39_800) }))
      .thenTypes('RefundRequested');
  });

  it('refuses another currency, a zero amount and a reused refund id', () => {
    spec
      .given(...approvedCase())
      .when(requestRefund({ amount: { amount: 100, currency: 'USD' } }))
      .thenRefused('LDG_CURRENCY_MISMATCH', 'amount');
    spec
      .given(...approvedCase())
      .when(requestRefund({ amount: CNY(0) }))
      .thenRefused('LDG_INVALID_AMOUNT', 'amount');
    spec
      .given(...approvedCase(), refundRequested('r-1', 100))
      .when(requestRefund())
      .thenRefused('LDG_REFUND_ALREADY_EXISTS', 'refundId');
  });

  it('refuses on a case not yet approved', () => {
    spec.given(caseOpened()).when(requestRefund()).thenRefused('LDG_CASE_NOT_APPROVED');
  });
});

describe('ApproveRefund', () => {
  const approve = {
    type: 'ApproveRefund',
    caseId: 'c-1',
    refundId: 'r-1',
    approverId: 'fin-1',
    occurredAt: at(2),
  } as const;

  it('records the finance approver', () => {
    spec
      .given(...approvedCase(), refundRequested('r-1', 30_000, ['above-limit']))
      .when(approve)
      .thenEmits([
        {
          type: 'RefundApproved',
          data: { refundId: 'r-1', by: 'finance', approverId: 'fin-1', occurredAt: at(2) },
        },
      ]);
  });

  it('refuses an unknown, approved, paid or rejected refund', () => {
    spec
      .given(...approvedCase())
      .when(approve)
      .thenRefused('LDG_REFUND_NOT_FOUND', 'refundId');
    const requested = refundRequested('r-1', 30_000, ['above-limit']);
    spec
      .given(...approvedCase(), requested, refundApproved('r-1'))
      .when(approve)
      .thenRefused('LDG_REFUND_ALREADY_APPROVED');
    spec
      .given(...approvedCase(), requested, refundApproved('r-1'), refundPaid('r-1', 30_000))
      .when(approve)
      .thenRefused('LDG_REFUND_ALREADY_PAID');
    spec
      .given(...approvedCase(), requested, {
        type: 'RefundRejected',
        data: { refundId: 'r-1', reason: 'fraud', occurredAt: at(1) },
      })
      .when(approve)
      .thenRefused('LDG_REFUND_REJECTED');
  });
});

describe('RejectRefund', () => {
  const reject = {
    type: 'RejectRefund',
    caseId: 'c-1',
    refundId: 'r-1',
    reason: 'no evidence',
    occurredAt: at(2),
  } as const;
  const requested = refundRequested('r-1', 30_000, ['above-limit']);

  it('rejects a requested or approved refund', () => {
    const rejected = {
      type: 'RefundRejected',
      data: { refundId: 'r-1', reason: 'no evidence', occurredAt: at(2) },
    };
    spec
      .given(...approvedCase(), requested)
      .when(reject)
      .thenEmits([rejected as CaseEvent]);
    spec
      .given(...approvedCase(), requested, refundApproved('r-1'))
      .when(reject)
      .thenEmits([rejected as CaseEvent]);
  });

  it('refuses a paid, rejected or unknown refund', () => {
    spec
      .given(...approvedCase(), requested, refundApproved('r-1'), refundPaid('r-1', 30_000))
      .when(reject)
      .thenRefused('LDG_REFUND_ALREADY_PAID');
    spec
      .given(...approvedCase(), requested, {
        type: 'RefundRejected',
        data: { refundId: 'r-1', reason: 'x', occurredAt: at(1) },
      })
      .when(reject)
      .thenRefused('LDG_REFUND_REJECTED');
    spec
      .given(...approvedCase())
      .when(reject)
      .thenRefused('LDG_REFUND_NOT_FOUND', 'refundId');
  });
});

describe('PayRefund', () => {
  const pay = {
    type: 'PayRefund',
    caseId: 'c-1',
    refundId: 'r-1',
    paymentRef: 'pi_123',
    occurredAt: at(3),
  } as const;
  const requested = refundRequested('r-1', 30_000, ['above-limit']);

  it('pays an approved refund with the provider reference', () => {
    spec
      .given(...approvedCase(), requested, refundApproved('r-1'))
      .when(pay)
      .thenEmits([
        {
          type: 'RefundPaid',
          data: { refundId: 'r-1', amount: CNY(30_000), paymentRef: 'pi_123', occurredAt: at(3) },
        },
      ]);
  });

  it('refuses a refund still waiting for finance', () => {
    spec
      .given(...approvedCase(), requested)
      .when(pay)
      .thenRefused('LDG_REFUND_NOT_APPROVED');
  });

  it('refuses to pay a refund twice', () => {
    spec
      .given(...approvedCase(), requested, refundApproved('r-1'), refundPaid('r-1', 30_000))
      .when(pay)
      .thenRefused('LDG_REFUND_ALREADY_PAID');
  });

  it('refuses a rejected or unknown refund', () => {
    spec
      .given(...approvedCase(), requested, {
        type: 'RefundRejected',
        data: { refundId: 'r-1', reason: 'x', occurredAt: at(1) },
      })
      .when(pay)
      .thenRefused('LDG_REFUND_REJECTED');
    spec
      .given(...approvedCase())
      .when(pay)
      .thenRefused('LDG_REFUND_NOT_FOUND', 'refundId');
  });
});

describe('ShipToCustomer', () => {
  const ship = { type: 'ShipToCustomer', caseId: 'c-1', kind: 'replacement', occurredAt: at(4) } as const;

  it('records the shipment', () => {
    spec
      .given(...approvedCase())
      .when({ ...ship, trackingNo: 'SF123' })
      .thenEmits([
        { type: 'ShippedToCustomer', data: { kind: 'replacement', trackingNo: 'SF123', occurredAt: at(4) } },
      ]);
  });

  it('refuses before approval', () => {
    spec.given(caseOpened()).when(ship).thenRefused('LDG_CASE_NOT_APPROVED');
  });
});

describe('PayCompensation', () => {
  const compensate = {
    type: 'PayCompensation',
    caseId: 'c-1',
    amount: CNY(2_000),
    reason: 'late repair',
    occurredAt: at(30),
  } as const;

  it('records the compensation', () => {
    spec
      .given(...approvedCase())
      .when(compensate)
      .thenEmits([
        { type: 'CompensationPaid', data: { amount: CNY(2_000), reason: 'late repair', occurredAt: at(30) } },
      ]);
  });

  it("refuses another currency than the case's and a zero amount", () => {
    spec
      .given(...approvedCase())
      .when({ ...compensate, amount: { amount: 2_000, currency: 'EUR' } })
      .thenRefused('LDG_CURRENCY_MISMATCH', 'amount');
    spec
      .given(...approvedCase())
      .when({ ...compensate, amount: CNY(0) })
      .thenRefused('LDG_INVALID_AMOUNT', 'amount');
  });
});

describe('CloseCase', () => {
  const close = { type: 'CloseCase', caseId: 'c-1', occurredAt: at(10) } as const;
  const closed = (resolution: 'refund' | 'exchange' | 'rejected' | 'withdrawn'): CaseEvent => ({
    type: 'CaseClosed',
    data: { resolution, occurredAt: at(10) },
  });

  it('closes with the requested resolution by default, or the one given', () => {
    spec
      .given(...approvedCase())
      .when(close)
      .thenEmits([closed('refund')]);
    spec
      .given(...approvedCase())
      .when({ ...close, resolution: 'exchange' })
      .thenEmits([closed('exchange')]);
  });

  it('closes a rejected case as rejected and an undecided one as withdrawn', () => {
    spec
      .given(caseOpened(), { type: 'CaseRejected', data: { reason: 'late', occurredAt: at(1) } })
      .when(close)
      .thenEmits([closed('rejected')]);
    spec
      .given(caseOpened())
      .when(close)
      .thenEmits([closed('withdrawn')]);
  });

  it('closes once every refund is paid or rejected', () => {
    spec
      .given(...approvedCase(), refundRequested('r-1', 100), refundApproved('r-1'), refundPaid('r-1', 100))
      .when(close)
      .thenEmits([closed('refund')]);
  });

  it('refuses while a refund is approved but unpaid, or still requested', () => {
    spec
      .given(...approvedCase(), refundRequested('r-1', 100), refundApproved('r-1'))
      .when(close)
      .thenRefused('LDG_REFUNDS_OUTSTANDING');
    spec
      .given(...approvedCase(), refundRequested('r-1', 30_000, ['above-limit']))
      .when(close)
      .thenRefused('LDG_REFUNDS_OUTSTANDING');
  });

  it('refuses every command on a closed case', () => {
    const history = [...approvedCase(), closed('refund')];
    spec
      .given(...history)
      .when({ ...close, occurredAt: at(11) })
      .thenRefused('LDG_CASE_CLOSED');
    spec
      .given(...history)
      .when({ type: 'ReceiveItem', caseId: 'c-1', unitId: 'u', occurredAt: at(11) })
      .thenRefused('LDG_CASE_CLOSED');
    spec
      .given(...history)
      .when(requestRefund({ occurredAt: at(11) }))
      .thenRefused('LDG_CASE_CLOSED');
  });
});

describe('business time', () => {
  it('refuses any command dated before the previous event', () => {
    spec
      .given(...approvedCase(), received())
      .when(requestRefund({ occurredAt: at(0.5) }))
      .thenRefused('LDG_OCCURRED_AT_BEFORE_PREVIOUS', 'occurredAt');
  });

  it('accepts a command at the same instant as the previous event', () => {
    spec
      .given(...approvedCase(), received())
      .when(requestRefund({ occurredAt: at(1) }))
      .thenTypes('RefundRequested', 'RefundApproved');
  });
});

describe('state', () => {
  it('folds an auto-approved opening into an approved case with its promise and attribution', () => {
    const opening = spec.given().when(openCase());
    const state = opening.thenEmits(opening.decision.ok ? opening.decision.events : []);
    expect(state).toMatchObject({
      status: 'approved',
      approvedAt: OPENED_AT,
      promisedBy: at(7),
      opened: { purchasedAt: PURCHASED_AT, vendorId: 'v-acme', pmId: 'pm-li' },
      lastOccurredAt: OPENED_AT,
    });
  });
});
