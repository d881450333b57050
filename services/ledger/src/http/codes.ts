/**
 * The service's own error codes: everything the HTTP layer itself refuses. Codes raised by the
 * domain, the application layer and the event store pass through unchanged (they are already
 * `LDG_…`); the status each one maps to is decided in `problem.ts`.
 *
 * A code is a stable public API: clients branch on it. Never rename one; add a new one instead.
 */
export const serviceErrorCodes = {
  LDG_HTTP_VALIDATION_FAILED: {
    status: 400,
    title: 'The request does not match the schema',
    meaning:
      'Wrong types, missing or unknown fields, bad path or query parameters. `errors` lists every offending field.',
  },
  LDG_HTTP_MALFORMED_JSON: {
    status: 400,
    title: 'The body is not valid JSON',
    meaning: 'The body could not be parsed as JSON although its content type says it is, or it was empty.',
  },
  LDG_HTTP_BAD_REQUEST: {
    status: 400,
    title: 'Bad request',
    meaning: 'A request the server could not understand for another reason (for example a malformed header).',
  },
  LDG_HTTP_UNAUTHENTICATED: {
    status: 401,
    title: 'Authentication required',
    meaning: 'No `Authorization: Bearer <token>` header, or the token is unknown or revoked.',
  },
  LDG_HTTP_FORBIDDEN: {
    status: 403,
    title: 'Your role may not do this',
    meaning: "The token's role is not among the roles the route allows (an `auditor` never writes).",
  },
  LDG_HTTP_ROUTE_NOT_FOUND: {
    status: 404,
    title: 'No such route',
    meaning: 'Neither the path nor the method matches any route of the API.',
  },
  LDG_HTTP_IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    title: 'A request with this idempotency key is still being processed',
    meaning: 'Retry once the first request has answered; the retry then gets its response.',
  },
  LDG_HTTP_BAD_PRECONDITION: {
    status: 400,
    title: 'Malformed If-Match header',
    meaning: '`If-Match` must be an entity tag as sent in `ETag`, e.g. `W/"3"`.',
  },
  LDG_HTTP_BODY_TOO_LARGE: {
    status: 413,
    title: 'The body is too large',
    meaning: 'The body exceeds the configured limit (`LEDGER_BODY_LIMIT_BYTES`).',
  },
  LDG_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported content type',
    meaning: 'Bodies must be `application/json` unless the route says otherwise.',
  },
  LDG_HTTP_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency key reused with a different request',
    meaning: 'The `Idempotency-Key` was first used with another method, path or body. Nothing was written.',
  },
  LDG_HTTP_RATE_LIMITED: {
    status: 429,
    title: 'Too many requests',
    meaning: 'The client exceeded the configured request rate; `Retry-After` says when to try again.',
  },
  LDG_HTTP_INTERNAL: {
    status: 500,
    title: 'Internal error',
    meaning: 'An unexpected failure. Nothing about it is disclosed; the logs carry the request id.',
  },
  LDG_HTTP_NOT_IMPLEMENTED: {
    status: 501,
    title: 'Not yet available',
    meaning: 'The route is part of the contract but this build does not serve it yet.',
  },
  LDG_HTTP_STORE_UNAVAILABLE: {
    status: 503,
    title: 'The event store is unavailable',
    meaning: 'The store cannot be reached or is closed; retry later.',
  },
} as const satisfies Record<string, { status: number; title: string; meaning: string }>;

export type ServiceErrorCode = keyof typeof serviceErrorCodes;

/** A refusal raised by the HTTP layer itself; turned into problem+json by the error handler. */
export class HttpProblem extends Error {
  readonly status: number;
  constructor(
    readonly code: ServiceErrorCode,
    detail?: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail ?? serviceErrorCodes[code].title);
    this.name = 'HttpProblem';
    this.status = serviceErrorCodes[code].status;
  }
}
