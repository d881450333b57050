import { accept, assertNever, type Decider, type Decision, refuse } from '../decider.js';
import { type CodedDomainError, domainError } from '../errors.js';
import { occurredAtError, validatedDecision } from '../shared/event-schema.js';
import { moneySchema } from '../shared/money.js';
import { isBefore, isIsoInstant } from '../shared/time.js';
import { AUTO_APPROVAL_RULE, promiseEvent, qualifiesForAutoApproval } from './approval.js';
import type { ApproveCase, CaseCommand, CloseCase, InspectItem, OpenCase, ReceiveItem } from './commands.js';
import { type CaseEvent, type CaseOpenedData, caseEventSchemas } from './events.js';
import { amountError, approveRefund, payRefund, rejectRefund, requestRefund } from './refunds.js';
import { type CaseState, evolveCase, initialCaseState, lineAmount } from './state.js';

type CaseDecision = Decision<CaseEvent>;

function invalid(field: string, message: string): CaseDecision {
  return refuse(domainError('LDG_INVALID_COMMAND', message, field));
}

function openCase(command: OpenCase, state: CaseState): CaseDecision {
  if (state.status !== 'none') {
    return refuse(domainError('LDG_CASE_ALREADY_EXISTS', `Case ${command.caseId} already exists`, 'caseId'));
  }
  const sku = command.context.sku;
  if (!sku) return refuse(domainError('LDG_SKU_NOT_FOUND', `SKU ${command.sku} is not registered`, 'sku'));
  if (!Number.isSafeInteger(command.quantity) || command.quantity < 1) {
    return invalid('quantity', 'quantity must be a positive integer');
  }
  if (!moneySchema.safeParse(command.unitPrice).success) {
    return invalid('unitPrice', 'unitPrice must be integer minor units and an ISO-4217 currency');
  }
  if (!Number.isSafeInteger(command.unitPrice.amount * command.quantity)) {
    return invalid('quantity', 'unitPrice × quantity is too large');
  }
  if (!isIsoInstant(command.purchasedAt))
    return invalid('purchasedAt', 'purchasedAt must be an ISO-8601 UTC instant');
  if (isBefore(command.occurredAt, command.purchasedAt)) {
    return refuse(
      domainError(
        'LDG_PURCHASE_AFTER_OPENING',
        'The purchase lies after the opening of the case',
        'purchasedAt',
      ),
    );
  }
  const { caseId, orderId, channel, quantity, unitPrice, purchasedAt, reason, resolution, occurredAt } =
    command;
  const opened: CaseOpenedData = {
    caseId,
    orderId,
    channel,
    sku: command.sku,
    quantity,
    unitPrice,
    purchasedAt,
    reason,
    resolution,
    customer: { id: command.customer.id, personalData: command.customer.personalData },
    vendorId: sku.vendorId,
    pmId: sku.pmId,
    occurredAt,
  };
  const events: CaseEvent[] = [{ type: 'CaseOpened', data: opened }];
  if (qualifiesForAutoApproval(command.context.policy, opened, lineAmount(opened))) {
    events.push(
      { type: 'CaseApproved', data: { by: 'rule', rule: AUTO_APPROVAL_RULE, occurredAt } },
      promiseEvent(opened, occurredAt, command.context, undefined),
    );
  }
  return accept(...events);
}

function approveCase(command: ApproveCase, opened: CaseOpenedData): CaseDecision {
  const { promisedBy, occurredAt } = command;
  if (promisedBy === undefined && !command.context.policy) {
    return refuse(
      domainError(
        'LDG_PROMISE_REQUIRED',
        `Channel ${opened.channel} has no policy: set promisedBy`,
        'promisedBy',
      ),
    );
  }
  if (promisedBy !== undefined) {
    if (!isIsoInstant(promisedBy)) return invalid('promisedBy', 'promisedBy must be an ISO-8601 UTC instant');
    if (isBefore(promisedBy, occurredAt)) {
      return refuse(
        domainError('LDG_PROMISE_BEFORE_APPROVAL', 'promisedBy lies before the approval', 'promisedBy'),
      );
    }
  }
  return accept<CaseEvent>(
    { type: 'CaseApproved', data: { by: 'person', approverId: command.approverId, occurredAt } },
    promiseEvent(opened, occurredAt, command.context, promisedBy),
  );
}

function receiveItem(command: ReceiveItem, state: CaseState, opened: CaseOpenedData): CaseDecision {
  if (state.units.some((u) => u.unitId === command.unitId)) {
    return refuse(
      domainError('LDG_UNIT_ALREADY_RECEIVED', `Unit ${command.unitId} was already received`, 'unitId'),
    );
  }
  if (state.units.length >= opened.quantity) {
    return refuse(
      domainError(
        'LDG_ALL_ITEMS_RECEIVED',
        `All ${opened.quantity} unit(s) of the line were already received`,
      ),
    );
  }
  return accept({
    type: 'ItemReceived',
    data: {
      unitId: command.unitId,
      receiptNo: state.units.length + 1,
      location: command.location ?? null,
      occurredAt: command.occurredAt,
    },
  });
}

function inspectItem(command: InspectItem, state: CaseState): CaseDecision {
  const unit = state.units.find((u) => u.unitId === command.unitId);
  if (!unit) {
    return refuse(
      domainError('LDG_UNIT_NOT_ON_CASE', `Unit ${command.unitId} was not received on this case`, 'unitId'),
    );
  }
  if (unit.grade !== null) {
    return refuse(
      domainError('LDG_ITEM_ALREADY_INSPECTED', `Unit ${unit.unitId} was already graded ${unit.grade}`),
    );
  }
  const { unitId, grade, occurredAt } = command;
  return accept({ type: 'ItemInspected', data: { unitId, grade, notes: command.notes ?? null, occurredAt } });
}

function closeCase(command: CloseCase, state: CaseState, opened: CaseOpenedData): CaseDecision {
  const outstanding = state.refunds.filter((r) => r.status === 'requested' || r.status === 'approved');
  if (outstanding.length > 0) {
    return refuse(
      domainError(
        'LDG_REFUNDS_OUTSTANDING',
        'Pay or reject every outstanding refund before closing',
        undefined,
        {
          refundIds: outstanding.map((r) => r.refundId),
        },
      ),
    );
  }
  const byDefault =
    state.status === 'rejected' ? 'rejected' : state.status === 'open' ? 'withdrawn' : opened.resolution;
  return accept({
    type: 'CaseClosed',
    data: { resolution: command.resolution ?? byDefault, occurredAt: command.occurredAt },
  });
}

/** Refuses what a case in its current status cannot do, before looking at the command itself. */
function statusError(command: CaseCommand, state: CaseState): CodedDomainError | null {
  if (state.status === 'closed') return domainError('LDG_CASE_CLOSED', 'The case is closed');
  const needsApproval: readonly CaseCommand['type'][] = [
    'RequestRefund',
    'ApproveRefund',
    'RejectRefund',
    'PayRefund',
    'ShipToCustomer',
    'PayCompensation',
  ];
  if (command.type === 'ApproveCase' || command.type === 'RejectCase') {
    return state.status === 'open'
      ? null
      : domainError('LDG_CASE_ALREADY_DECIDED', `The case is already ${state.status}`, undefined, {
          status: state.status,
        });
  }
  if (command.type === 'CloseCase') return null;
  if (state.status === 'rejected') return domainError('LDG_CASE_REJECTED', 'The case was rejected');
  if (state.status === 'open' && needsApproval.includes(command.type)) {
    return domainError('LDG_CASE_NOT_APPROVED', 'The case is not approved yet');
  }
  return null;
}

function decide(command: CaseCommand, state: CaseState): CaseDecision {
  const timeError = occurredAtError(command.occurredAt, state.lastOccurredAt);
  if (timeError) return refuse(timeError);
  if (command.type === 'OpenCase') return openCase(command, state);
  const opened = state.opened;
  if (!opened)
    return refuse(domainError('LDG_CASE_NOT_FOUND', `Case ${command.caseId} does not exist`, 'caseId'));
  const error = statusError(command, state);
  if (error) return refuse(error);
  const { occurredAt } = command;
  switch (command.type) {
    case 'ApproveCase':
      return approveCase(command, opened);
    case 'RejectCase':
      return accept({ type: 'CaseRejected', data: { reason: command.reason, occurredAt } });
    case 'ReceiveItem':
      return receiveItem(command, state, opened);
    case 'InspectItem':
      return inspectItem(command, state);
    case 'RequestRefund':
      return requestRefund(command, state, opened);
    case 'ApproveRefund':
      return approveRefund(command, state);
    case 'RejectRefund':
      return rejectRefund(command, state);
    case 'PayRefund':
      return payRefund(command, state);
    case 'ShipToCustomer':
      return accept({
        type: 'ShippedToCustomer',
        data: { kind: command.kind, trackingNo: command.trackingNo ?? null, occurredAt },
      });
    case 'PayCompensation': {
      const amountRefusal = amountError(command.amount, opened, 'amount');
      if (amountRefusal) return refuse(amountRefusal);
      return accept({
        type: 'CompensationPaid',
        data: { amount: command.amount, reason: command.reason, occurredAt },
      });
    }
    case 'CloseCase':
      return closeCase(command, state, opened);
    default:
      return assertNever(command);
  }
}

/** The customer case (`case-<caseId>`): from opening to closing, refunds included. */
export const caseDecider: Decider<CaseCommand, CaseEvent, CaseState> = {
  initialState: initialCaseState,
  evolve: evolveCase,
  decide: (command, state) => validatedDecision(caseEventSchemas, decide(command, state)),
};
