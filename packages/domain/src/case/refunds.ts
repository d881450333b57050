import { accept, assertNever, type Decision, refuse } from '../decider.js';
import { type CodedDomainError, domainError } from '../errors.js';
import { type Money, moneySchema } from '../shared/money.js';
import { REFUND_AUTO_APPROVAL_RULE } from './approval.js';
import type { ApproveRefund, PayRefund, RejectRefund, RequestRefund } from './commands.js';
import type { CaseEvent, CaseOpenedData, RefundApprovalReason } from './events.js';
import { type CaseState, committedRefundAmount, lineAmount } from './state.js';

type CaseDecision = Decision<CaseEvent>;

/** A positive amount in the case's currency, or the refusal. */
export function amountError(amount: Money, opened: CaseOpenedData, field: string): CodedDomainError | null {
  if (!moneySchema.safeParse(amount).success) {
    return domainError(
      'LDG_INVALID_COMMAND',
      `${field} must be integer minor units and an ISO-4217 currency`,
      field,
    );
  }
  if (amount.currency !== opened.unitPrice.currency) {
    return domainError(
      'LDG_CURRENCY_MISMATCH',
      `The case is in ${opened.unitPrice.currency}, not ${amount.currency}`,
      field,
      { expected: opened.unitPrice.currency, actual: amount.currency },
    );
  }
  if (amount.amount === 0) return domainError('LDG_INVALID_AMOUNT', `${field} must be positive`, field);
  return null;
}

/** Refunds: requested, approved by rule or finance, rejected, paid; never beyond the line. */
export function requestRefund(
  command: RequestRefund,
  state: CaseState,
  opened: CaseOpenedData,
): CaseDecision {
  if (state.refunds.some((r) => r.refundId === command.refundId)) {
    return refuse(
      domainError('LDG_REFUND_ALREADY_EXISTS', `Refund ${command.refundId} already exists`, 'refundId'),
    );
  }
  const error = amountError(command.amount, opened, 'amount');
  if (error) return refuse(error);
  if (command.beforeReturn && state.units.length > 0) {
    return refuse(
      domainError(
        'LDG_ITEM_ALREADY_RECEIVED',
        'A refund before return needs nothing received yet',
        'beforeReturn',
      ),
    );
  }
  // Whatever the caller says, money going out while nothing came back is a refund before return.
  const beforeReturn = state.units.length === 0;
  if (beforeReturn && !command.evidence) {
    return refuse(
      domainError(
        'LDG_EVIDENCE_REQUIRED',
        'Nothing was received yet: a refund before return needs evidence',
        'evidence',
      ),
    );
  }
  const paid = lineAmount(opened);
  const committed = committedRefundAmount(state);
  if (committed + command.amount.amount > paid.amount) {
    return refuse(
      domainError('LDG_REFUND_EXCEEDS_PAID', 'Refunds would exceed what was paid for the line', 'amount', {
        paid: paid.amount,
        alreadyCommitted: committed,
        requested: command.amount.amount,
        currency: paid.currency,
      }),
    );
  }
  const limit = command.context.refundApprovalLimit;
  const reasons: RefundApprovalReason[] = [];
  // The limit bounds the case's committed total, so splitting a refund cannot slip under it.
  // A limit in another currency cannot be compared: finance decides.
  if (
    !limit ||
    limit.currency !== command.amount.currency ||
    committed + command.amount.amount > limit.amount
  ) {
    reasons.push('above-limit');
  }
  if (beforeReturn) reasons.push('before-return');
  const { refundId, amount, occurredAt } = command;
  const events: CaseEvent[] = [
    {
      type: 'RefundRequested',
      data: {
        refundId,
        amount,
        beforeReturn,
        evidence: command.evidence ?? null,
        financeApprovalReasons: reasons,
        occurredAt,
      },
    },
  ];
  if (reasons.length === 0) {
    events.push({
      type: 'RefundApproved',
      data: { refundId, by: 'rule', rule: REFUND_AUTO_APPROVAL_RULE, occurredAt },
    });
  }
  return accept(...events);
}

function findRefund(state: CaseState, refundId: string) {
  return state.refunds.find((r) => r.refundId === refundId);
}

function refundNotFound(refundId: string): CaseDecision {
  return refuse(domainError('LDG_REFUND_NOT_FOUND', `No refund ${refundId} on this case`, 'refundId'));
}

/** The refusal for a refund that is already settled: nothing can happen to it any more. */
function refundSettled(refundId: string, status: 'paid' | 'rejected'): CaseDecision {
  return status === 'paid'
    ? refuse(domainError('LDG_REFUND_ALREADY_PAID', `Refund ${refundId} is already paid`))
    : refuse(domainError('LDG_REFUND_REJECTED', `Refund ${refundId} was rejected`));
}

export function approveRefund(command: ApproveRefund, state: CaseState): CaseDecision {
  const refund = findRefund(state, command.refundId);
  if (!refund) return refundNotFound(command.refundId);
  switch (refund.status) {
    case 'requested':
      return accept({
        type: 'RefundApproved',
        data: {
          refundId: refund.refundId,
          by: 'finance',
          approverId: command.approverId,
          occurredAt: command.occurredAt,
        },
      });
    case 'approved':
      return refuse(
        domainError('LDG_REFUND_ALREADY_APPROVED', `Refund ${refund.refundId} is already approved`),
      );
    case 'paid':
    case 'rejected':
      return refundSettled(refund.refundId, refund.status);
    default:
      return assertNever(refund.status);
  }
}

export function rejectRefund(command: RejectRefund, state: CaseState): CaseDecision {
  const refund = findRefund(state, command.refundId);
  if (!refund) return refundNotFound(command.refundId);
  if (refund.status === 'paid' || refund.status === 'rejected') {
    return refundSettled(refund.refundId, refund.status);
  }
  return accept({
    type: 'RefundRejected',
    data: { refundId: refund.refundId, reason: command.reason, occurredAt: command.occurredAt },
  });
}

export function payRefund(command: PayRefund, state: CaseState): CaseDecision {
  const refund = findRefund(state, command.refundId);
  if (!refund) return refundNotFound(command.refundId);
  switch (refund.status) {
    case 'approved':
      return accept({
        type: 'RefundPaid',
        data: {
          refundId: refund.refundId,
          amount: refund.amount,
          paymentRef: command.paymentRef,
          occurredAt: command.occurredAt,
        },
      });
    case 'requested':
      return refuse(
        domainError('LDG_REFUND_NOT_APPROVED', `Refund ${refund.refundId} awaits finance approval`),
      );
    case 'paid':
    case 'rejected':
      return refundSettled(refund.refundId, refund.status);
    default:
      return assertNever(refund.status);
  }
}
