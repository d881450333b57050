import type { DomainError } from '@rma-ledger/domain';

/**
 * Base of every error the application layer throws. `code` is stable and part of the public API;
 * the HTTP layer maps it to a status (see each class).
 */
export abstract class ApplicationError extends Error {
  abstract readonly code: string;
  /** The command field the error is about, when there is one. */
  readonly field: string | undefined;

  constructor(message: string, options?: { cause?: unknown; field?: string | undefined }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.field = options?.field;
  }
}

/** HTTP 412: the caller's `If-Match` revision is not the stream's. Nothing was written. */
export class PreconditionFailedError extends ApplicationError {
  readonly code = 'LDG_PRECONDITION_FAILED';
  constructor(
    readonly streamName: string,
    readonly expectedRevision: number | null,
    readonly actualRevision: number | null,
  ) {
    super(
      `Stream '${streamName}' is at ${describeRevision(actualRevision)}, not ${describeRevision(expectedRevision)}`,
    );
    this.name = 'PreconditionFailedError';
  }
}

/** HTTP 409: concurrent writers kept winning the race, even after re-deciding. Nothing was written. */
export class ConcurrencyConflictError extends ApplicationError {
  readonly code = 'LDG_CONCURRENCY_CONFLICT';
  constructor(
    readonly streamName: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`Stream '${streamName}' changed concurrently ${attempts} times in a row; try again`, options);
    this.name = 'ConcurrencyConflictError';
  }
}

/** HTTP 422: an idempotency key already used for a different command. Nothing was written. */
export class IdempotencyKeyReusedError extends ApplicationError {
  readonly code = 'LDG_IDEMPOTENCY_KEY_REUSED';
  constructor(readonly idempotencyKey: string) {
    super(`Idempotency key '${idempotencyKey}' was already used for a different command`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** HTTP 422: `occurredAt` is more than the allowed skew in the future. Nothing was written. */
export class OccurredAtInFutureError extends ApplicationError {
  readonly code = 'LDG_OCCURRED_AT_IN_FUTURE';
  constructor(
    readonly occurredAt: string,
    readonly now: string,
  ) {
    super(`occurredAt ${occurredAt} is more than 5 minutes after now (${now})`, { field: 'occurredAt' });
    this.name = 'OccurredAtInFutureError';
  }
}

/** HTTP 422 (400 would do too): `occurredAt` is not an ISO-8601 instant. */
export class OccurredAtInvalidError extends ApplicationError {
  readonly code = 'LDG_OCCURRED_AT_INVALID';
  constructor(readonly occurredAt: string) {
    super(`occurredAt '${occurredAt}' is not an ISO-8601 instant with an offset`, { field: 'occurredAt' });
    this.name = 'OccurredAtInvalidError';
  }
}

/**
 * The domain refused the command. `code` is the domain's own `LDG_…` code, so the HTTP layer maps
 * domain codes directly (409 for a state conflict, 422 for a rule violation, as it decides).
 */
export class DomainRejectedError extends ApplicationError {
  readonly code: string;
  constructor(
    readonly domainError: DomainError,
    readonly streamName: string,
  ) {
    super(domainError.message, { field: domainError.field });
    this.name = 'DomainRejectedError';
    this.code = domainError.code;
  }
}

const NOT_FOUND_CODES = {
  case: 'LDG_CASE_NOT_FOUND',
  'rma-unit': 'LDG_UNIT_NOT_FOUND',
  sku: 'LDG_SKU_NOT_FOUND',
  vendor: 'LDG_VENDOR_NOT_FOUND',
  reconciliation: 'LDG_RECONCILIATION_RUN_NOT_FOUND',
} as const;

/** HTTP 404: the case, unit, SKU, vendor or reconciliation run a command or read names does not exist. Codes match the domain's. */
export class NotFoundError extends ApplicationError {
  readonly code: string;
  constructor(
    readonly resource: keyof typeof NOT_FOUND_CODES,
    readonly id: string,
  ) {
    super(`No ${resource} '${id}'`);
    this.name = 'NotFoundError';
    this.code = NOT_FOUND_CODES[resource];
  }
}

/** HTTP 409 (or 410): the customer's personal data was erased; new data cannot be sealed under that id. */
export class CustomerErasedError extends ApplicationError {
  readonly code = 'LDG_CUSTOMER_ERASED';
  constructor(readonly customerId: string) {
    super(`Customer '${customerId}' was erased; use a new customer id`);
    this.name = 'CustomerErasedError';
  }
}

function describeRevision(revision: number | null): string {
  return revision === null ? 'no stream' : `revision ${revision}`;
}
