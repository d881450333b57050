import { accept, assertNever, type Decider, type Decision, refuse } from '../decider.js';
import { type CodedDomainError, domainError } from '../errors.js';
import { occurredAtError, validatedDecision } from '../shared/event-schema.js';
import { type Money, moneySchema } from '../shared/money.js';
import { addDays } from '../shared/time.js';
import type { EnterCustody, RecordVendorResponse, RmaUnitCommand } from './commands.js';
import { type RmaUnitEvent, rmaUnitEventSchemas } from './events.js';
import {
  type CustodyState,
  evolveRmaUnit,
  initialRmaUnitState,
  isSellable,
  type RmaUnitState,
} from './state.js';

type UnitDecision = Decision<RmaUnitEvent>;

function refusal(code: CodedDomainError['code'], message: string, state: RmaUnitState, field?: string) {
  return refuse<RmaUnitEvent>(domainError(code, message, field, { custody: state.custody }));
}

/** An amount in the unit cost's currency, or the refusal. */
function amountError(amount: Money, unitCost: Money, field: string): CodedDomainError | null {
  if (!moneySchema.safeParse(amount).success) {
    return domainError(
      'LDG_INVALID_COMMAND',
      `${field} must be integer minor units and an ISO-4217 currency`,
      field,
    );
  }
  if (amount.currency !== unitCost.currency) {
    return domainError(
      'LDG_CURRENCY_MISMATCH',
      `The unit cost is in ${unitCost.currency}, not ${amount.currency}`,
      field,
      {
        expected: unitCost.currency,
        actual: amount.currency,
      },
    );
  }
  return null;
}

function enterCustody(command: EnterCustody, state: RmaUnitState): UnitDecision {
  if (state.custody !== 'none') {
    return refuse(
      domainError('LDG_UNIT_ALREADY_EXISTS', `Unit ${command.unitId} is already in custody`, 'unitId'),
    );
  }
  const { unitId, caseId, sku, vendorId, pmId, unitCost, occurredAt } = command;
  return accept({
    type: 'UnitEnteredCustody',
    data: { unitId, caseId, sku, vendorId, pmId, unitCost, location: command.location ?? null, occurredAt },
  });
}

function vendorResponse(command: RecordVendorResponse, dispatchNo: number, unitCost: Money): UnitDecision {
  const { occurredAt, creditAmount } = command;
  if (command.outcome !== 'credited' && creditAmount !== undefined) {
    return refuse(
      domainError(
        'LDG_CREDIT_AMOUNT_UNEXPECTED',
        `A ${command.outcome} outcome has no credit amount`,
        'creditAmount',
      ),
    );
  }
  switch (command.outcome) {
    case 'repaired':
      return accept({ type: 'VendorReturnedRepaired', data: { dispatchNo, occurredAt } });
    case 'replaced':
      return accept({ type: 'VendorSentReplacement', data: { dispatchNo, occurredAt } });
    case 'rejected':
      return accept({ type: 'VendorRejectedClaim', data: { dispatchNo, occurredAt } });
    case 'credited': {
      if (creditAmount === undefined) {
        return refuse(domainError('LDG_CREDIT_AMOUNT_REQUIRED', 'A credit needs its amount', 'creditAmount'));
      }
      const error = amountError(creditAmount, unitCost, 'creditAmount');
      if (error) return refuse(error);
      return accept({ type: 'VendorIssuedCredit', data: { dispatchNo, amount: creditAmount, occurredAt } });
    }
    default:
      return assertNever(command.outcome);
  }
}

function notAwaitingDispatch(state: RmaUnitState): UnitDecision {
  const custody: CustodyState = state.custody;
  if (custody === 'at-vendor')
    return refusal('LDG_UNIT_ALREADY_AT_VENDOR', 'The unit is already at the vendor', state);
  if (custody === 'awaiting-inspection')
    return refusal('LDG_UNIT_NOT_GRADED', 'The unit is not graded yet', state);
  return refusal('LDG_UNIT_NOT_AWAITING_DISPATCH', `A unit ${custody} cannot be dispatched`, state);
}

function decide(command: RmaUnitCommand, state: RmaUnitState): UnitDecision {
  const timeError = occurredAtError(command.occurredAt, state.lastOccurredAt);
  if (timeError) return refuse(timeError);
  if (command.type === 'EnterCustody') return enterCustody(command, state);
  const { unitCost, vendorId } = state;
  if (state.custody === 'none' || !unitCost || !vendorId) {
    return refuse(domainError('LDG_UNIT_NOT_FOUND', `Unit ${command.unitId} is not in custody`, 'unitId'));
  }
  if (state.custody === 'disposed') {
    return refuse(
      domainError('LDG_UNIT_ALREADY_DISPOSED', `The unit was ${state.disposition}`, undefined, {
        disposition: state.disposition,
      }),
    );
  }
  const { occurredAt } = command;
  const dispatch = state.lastDispatch;
  switch (command.type) {
    case 'RecordGrade':
      if (state.custody !== 'awaiting-inspection') {
        return refusal('LDG_UNIT_ALREADY_GRADED', `The unit was already graded ${state.grade}`, state);
      }
      return accept({ type: 'UnitGraded', data: { grade: command.grade, occurredAt } });
    case 'DispatchToVendor': {
      if (state.custody !== 'awaiting-dispatch') return notAwaitingDispatch(state);
      const { turnaroundDays } = command.context;
      if (!Number.isSafeInteger(turnaroundDays) || turnaroundDays < 0) {
        return refuse(
          domainError(
            'LDG_INVALID_COMMAND',
            'turnaroundDays must be a whole number of days',
            'turnaroundDays',
          ),
        );
      }
      return accept({
        type: 'UnitDispatchedToVendor',
        data: {
          dispatchNo: state.dispatchCount + 1,
          vendorId,
          vendorRef: command.vendorRef ?? null,
          turnaroundDays,
          vendorDueAt: addDays(occurredAt, turnaroundDays),
          occurredAt,
        },
      });
    }
    case 'DunVendor':
      if (state.custody !== 'at-vendor' || !dispatch) {
        return refusal('LDG_UNIT_NOT_AT_VENDOR', 'Only a unit at the vendor can be chased', state);
      }
      return accept({
        type: 'VendorDunned',
        data: {
          dispatchNo: dispatch.dispatchNo,
          dunningNo: dispatch.dunnings + 1,
          note: command.note,
          occurredAt,
        },
      });
    case 'RecordVendorResponse':
      if (state.custody !== 'at-vendor' || !dispatch) {
        return refusal('LDG_UNIT_NOT_AT_VENDOR', 'The unit is not at a vendor', state);
      }
      return vendorResponse(command, dispatch.dispatchNo, unitCost);
    case 'RecordRetest': {
      if (state.custody !== 'awaiting-retest' || !dispatch) {
        return refusal(
          'LDG_UNIT_NOT_RETURNED_BY_VENDOR',
          'Only a unit the vendor sent back can be retested',
          state,
        );
      }
      const data = { dispatchNo: dispatch.dispatchNo, notes: command.notes ?? null, occurredAt };
      return accept(command.passed ? { type: 'RetestPassed', data } : { type: 'RetestFailed', data });
    }
    case 'Restock':
    case 'ReturnToCustomer':
      if (state.custody !== 'awaiting-disposition') {
        return refusal(
          'LDG_UNIT_NOT_AWAITING_DISPOSITION',
          `A unit ${state.custody} cannot be disposed of this way`,
          state,
        );
      }
      if (!isSellable(state.dispositionBasis)) {
        return refuse(
          domainError(
            'LDG_UNIT_NOT_SELLABLE',
            `A ${state.dispositionBasis} unit can only be liquidated or written off`,
            undefined,
            { custody: state.custody, reason: state.dispositionBasis },
          ),
        );
      }
      return command.type === 'Restock'
        ? accept({ type: 'UnitRestocked', data: { location: command.location ?? null, occurredAt } })
        : accept({ type: 'UnitReturnedToCustomer', data: { occurredAt } });
    case 'Liquidate': {
      if (state.custody === 'at-vendor')
        return refusal('LDG_UNIT_AT_VENDOR', 'The unit is at the vendor', state);
      if (state.custody === 'awaiting-inspection')
        return refusal('LDG_UNIT_NOT_GRADED', 'The unit is not graded yet', state);
      const error = amountError(command.recovered, unitCost, 'recovered');
      if (error) return refuse(error);
      const loss = Math.max(0, unitCost.amount - command.recovered.amount);
      return accept({
        type: 'UnitLiquidated',
        data: {
          recovered: command.recovered,
          unitCost,
          loss: { amount: loss, currency: unitCost.currency },
          occurredAt,
        },
      });
    }
    case 'WriteOff': {
      // Allowed in any undisposed state: a unit stuck at a vendor is the usual write-off.
      const amount = command.amount ?? unitCost;
      const error = amountError(amount, unitCost, 'amount');
      if (error) return refuse(error);
      return accept({
        type: 'UnitWrittenOff',
        data: { amount, reason: command.reason, chargedToPmId: command.context.pmId, occurredAt },
      });
    }
    default:
      return assertNever(command);
  }
}

/** The RMA unit (`rma-unit-<unitId>`): the vendor-return cycle from custody to disposition. */
export const rmaUnitDecider: Decider<RmaUnitCommand, RmaUnitEvent, RmaUnitState> = {
  initialState: initialRmaUnitState,
  evolve: evolveRmaUnit,
  decide: (command, state) => validatedDecision(rmaUnitEventSchemas, decide(command, state)),
};
