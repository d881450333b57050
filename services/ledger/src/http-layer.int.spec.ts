import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, openFixture, removeDir, tempDataDir } from './test-support/fixture.js';
import { addProbeRoutes, allEvents, countEvents } from './test-support/routes.js';

const fixtures: Fixture[] = [];
afterEach(async () => {
  for (const fx of fixtures.splice(0)) {
    await fx.close();
    removeDir(fx.dir);
  }
});

async function probeApp(...args: Parameters<typeof openFixture>): Promise<Fixture> {
  const fx = await openFixture(...args);
  addProbeRoutes(fx.app, fx.store);
  fixtures.push(fx);
  return fx;
}

const note = { text: 'hello', amount: { amount: 1250, currency: 'CNY' } };

function post(fx: Fixture, body: unknown, headers: Record<string, string> = {}) {
  return fx.app.inject({
    method: 'POST',
    url: '/probe/notes/n1',
    headers: { ...fx.auth.cs, 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('problem details', () => {
  it('has the RFC 9457 members, a stable code and the problem+json media type', async () => {
    const fx = await probeApp();
    const res = await post(fx, note, { authorization: 'Bearer nope' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toEqual({
      type: 'https://rma-ledger.dev/problems/LDG_HTTP_UNAUTHENTICATED',
      title: 'Authentication required',
      status: 401,
      detail: 'The token is unknown or revoked.',
      code: 'LDG_HTTP_UNAUTHENTICATED',
      instance: '/probe/notes/n1',
    });
  });

  it('hides the internals of an unexpected error behind a 500', async () => {
    const fx = await probeApp();
    const res = await fx.app.inject({ method: 'GET', url: '/probe/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'LDG_HTTP_INTERNAL', status: 500 });
    expect(res.body).not.toContain('secret');
  });
});

describe('authentication and roles', () => {
  it('refuses a request without a token (401) and writes nothing', async () => {
    const fx = await probeApp();
    const res = await fx.app.inject({ method: 'POST', url: '/probe/notes/n1', payload: note });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('LDG_HTTP_UNAUTHENTICATED');
    expect(await countEvents(fx.store)).toBe(0);
  });

  it('refuses a revoked token', async () => {
    const fx = await probeApp();
    const created = fx.tokens.create('cs');
    fx.tokens.revoke(created.id);
    const res = await post(fx, note, { authorization: `Bearer ${created.token}` });
    expect(res.statusCode).toBe(401);
  });

  it('refuses a role the route does not allow (403), the auditor included', async () => {
    const fx = await probeApp();
    for (const role of ['auditor', 'warehouse', 'admin'] as const) {
      const res = await post(fx, note, fx.auth[role]);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('LDG_HTTP_FORBIDDEN');
    }
    expect(await countEvents(fx.store)).toBe(0);
  });

  it('records the token and role as the actor of the events it writes', async () => {
    const fx = await probeApp();
    expect((await post(fx, note)).statusCode).toBe(201);
    const [event] = await allEvents(fx.store);
    expect(event?.metadata.actor).toMatch(/^token:tok_[0-9a-f]{12}\/cs$/);
  });
});

describe('request id', () => {
  it('echoes the caller’s X-Request-Id and uses it as the correlation id', async () => {
    const fx = await probeApp();
    const res = await post(fx, note, { 'x-request-id': 'req-42' });
    expect(res.headers['x-request-id']).toBe('req-42');
    const [event] = await allEvents(fx.store);
    expect(event?.metadata.correlationId).toBe('req-42');
  });

  it('generates a UUID when there is none or it is unacceptable', async () => {
    const fx = await probeApp();
    const none = await fx.app.inject({ method: 'GET', url: '/health' });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const odd = await fx.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a b<c>' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is echoed on errors too', async () => {
    const fx = await probeApp();
    const res = await fx.app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'r-404' } });
    expect(res.headers['x-request-id']).toBe('r-404');
  });
});

describe('bad input', () => {
  it('lists every offending field of a body: wrong types, unknown fields, float money (400)', async () => {
    const fx = await probeApp();
    const res = await post(fx, { text: 7, amount: { amount: 12.5, currency: 'cny' }, extra: true });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('LDG_HTTP_VALIDATION_FAILED');
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.amount.amount',
      'body.amount.currency',
      'body.extra',
      'body.text',
    ]);
    expect(await countEvents(fx.store)).toBe(0);
  });

  it('refuses negative money and a missing field', async () => {
    const fx = await probeApp();
    const res = await post(fx, { amount: { amount: -1, currency: 'CNY' } });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['body.amount.amount', 'body.text']);
  });

  it('answers malformed JSON with 400 and a code', async () => {
    const fx = await probeApp();
    const res = await post(fx, '{"text": "hello",');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().code).toBe('LDG_HTTP_MALFORMED_JSON');
    expect(await countEvents(fx.store)).toBe(0);
  });

  it('answers an empty JSON body with 400', async () => {
    const fx = await probeApp();
    const res = await post(fx, '');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('LDG_HTTP_MALFORMED_JSON');
  });

  it('answers a body over the limit with 413 and writes nothing', async () => {
    const fx = await probeApp(undefined, { limits: { bodyLimitBytes: 256 } });
    const res = await post(fx, { ...note, text: 'x'.repeat(1000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('LDG_HTTP_BODY_TOO_LARGE');
    expect(await countEvents(fx.store)).toBe(0);
  });

  it('answers a body of another media type with 415', async () => {
    const fx = await probeApp();
    const res = await post(fx, 'text=hello', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('LDG_HTTP_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('rate limiting', () => {
  it('answers 429 with a code and Retry-After once a client exceeds the limit', async () => {
    const fx = await probeApp(undefined, { limits: { rateLimitMax: 2, rateLimitWindowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await post(fx, note, { 'idempotency-key': `k${i}` })).statusCode);
    expect(statuses).toEqual([201, 201, 429]);
    const res = await post(fx, note);
    expect(res.json().code).toBe('LDG_HTTP_RATE_LIMITED');
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('counts made-up tokens against the caller’s IP, not a fresh allowance each', async () => {
    const fx = await probeApp(undefined, { limits: { rateLimitMax: 2, rateLimitWindowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await post(fx, note, { authorization: `Bearer guess-${i}` })).statusCode);
    expect(statuses).toEqual([401, 401, 429]);
    expect((await post(fx, note)).statusCode).toBe(201);
  });

  it('does not limit health checks', async () => {
    const fx = await probeApp(undefined, { limits: { rateLimitMax: 1 } });
    for (let i = 0; i < 3; i++)
      expect((await fx.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});

describe('idempotency', () => {
  it('replays the first response to a retry and writes once', async () => {
    const fx = await probeApp();
    const first = await post(fx, note, { 'idempotency-key': 'abc' });
    const retry = await post(fx, note, { 'idempotency-key': 'abc' });
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await countEvents(fx.store)).toBe(1);
  });

  it('refuses the same key with a different body (422) and writes nothing more', async () => {
    const fx = await probeApp();
    await post(fx, note, { 'idempotency-key': 'abc' });
    const res = await post(fx, { ...note, text: 'other' }, { 'idempotency-key': 'abc' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('LDG_HTTP_IDEMPOTENCY_KEY_REUSED');
    expect(await countEvents(fx.store)).toBe(1);
  });

  it('recognises a retry after a restart on the same data directory', async () => {
    const dir = tempDataDir();
    const before = await openFixture(dir);
    addProbeRoutes(before.app, before.store);
    const first = await post(before, note, {
      'idempotency-key': 'restart-1',
      authorization: before.auth.cs.authorization,
    });
    await before.close();

    const after = await probeApp(dir);
    const retry = await post(after, note, {
      'idempotency-key': 'restart-1',
      authorization: before.auth.cs.authorization,
    });
    expect(retry.statusCode).toBe(first.statusCode);
    expect(retry.body).toBe(first.body);
    expect(await countEvents(after.store)).toBe(1);
  });

  it('keys are per token: another client may use the same key', async () => {
    const fx = await probeApp();
    const other = `Bearer ${fx.tokens.create('cs').token}`;
    await post(fx, note, { 'idempotency-key': 'shared' });
    const res = await post(
      fx,
      { ...note, text: 'mine' },
      { 'idempotency-key': 'shared', authorization: other },
    );
    expect(res.statusCode).toBe(201);
    expect(await countEvents(fx.store)).toBe(2);
  });

  it('does not remember a refusal of the schema: the corrected request goes through', async () => {
    const fx = await probeApp();
    expect((await post(fx, { text: 1 }, { 'idempotency-key': 'fix-me' })).statusCode).toBe(400);
    expect((await post(fx, note, { 'idempotency-key': 'fix-me' })).statusCode).toBe(201);
  });
});

/** Every path and verb of api.md. */
const CONTRACT = [
  'put /vendors/{vendorId}',
  'put /skus/{sku}',
  'post /sales',
  'put /policies/{channel}',
  'post /cases',
  'post /cases/{caseId}/approve',
  'post /cases/{caseId}/reject',
  'post /cases/{caseId}/receive',
  'post /cases/{caseId}/inspect',
  'post /cases/{caseId}/refunds',
  'post /cases/{caseId}/refunds/{refundId}/approve',
  'post /cases/{caseId}/refunds/{refundId}/pay',
  'post /cases/{caseId}/ship',
  'post /cases/{caseId}/compensate',
  'post /cases/{caseId}/close',
  'get /cases/{caseId}',
  'get /cases/{caseId}/history',
  'get /cases',
  'post /rma-units/{unitId}/dispatch',
  'post /rma-units/{unitId}/dun',
  'post /rma-units/{unitId}/vendor-return',
  'post /rma-units/{unitId}/retest',
  'post /rma-units/{unitId}/restock',
  'post /rma-units/{unitId}/return-to-customer',
  'post /rma-units/{unitId}/liquidate',
  'post /rma-units/{unitId}/write-off',
  'get /rma-units/{unitId}',
  'get /rma-units/{unitId}/history',
  'post /customers/{customerId}/erase',
  'get /reports/cycle-lag',
  'get /reports/overdue-vendor-repairs',
  'get /reports/rma-aging',
  'get /reports/refund-exposure',
  'get /reports/pm-bad-debt',
  'get /reports/vendor-scorecard',
  'get /reports/sku-after-sales',
  'post /reconciliations',
  'get /reconciliations/{runId}',
  'post /imports/cases',
  'post /imports/sales',
  'get /events',
  'get /audit/verify',
  'get /health',
  'get /ready',
];

describe('OpenAPI', () => {
  it('documents every path and verb of the contract', async () => {
    const fx = await probeApp();
    const spec = (await fx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const documented = Object.entries(spec.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((verb) => `${verb} ${path}`),
    );
    expect(CONTRACT.filter((op) => !documented.includes(op))).toEqual([]);
  });

  it('is a valid OpenAPI 3.1 document listing the routes with their schemas', async () => {
    const fx = await probeApp();
    const res = await fx.app.inject({ method: 'GET', url: '/openapi.json' });
    const spec = res.json();
    const result = await new Validator().validate(spec);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(spec.paths['/health'].get).toBeDefined();
    expect(spec.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });
});

describe('logging', () => {
  it('logs each request with its id, but never the bearer token nor the body', async () => {
    const lines: string[] = [];
    const fx = await probeApp(undefined, {
      log: { level: 'info', destination: { write: (l) => lines.push(l) } },
    });
    const secretText = 'Zhang Wei, 13800138000';
    await post(fx, { ...note, text: secretText }, { 'x-request-id': 'log-1' });
    const log = lines.join('');
    expect(log).toContain('"reqId":"log-1"');
    expect(log).not.toContain(fx.auth.cs.authorization.slice('Bearer '.length));
    expect(log).not.toContain(secretText);
  });

  it('redacts an Authorization header logged by hand', async () => {
    const lines: string[] = [];
    const fx = await probeApp(undefined, {
      log: { level: 'info', destination: { write: (l) => lines.push(l) } },
    });
    fx.app.log.info({ headers: { authorization: 'Bearer leaked' } }, 'probe');
    expect(lines.join('')).not.toContain('leaked');
    expect(lines.join('')).toContain('[Redacted]');
  });
});
