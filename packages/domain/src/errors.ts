import type { DomainError } from './decider.js';

/**
 * Every code a decider can refuse a command with, and what it means. Codes are stable public API
 * (the HTTP layer returns them in problem+json); add new ones, never rename or reuse.
 */
export const DOMAIN_ERROR_CODES = {
  // any stream
  LDG_INVALID_COMMAND: 'A command field is malformed (wrong type, format or range); `field` names it.',
  LDG_OCCURRED_AT_BEFORE_PREVIOUS: "The command's occurredAt precedes the stream's previous event.",
  LDG_CURRENCY_MISMATCH: "An amount's currency differs from the one the stream is kept in.",
  LDG_INVALID_AMOUNT: 'An amount that must be positive is zero.',
  // customer case
  LDG_CASE_NOT_FOUND: 'The case was never opened.',
  LDG_CASE_ALREADY_EXISTS: 'A case with this id is already open.',
  LDG_CASE_CLOSED: 'The case is closed; nothing more can happen to it.',
  LDG_CASE_REJECTED: 'The case was rejected; only closing it is possible.',
  LDG_CASE_ALREADY_DECIDED: 'The case was already approved or rejected.',
  LDG_CASE_NOT_APPROVED: 'The step needs an approved case.',
  LDG_SKU_NOT_FOUND: 'The SKU is not registered in the catalogue.',
  LDG_PURCHASE_AFTER_OPENING: 'The purchase date lies after the moment the case is opened.',
  LDG_PROMISE_REQUIRED: 'No channel policy gives a promise: the approver must set promisedBy.',
  LDG_PROMISE_BEFORE_APPROVAL: 'An explicit promisedBy lies before the approval.',
  LDG_ALL_ITEMS_RECEIVED: 'Every unit of the order line was already received.',
  LDG_UNIT_ALREADY_RECEIVED: 'This unit id was already received on the case.',
  LDG_UNIT_NOT_ON_CASE: 'The unit was never received on this case.',
  LDG_ITEM_ALREADY_INSPECTED: 'The received unit was already inspected.',
  LDG_REFUND_ALREADY_EXISTS: 'A refund with this id was already requested.',
  LDG_REFUND_NOT_FOUND: 'No refund with this id was requested on the case.',
  LDG_REFUND_EXCEEDS_PAID:
    'Refunds would exceed what the customer paid for the line (unit price × quantity).',
  LDG_EVIDENCE_REQUIRED:
    'A refund before return (any refund requested while no unit of the case was received) needs evidence.',
  LDG_ITEM_ALREADY_RECEIVED: 'A refund before return is only possible while nothing was received.',
  LDG_REFUND_ALREADY_APPROVED: 'The refund was already approved.',
  LDG_REFUND_NOT_APPROVED: 'The refund is not approved, so it cannot be paid.',
  LDG_REFUND_ALREADY_PAID: 'The refund was already paid.',
  LDG_REFUND_REJECTED: 'The refund was rejected.',
  LDG_REFUNDS_OUTSTANDING: 'The case still has refunds requested or approved but not paid.',
  // customer
  LDG_PERSONAL_DATA_ALREADY_ERASED: "The customer's personal data was already erased.",
  // RMA unit
  LDG_UNIT_NOT_FOUND: 'The unit never entered RMA custody.',
  LDG_UNIT_ALREADY_EXISTS: 'The unit already entered RMA custody.',
  LDG_UNIT_ALREADY_DISPOSED:
    'The unit was restocked, returned, liquidated or written off; nothing more can happen to it.',
  LDG_UNIT_ALREADY_GRADED: 'The unit was already graded.',
  LDG_UNIT_NOT_GRADED: 'The unit is still awaiting inspection.',
  LDG_UNIT_NOT_AWAITING_DISPATCH:
    'Only a unit graded repairable or defective, or that failed a retest, can be dispatched.',
  LDG_UNIT_ALREADY_AT_VENDOR: 'The unit is already at the vendor.',
  LDG_UNIT_NOT_AT_VENDOR: 'The unit is not at a vendor.',
  LDG_UNIT_AT_VENDOR: 'The unit is at the vendor; record its response (or write it off) first.',
  LDG_UNIT_NOT_RETURNED_BY_VENDOR: 'Only a unit the vendor returned repaired or replaced can be retested.',
  LDG_UNIT_NOT_AWAITING_DISPOSITION: 'The unit is not ready for restocking or return to the customer.',
  LDG_UNIT_NOT_SELLABLE:
    'Only a unit graded resellable (never sent to a vendor) or whose last retest passed can be restocked or returned to the customer; a credited, rejected, scrap or customer-damaged unit can only be liquidated or written off (`details.reason` says which).',
  LDG_CREDIT_AMOUNT_REQUIRED: 'A vendor credit needs its amount.',
  LDG_CREDIT_AMOUNT_UNEXPECTED: 'Only a credited outcome carries an amount.',
  // catalogue
  LDG_VENDOR_NOT_FOUND: 'The vendor is not registered.',
  // reconciliation run
  LDG_RECONCILIATION_RUN_ALREADY_RECORDED: 'This reconciliation run is already recorded.',
  LDG_RECONCILIATION_RUN_NOT_FOUND: 'No reconciliation run with this id was recorded.',
  LDG_RECONCILIATION_CHUNK_ALREADY_RECORDED: "This chunk of the run's rows is already recorded.",
  LDG_RECONCILIATION_CHUNK_OUT_OF_ORDER: 'A chunk of rows skips the next chunk number of the run.',
  LDG_RECONCILIATION_CHUNK_SIZE:
    "A chunk holds other than the run's chunk size of rows (only the last may be shorter), or more rows than the run has.",
} as const satisfies Record<string, string>;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_CODES;

export interface CodedDomainError extends DomainError {
  readonly code: DomainErrorCode;
}

export function domainError(
  code: DomainErrorCode,
  message: string,
  field?: string,
  details?: Readonly<Record<string, unknown>>,
): CodedDomainError {
  return {
    code,
    message,
    ...(field === undefined ? {} : { field }),
    ...(details === undefined ? {} : { details }),
  };
}
