import {
  ConcurrencyConflictError,
  DomainRejectedError,
  NotFoundError,
  PreconditionFailedError,
} from '@rma-ledger/application';
import { StoreUnavailableError } from '@rma-ledger/event-store';
import { describe, expect, it } from 'vitest';
import { HttpProblem } from './codes.js';
import { toProblem } from './problem.js';

describe('toProblem', () => {
  it('keeps the HTTP layer’s own code, status and title', () => {
    expect(toProblem(new HttpProblem('LDG_HTTP_FORBIDDEN', 'no'))).toMatchObject({
      status: 403,
      code: 'LDG_HTTP_FORBIDDEN',
      title: 'Your role may not do this',
      detail: 'no',
      type: 'https://rma-ledger.dev/problems/LDG_HTTP_FORBIDDEN',
    });
  });

  it('maps the application layer’s errors by code', () => {
    expect(toProblem(new NotFoundError('case', 'c9'))).toMatchObject({
      status: 404,
      code: 'LDG_CASE_NOT_FOUND',
    });
    expect(toProblem(new PreconditionFailedError('case-c1', 1, 2)).status).toBe(412);
    expect(toProblem(new ConcurrencyConflictError('case-c1', 5)).status).toBe(409);
  });

  it('keeps a domain refusal’s code, field and details, as 422', () => {
    const error = new DomainRejectedError(
      { code: 'LDG_REFUND_EXCEEDS_PAID', message: 'too much', field: 'amount', details: { paid: 100 } },
      'case-c1',
    );
    expect(toProblem(error)).toMatchObject({
      status: 422,
      code: 'LDG_REFUND_EXCEEDS_PAID',
      detail: 'too much',
      errors: [{ path: 'body.amount', message: 'too much', code: 'LDG_REFUND_EXCEEDS_PAID' }],
      details: { paid: 100 },
    });
  });

  it('answers 503 for an unavailable store without its message', () => {
    const problem = toProblem(new StoreUnavailableError('disk /var/secret is gone'));
    expect(problem).toMatchObject({ status: 503, code: 'LDG_HTTP_STORE_UNAVAILABLE' });
    expect(JSON.stringify(problem)).not.toContain('secret');
  });

  it('answers 500 without details for anything unexpected', () => {
    const problem = toProblem(new TypeError('cannot read x of undefined at /srv/app.js'));
    expect(problem).toMatchObject({ status: 500, code: 'LDG_HTTP_INTERNAL' });
    expect(problem.detail).not.toContain('/srv');
    expect(toProblem('a string').status).toBe(500);
  });
});
