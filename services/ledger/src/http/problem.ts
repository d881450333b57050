import { STATUS_CODES } from 'node:http';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { HttpProblem, type ServiceErrorCode, serviceErrorCodes } from './codes.js';

/** One offending field of a request: where it is (`body.customer.name`) and what is wrong with it. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
  readonly code?: string;
}

/** RFC 9457 problem details, with the ledger's stable `code` and, for validation, every offending field. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Where `type` URIs point: the catalogue section of the service's documentation. */
const TYPE_BASE = 'https://rma-ledger.dev/problems/';

/**
 * Status for codes raised below the HTTP layer (domain, application, store). `…_NOT_FOUND` codes
 * are 404; every other code not listed here is a business refusal of a well-formed request: 422.
 */
const statusByForeignCode: Readonly<Record<string, number>> = {
  LDG_CASE_ALREADY_EXISTS: 409,
  LDG_UNIT_ALREADY_EXISTS: 409,
  LDG_REFUND_ALREADY_EXISTS: 409,
  LDG_CONCURRENCY_CONFLICT: 409,
  LDG_CUSTOMER_ERASED: 409,
  LDG_PERSONAL_DATA_ALREADY_ERASED: 409,
  LDG_STORE_WRONG_EXPECTED_REVISION: 409,
  LDG_PRECONDITION_FAILED: 412,
  LDG_IDEMPOTENCY_KEY_REUSED: 422,
  LDG_STORE_IDEMPOTENCY_KEY_REUSED: 422,
  LDG_STORE_UNAVAILABLE: 503,
  LDG_PROJECTION_NOT_READY: 503,
  LDG_STORE_INVALID_APPEND: 500,
  LDG_STORE_SUBSCRIPTION_FAILED: 500,
  LDG_PERSONAL_DATA_KEY_MISSING: 500,
};

function statusForForeignCode(code: string): number {
  const known = statusByForeignCode[code];
  if (known !== undefined) return known;
  if (code.endsWith('_NOT_FOUND')) return 404;
  return 422;
}

export function problem(
  code: string,
  status: number,
  detail: string,
  extra: Readonly<Record<string, unknown>> = {},
): Problem {
  const catalogued = serviceErrorCodes[code as ServiceErrorCode] as { title: string } | undefined;
  return {
    type: `${TYPE_BASE}${code}`,
    title: catalogued?.title ?? STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

function fromHttpProblem(error: HttpProblem): Problem {
  return problem(error.code, error.status, error.message, error.extra);
}

/** Fastify's own errors (`FST_…`) that are a client's fault, by code. */
const fastifyClientErrors: Readonly<Record<string, ServiceErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'LDG_HTTP_MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'LDG_HTTP_MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'LDG_HTTP_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'LDG_HTTP_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'LDG_HTTP_BAD_REQUEST',
  FST_ERR_CTP_INVALID_TYPE: 'LDG_HTTP_UNSUPPORTED_MEDIA_TYPE',
};

const JSON_SYNTAX_ERROR = /JSON|Unexpected token|Unexpected end/;

interface ErrorLike {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly status?: unknown;
  readonly message?: unknown;
  readonly validationContext?: unknown;
  readonly field?: unknown;
  readonly details?: unknown;
  readonly domainError?: unknown;
  /** Offending fields a route already located (`[{ path, message, code }]`). */
  readonly fieldErrors?: unknown;
}

/**
 * Maps anything thrown while handling a request to a problem. The one place that decides statuses:
 * routes throw typed errors and never set error statuses themselves.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof HttpProblem) return fromHttpProblem(error);
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;

  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = typeof e.validationContext === 'string' ? e.validationContext : 'body';
    const errors = error.validation.flatMap((issue) => fieldErrors(context, issue));
    return problem(
      'LDG_HTTP_VALIDATION_FAILED',
      400,
      `The request ${context} is invalid: ${errors.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      { errors },
    );
  }
  if (isFastifyError(error) && isResponseSerializationError(error)) {
    return internal();
  }

  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && code in fastifyClientErrors) {
    const ours = fastifyClientErrors[code]!;
    return problem(ours, serviceErrorCodes[ours].status, String(e.message ?? serviceErrorCodes[ours].title));
  }
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (statusCode === 429) {
    return problem('LDG_HTTP_RATE_LIMITED', 429, String(e.message ?? 'Rate limit exceeded'));
  }
  if (error instanceof SyntaxError && statusCode === 400 && JSON_SYNTAX_ERROR.test(error.message)) {
    return problem('LDG_HTTP_MALFORMED_JSON', 400, 'The body is not valid JSON');
  }

  if (code?.startsWith('LDG_')) {
    const status = statusForForeignCode(code);
    if (status >= 500) {
      if (status !== 503) return internal();
      // A read model briefly down (restarting) says so; any store failure is reported as one code.
      return code === 'LDG_PROJECTION_NOT_READY'
        ? problem(code, 503, 'The read model is restarting; retry shortly')
        : problem('LDG_HTTP_STORE_UNAVAILABLE', 503, serviceErrorCodes.LDG_HTTP_STORE_UNAVAILABLE.title);
    }
    // A domain refusal wrapped by the application layer carries the decider's error in `domainError`.
    const inner = (
      typeof e.domainError === 'object' && e.domainError !== null ? e.domainError : e
    ) as ErrorLike;
    const extra: Record<string, unknown> = {};
    if (typeof e.field === 'string') {
      extra.errors = [{ path: `body.${e.field}`, message: String(e.message ?? ''), code }];
    }
    if (Array.isArray(e.fieldErrors) && e.fieldErrors.length > 0) extra.errors = e.fieldErrors;
    if (typeof inner.details === 'object' && inner.details !== null) extra.details = inner.details;
    return problem(code, status, String(e.message ?? code), extra);
  }

  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return problem('LDG_HTTP_BAD_REQUEST', statusCode, String(e.message ?? 'Bad request'));
  }
  return internal();
}

function internal(): Problem {
  return problem('LDG_HTTP_INTERNAL', 500, 'An unexpected error occurred; the logs carry the request id.');
}

function isFastifyError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

interface ZodIssueLike {
  readonly instancePath: string;
  readonly message?: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
}

/** One entry per offending field; an "unrecognized keys" issue names each unknown key separately. */
function fieldErrors(context: string, issue: ZodIssueLike): FieldError[] {
  const base = pathOf(context, issue.instancePath);
  const keys = issue.params.keys;
  if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
    return keys.map((key) => ({
      path: `${base}.${String(key)}`,
      message: 'Unknown field',
      code: issue.keyword,
    }));
  }
  return [{ path: base, message: issue.message ?? 'Invalid value', code: issue.keyword }];
}

function pathOf(context: string, instancePath: string): string {
  const segments = instancePath.split('/').filter((s) => s.length > 0);
  return [context, ...segments].join('.');
}
