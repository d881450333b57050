import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseCommand } from './case/commands.js';
import { caseDecider } from './case/decider.js';
import type { CaseEvent } from './case/events.js';
import { type CaseState, committedRefundAmount, lineAmount, paidRefundAmount } from './case/state.js';
import { type Decider, replay } from './decider.js';
import { currentSchemaVersion, parseEvent } from './events.js';
import type { RmaUnitCommand } from './rma-unit/commands.js';
import { rmaUnitDecider } from './rma-unit/decider.js';
import type { RmaUnitEvent } from './rma-unit/events.js';
import type { RmaUnitState } from './rma-unit/state.js';
import { gradeSchema } from './shared/grade.js';
import { receiptUnitId } from './streams.js';
import { openCase, PURCHASED_AT, policy } from './testing/fixtures.js';

/** One random step: which command to try and the random choices it needs. */
const stepArbitrary = fc.record({
  target: fc.constantFrom('case', 'unit'),
  kind: fc.nat(20),
  /** Refund/compensation amounts as a fraction of the line, sometimes beyond it. */
  share: fc.integer({ min: 0, max: 130 }).map((percent) => percent / 100),
  flag: fc.boolean(),
  pick: fc.nat(10),
  advanceMs: fc.integer({ min: 0, max: 5 * 86_400_000 }),
});
type Step = typeof stepArbitrary extends fc.Arbitrary<infer T> ? T : never;

const openingArbitrary = fc.record({
  quantity: fc.integer({ min: 1, max: 3 }),
  unitPrice: fc.integer({ min: 1, max: 60_000 }),
  resolution: fc.constantFrom('refund', 'exchange', 'repair'),
  daysAfterPurchase: fc.oneof(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 400 })),
  hasPolicy: fc.boolean(),
});

interface Stream<C, E, S> {
  readonly decider: Decider<C, E, S>;
  state: S;
  readonly events: E[];
}

function stream<C, E, S>(decider: Decider<C, E, S>): Stream<C, E, S> {
  return { decider, state: decider.initialState, events: [] };
}

/** Decides, and on acceptance checks every event against the catalogue and folds it in. */
function run<C, E extends { type: string; data: unknown }, S>(s: Stream<C, E, S>, command: C): readonly E[] {
  const decision = s.decider.decide(command, s.state);
  if (!decision.ok) return [];
  for (const event of decision.events) {
    const stored = JSON.parse(JSON.stringify(event.data));
    expect(parseEvent(event.type, currentSchemaVersion(event.type), stored)).toEqual(event);
    s.state = s.decider.evolve(s.state, event);
    s.events.push(event);
  }
  return decision.events;
}

/** Rebuilds the state from the events as a store would return them: JSON, parsed through the catalogue. */
function rebuilt<C, E extends { type: string; data: unknown }, S>(s: Stream<C, E, S>): S {
  const fromStore = s.events.map(
    (e) =>
      parseEvent(e.type, currentSchemaVersion(e.type), JSON.parse(JSON.stringify(e.data))) as unknown as E,
  );
  return replay(s.decider, fromStore);
}

// Weighted towards the grades that send a unit round the vendor cycle.
const grades = [...gradeSchema.options, 'repairable', 'defective', 'repairable'] as const;

function caseCommand(step: Step, state: CaseState, occurredAt: string): CaseCommand {
  const opened = state.opened!;
  const base = { caseId: opened.caseId, occurredAt };
  const line = lineAmount(opened);
  const money = { amount: Math.floor(line.amount * step.share), currency: line.currency };
  const refund = state.refunds[step.pick % Math.max(1, state.refunds.length)];
  const refundId = refund?.refundId ?? 'none';
  const unit = state.units[step.pick % Math.max(1, state.units.length)];
  switch (step.kind % 11) {
    case 0:
      return {
        ...base,
        type: 'ApproveCase',
        approverId: 'cs',
        context: { policy, vendorTurnaroundDays: 14 },
      };
    case 1:
      return step.flag && step.pick === 0
        ? { ...base, type: 'RejectCase', reason: 'no' }
        : { ...base, type: 'PayRefund', refundId, paymentRef: `p-${step.pick}` };
    case 2:
      return { ...base, type: 'ReceiveItem', unitId: receiptUnitId(opened.caseId, state.units.length + 1) };
    case 3:
      return {
        ...base,
        type: 'InspectItem',
        unitId: unit?.unitId ?? 'none',
        grade: grades[step.pick % grades.length]!,
      };
    case 4:
    case 5:
      return {
        ...base,
        type: 'RequestRefund',
        refundId: `r-${state.refunds.length + 1}`,
        amount: money,
        beforeReturn: step.flag,
        ...(step.pick % 3 === 0 ? {} : { evidence: 'photo' }),
        context: { refundApprovalLimit: policy.refundApprovalLimit },
      };
    case 6:
      return { ...base, type: 'ApproveRefund', refundId, approverId: 'fin' };
    case 7:
      return step.flag
        ? { ...base, type: 'PayRefund', refundId, paymentRef: `p-${step.pick}` }
        : { ...base, type: 'RejectRefund', refundId, reason: 'no' };
    case 8:
      return { ...base, type: 'PayCompensation', amount: money, reason: 'late' };
    case 9:
      return { ...base, type: 'ShipToCustomer', kind: step.flag ? 'repaired' : 'replacement' };
    default:
      return step.pick < 2
        ? { ...base, type: 'CloseCase' }
        : { ...base, type: 'ReceiveItem', unitId: receiptUnitId(opened.caseId, state.units.length + 1) };
  }
}

function unitCommand(step: Step, state: RmaUnitState, occurredAt: string): RmaUnitCommand {
  const base = { unitId: state.unitId!, occurredAt };
  const cost = state.unitCost!;
  const share = { amount: Math.floor(cost.amount * step.share), currency: cost.currency };
  const outcomes = ['repaired', 'replaced', 'credited', 'rejected'] as const;
  switch (step.kind % 9) {
    case 0:
    case 1:
      return { ...base, type: 'DispatchToVendor', context: { turnaroundDays: step.pick + 5 } };
    case 2:
      return { ...base, type: 'DunVendor', note: 'chase' };
    case 3:
    case 4: {
      const outcome = outcomes[step.pick % outcomes.length]!;
      return {
        ...base,
        type: 'RecordVendorResponse',
        outcome,
        ...(outcome === 'credited' ? { creditAmount: share } : {}),
      };
    }
    case 5:
      return { ...base, type: 'RecordRetest', passed: step.flag };
    case 6:
      return step.flag ? { ...base, type: 'Restock' } : { ...base, type: 'ReturnToCustomer' };
    case 7:
      return { ...base, type: 'Liquidate', recovered: share };
    default:
      return step.pick < 3
        ? { ...base, type: 'WriteOff', reason: 'stuck', context: { pmId: 'pm-now' } }
        : { ...base, type: 'DispatchToVendor', context: { turnaroundDays: 14 } };
  }
}

/**
 * A refund requested while nothing was received is one before return, and the rule approves a
 * refund only while the case's committed refund total stays within the limit.
 */
function expectRefundRules(events: readonly CaseEvent[], nothingReceived: boolean, after: CaseState): void {
  const requested = events.find((e) => e.type === 'RefundRequested');
  if (requested?.type !== 'RefundRequested') return;
  expect(requested.data.beforeReturn).toBe(nothingReceived);
  if (nothingReceived) expect(requested.data.evidence).not.toBeNull();
  if (events.some((e) => e.type === 'RefundApproved')) {
    expect(requested.data.beforeReturn).toBe(false);
    expect(committedRefundAmount(after)).toBeLessThanOrEqual(policy.refundApprovalLimit.amount);
  }
}

/** Restocked or returned to the customer only straight after a resellable grade or a passed retest. */
function expectSoldOnlyWhenSellable(events: readonly RmaUnitEvent[]): void {
  events.forEach((event, i) => {
    if (event.type !== 'UnitRestocked' && event.type !== 'UnitReturnedToCustomer') return;
    const previous = events[i - 1];
    const sellable =
      previous?.type === 'RetestPassed' ||
      (previous?.type === 'UnitGraded' && previous.data.grade === 'resellable');
    expect(sellable).toBe(true);
  });
}

describe('random command sequences over both cycles', () => {
  it('always leave streams that rebuild from their own events, valid events, and refunds within the line', () => {
    fc.assert(
      fc.property(
        openingArbitrary,
        fc.array(stepArbitrary, { minLength: 10, maxLength: 80 }),
        (opening, steps) => {
          let clock = Date.parse(PURCHASED_AT) + opening.daysAfterPurchase * 86_400_000;
          const command = openCase({
            quantity: opening.quantity,
            unitPrice: { amount: opening.unitPrice, currency: 'CNY' },
            resolution: opening.resolution,
            occurredAt: new Date(clock).toISOString(),
          });
          const theCase = stream(caseDecider);
          run(theCase, {
            ...command,
            context: { ...command.context, policy: opening.hasPolicy ? policy : null },
          });
          const units = new Map<string, Stream<RmaUnitCommand, RmaUnitEvent, RmaUnitState>>();

          for (const step of steps) {
            clock += step.advanceMs;
            const occurredAt = new Date(clock).toISOString();
            if (step.target === 'unit' && units.size > 0) {
              const unit = [...units.values()][step.pick % units.size]!;
              run(unit, unitCommand(step, unit.state, occurredAt));
              continue;
            }
            const nothingReceived = theCase.state.units.length === 0;
            const decided = run(theCase, caseCommand(step, theCase.state, occurredAt)) as CaseEvent[];
            expectRefundRules(decided, nothingReceived, theCase.state);
            // The process manager's part: a receipt enters custody, an inspection grades the unit.
            for (const event of decided) {
              if (event.type === 'ItemReceived') {
                const unit = stream(rmaUnitDecider);
                const opened = theCase.state.opened!;
                const entered = run(unit, {
                  type: 'EnterCustody',
                  unitId: event.data.unitId,
                  caseId: opened.caseId,
                  sku: opened.sku,
                  vendorId: opened.vendorId,
                  pmId: opened.pmId,
                  unitCost: { amount: 9_000, currency: 'CNY' },
                  occurredAt,
                });
                expect(entered).toHaveLength(1);
                units.set(event.data.unitId, unit);
              }
              if (event.type === 'ItemInspected') {
                const unit = units.get(event.data.unitId)!;
                run(unit, {
                  type: 'RecordGrade',
                  unitId: event.data.unitId,
                  grade: event.data.grade,
                  occurredAt,
                });
              }
            }

            const line = lineAmount(theCase.state.opened!);
            expect(paidRefundAmount(theCase.state)).toBeLessThanOrEqual(line.amount);
            expect(theCase.state.units.length).toBeLessThanOrEqual(theCase.state.opened!.quantity);
          }

          expect(rebuilt(theCase)).toEqual(theCase.state);
          for (const unit of units.values()) {
            expect(rebuilt(unit)).toEqual(unit.state);
            const dispositions = unit.events.filter((e) =>
              ['UnitRestocked', 'UnitReturnedToCustomer', 'UnitLiquidated', 'UnitWrittenOff'].includes(
                e.type,
              ),
            );
            expect(dispositions.length).toBeLessThanOrEqual(1);
            if (dispositions.length === 1) expect(unit.events.at(-1)).toBe(dispositions[0]);
            expectSoldOnlyWhenSellable(unit.events);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('take a unit round the vendor cycle only along allowed transitions', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 10, maxLength: 80 }), (steps) => {
        let clock = Date.parse(PURCHASED_AT);
        const at = () => new Date(clock).toISOString();
        const unit = stream(rmaUnitDecider);
        const base = { unitId: 'u-1', caseId: 'c-1', sku: 'SKU-1', vendorId: 'v-acme', pmId: 'pm-li' };
        run(unit, {
          ...base,
          type: 'EnterCustody',
          unitCost: { amount: 9_000, currency: 'CNY' },
          occurredAt: at(),
        });
        run(unit, { type: 'RecordGrade', unitId: 'u-1', grade: 'repairable', occurredAt: at() });
        for (const step of steps) {
          clock += step.advanceMs;
          run(unit, unitCommand(step, unit.state, at()));
        }

        expect(rebuilt(unit)).toEqual(unit.state);
        let dispatches = 0;
        let previous: RmaUnitEvent['type'] | null = null;
        for (const event of unit.events) {
          if (event.type === 'UnitDispatchedToVendor') expect(event.data.dispatchNo).toBe(++dispatches);
          if ('dispatchNo' in event.data) expect(event.data.dispatchNo).toBe(dispatches);
          if (event.type === 'RetestPassed' || event.type === 'RetestFailed') {
            expect(['VendorReturnedRepaired', 'VendorSentReplacement']).toContain(previous);
          }
          previous = event.type;
        }
        const disposals = unit.events.filter((e) =>
          ['UnitRestocked', 'UnitReturnedToCustomer', 'UnitLiquidated', 'UnitWrittenOff'].includes(e.type),
        );
        expect(disposals.length).toBeLessThanOrEqual(1);
        if (disposals.length === 1) expect(unit.events.at(-1)).toBe(disposals[0]);
        expectSoldOnlyWhenSellable(unit.events);
      }),
      { numRuns: 300 },
    );
  });
});
