import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../auth/roles.js';
import { type Fixture, openFixture, removeDir } from '../test-support/fixture.js';
import { CNY, call, caseBody, expectOk, expectRefusal, seedCatalogue } from '../test-support/http.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
  await seedCatalogue(fx);
});
afterEach(async () => {
  await fx.close();
  removeDir(fx.dir);
});

const openCase = (overrides: Record<string, unknown> = {}) =>
  call(fx, 'cs', 'POST', '/cases', caseBody(overrides));

describe('POST /cases', () => {
  it('opens a case: 201 with its id, status, Location and ETag', async () => {
    const res = await expectOk(() => openCase(), 201);
    expect(res.headers.location).toBe('/cases/c1');
    expect(res.headers.etag).toBe('W/"0"');
    expect(res.json()).toMatchObject({
      caseId: 'c1',
      status: 'open',
      promisedBy: null,
      revision: 0,
      deduplicated: false,
    });
    expect(res.json().events.map((e: { type: string }) => e.type)).toEqual(['CaseOpened']);
  });

  it('generates the case id when none is given', async () => {
    const res = await expectOk(() => openCase({ caseId: undefined }), 201);
    expect(res.json().caseId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses every role but cs, the auditor included', async () => {
    for (const role of ['warehouse', 'pm', 'finance', 'auditor', 'admin'] as Role[]) {
      await expectRefusal(fx, () => call(fx, role, 'POST', '/cases', caseBody()), 403, 'LDG_HTTP_FORBIDDEN');
    }
    await expectRefusal(
      fx,
      () => call(fx, null, 'POST', '/cases', caseBody()),
      401,
      'LDG_HTTP_UNAUTHENTICATED',
    );
  });

  it('lists every bad field: missing, wrong type, unknown, float and negative money, bad currency', async () => {
    const body = caseBody({
      quantity: '1',
      unitPrice: { amount: 129.5, currency: 'cny' },
      customer: { id: 'cust-1' },
      colour: 'red',
    });
    delete (body as Record<string, unknown>).orderId;
    const problem = await expectRefusal(
      fx,
      () => call(fx, 'cs', 'POST', '/cases', body),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    expect(problem.errors?.map((e) => e.path).sort()).toEqual([
      'body.colour',
      'body.customer.name',
      'body.orderId',
      'body.quantity',
      'body.unitPrice.amount',
      'body.unitPrice.currency',
    ]);
    await expectRefusal(fx, () => openCase({ unitPrice: CNY(-1) }), 400, 'LDG_HTTP_VALIDATION_FAILED');
  });

  it('refuses an occurredAt without offset (400) or more than 5 minutes ahead (422)', async () => {
    await expectRefusal(
      fx,
      () => openCase({ occurredAt: '2026-01-01T10:00:00' }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    const problem = await expectRefusal(
      fx,
      () => openCase({ occurredAt: future }),
      422,
      'LDG_OCCURRED_AT_IN_FUTURE',
    );
    expect(problem.errors?.[0]?.path).toBe('body.occurredAt');
  });

  it('refuses an occurredAt earlier than the stream’s previous event (422)', async () => {
    await expectOk(() => openCase(), 201);
    const before = new Date(Date.now() - 86_400_000).toISOString();
    await expectRefusal(
      fx,
      () => call(fx, 'cs', 'POST', '/cases/c1/approve', { occurredAt: before }),
      422,
      'LDG_OCCURRED_AT_BEFORE_PREVIOUS',
    );
  });

  it('refuses malformed JSON (400) and an oversized body (413) without writing', async () => {
    await expectRefusal(
      fx,
      () =>
        fx.app.inject({
          method: 'POST',
          url: '/cases',
          headers: { ...fx.auth.cs, 'content-type': 'application/json' },
          payload: '{"caseId":',
        }) as ReturnType<typeof call>,
      400,
      'LDG_HTTP_MALFORMED_JSON',
    );
    await expectRefusal(
      fx,
      () => openCase({ reason: 'x'.repeat(2 * 1024 * 1024) }),
      413,
      'LDG_HTTP_BODY_TOO_LARGE',
    );
  });

  it('refuses a second case with the same id (409) and an unknown SKU (404)', async () => {
    await expectOk(() => openCase(), 201);
    await expectRefusal(fx, () => openCase({ orderId: 'o-2' }), 409, 'LDG_CASE_ALREADY_EXISTS');
    await expectRefusal(fx, () => openCase({ caseId: 'c2', sku: 'nope' }), 404, 'LDG_SKU_NOT_FOUND');
  });

  it('answers a retry with the same Idempotency-Key with the first response and writes once', async () => {
    const headers = { 'idempotency-key': 'open-c1' };
    const body = caseBody();
    const first = await call(fx, 'cs', 'POST', '/cases', body, headers);
    const head = await fx.store.headPosition();
    const retry = await call(fx, 'cs', 'POST', '/cases', body, headers);
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(await fx.store.headPosition()).toBe(head);
    await expectRefusal(
      fx,
      () => call(fx, 'cs', 'POST', '/cases', { ...body, reason: 'other' }, headers),
      422,
      'LDG_HTTP_IDEMPOTENCY_KEY_REUSED',
    );
  });
});

describe('GET /cases/{caseId}', () => {
  it('answers the case with its ETag and the customer’s personal data', async () => {
    await expectOk(() => openCase(), 201);
    const res = await expectOk(() => call(fx, 'auditor', 'GET', '/cases/c1'));
    expect(res.headers.etag).toBe('W/"0"');
    expect(res.json()).toMatchObject({
      caseId: 'c1',
      status: 'open',
      vendorId: 'v1',
      pmId: 'pm-li',
      customer: { id: 'cust-1', personalData: { status: 'available', data: { name: 'Zhang Wei' } } },
    });
  });

  it('rebuilds the state as of an instant', async () => {
    const t0 = new Date(Date.now() - 60_000);
    await expectOk(() => openCase({ occurredAt: t0.toISOString() }), 201);
    await expectOk(() => call(fx, 'cs', 'POST', '/cases/c1/approve', {}));
    const asOf = encodeURIComponent(new Date(t0.getTime() + 1000).toISOString());
    expect((await call(fx, 'cs', 'GET', `/cases/c1?asOf=${asOf}`)).json().status).toBe('open');
    expect((await call(fx, 'cs', 'GET', '/cases/c1')).json().status).toBe('approved');
  });

  it('answers 404 with a code for an unknown case, 400 for a bad asOf, 401 without a token', async () => {
    await expectRefusal(fx, () => call(fx, 'cs', 'GET', '/cases/none'), 404, 'LDG_CASE_NOT_FOUND');
    await expectRefusal(
      fx,
      () => call(fx, 'cs', 'GET', '/cases/none?asOf=yesterday'),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    await expectRefusal(fx, () => call(fx, null, 'GET', '/cases/none'), 401, 'LDG_HTTP_UNAUTHENTICATED');
  });
});

describe('If-Match', () => {
  it('writes when the revision matches, refuses a stale one with 412 and nothing written', async () => {
    await expectOk(() => openCase(), 201);
    const etag = (await call(fx, 'cs', 'GET', '/cases/c1')).headers.etag as string;
    await expectOk(() => call(fx, 'cs', 'POST', '/cases/c1/approve', {}, { 'if-match': etag }));
    await expectRefusal(
      fx,
      () => call(fx, 'cs', 'POST', '/cases/c1/reject', { reason: 'late' }, { 'if-match': etag }),
      412,
      'LDG_PRECONDITION_FAILED',
    );
    await expectRefusal(
      fx,
      () => call(fx, 'cs', 'POST', '/cases/c1/reject', { reason: 'late' }, { 'if-match': 'three' }),
      400,
      'LDG_HTTP_BAD_PRECONDITION',
    );
  });
});

describe('concurrency', () => {
  it('two conflicting commands in parallel: exactly one succeeds, the other is refused with a code', async () => {
    await expectOk(() => openCase(), 201);
    const [approve, reject] = await Promise.all([
      call(fx, 'cs', 'POST', '/cases/c1/approve', {}),
      call(fx, 'cs', 'POST', '/cases/c1/reject', { reason: 'fraud' }),
    ]);
    const statuses = [approve.statusCode, reject.statusCode].sort();
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).toBeGreaterThanOrEqual(409);
    const loser = approve.statusCode === 200 ? reject : approve;
    expect(loser.json().code).toMatch(/^LDG_/);
    const history = (await call(fx, 'auditor', 'GET', '/cases/c1/history')).json();
    const decisions = history.events.filter((e: { type: string }) =>
      ['CaseApproved', 'CaseRejected'].includes(e.type),
    );
    expect(decisions).toHaveLength(1);
  });
});

/** One step of the customer cycle: who may run it, a body, and a body the schema refuses. */
interface Step {
  readonly url: string;
  readonly role: Role;
  readonly body: unknown;
  readonly bad: unknown;
  readonly status?: number;
}

describe('the customer cycle, step by step', () => {
  it('runs every command for its role only, refuses bad input without writing, and records the history', async () => {
    await expectOk(() => openCase({ resolution: 'refund' }), 201);
    const refundSteps: Step[] = [
      { url: '/cases/c1/approve', role: 'cs', body: {}, bad: { promisedBy: 'soon' } },
      {
        url: '/cases/c1/receive',
        role: 'warehouse',
        body: { location: 'A-01' },
        bad: { location: 7 },
        status: 201,
      },
      { url: '/cases/c1/inspect', role: 'warehouse', body: { grade: 'resellable' }, bad: { grade: 'shiny' } },
      {
        url: '/cases/c1/refunds',
        role: 'cs',
        body: { refundId: 'r1', amount: CNY(12900) },
        bad: { amount: CNY(-5) },
        status: 201,
      },
      { url: '/cases/c1/refunds/r1/approve', role: 'finance', body: {}, bad: { approved: true } },
      { url: '/cases/c1/refunds/r1/pay', role: 'finance', body: { paymentRef: 'PAY-1' }, bad: {} },
      {
        url: '/cases/c1/compensate',
        role: 'cs',
        body: { amount: CNY(500), reason: 'delay' },
        bad: { amount: CNY(5.5), reason: 'x' },
      },
      { url: '/cases/c1/close', role: 'cs', body: {}, bad: { resolution: 'lost' } },
    ];
    for (const step of refundSteps) await runStep(step);

    const history = (
      await call(fx, 'auditor', 'GET', '/cases/c1/history', undefined, { 'x-request-id': 'h' })
    ).json();
    const types = history.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('CaseOpened');
    expect(types).toContain('RefundPaid');
    expect(types.at(-1)).toBe('CaseClosed');
    const paid = history.events.find((e: { type: string }) => e.type === 'RefundPaid');
    expect(paid.metadata).toMatchObject({ correlationId: 'step.cases.c1.refunds.r1.pay', causationId: null });
    expect(paid.metadata.actor).toMatch(/^token:tok_\w+\/finance$/);
    expect(paid.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await call(fx, 'cs', 'GET', '/cases/c1')).json().status).toBe('closed');
  });

  it('covers reject, ship and refund rejection', async () => {
    await expectOk(() => openCase(), 201);
    await expectOk(() => openCase({ caseId: 'c2' }), 201);
    const steps: Step[] = [
      { url: '/cases/c2/reject', role: 'cs', body: { reason: 'out of warranty' }, bad: { reason: '' } },
      { url: '/cases/c1/approve', role: 'cs', body: {}, bad: { extra: 1 } },
      { url: '/cases/c1/receive', role: 'warehouse', body: {}, bad: { location: '' }, status: 201 },
      {
        url: '/cases/c1/refunds',
        role: 'cs',
        body: { refundId: 'r9', amount: CNY(100) },
        bad: { amount: 100 },
        status: 201,
      },
      { url: '/cases/c1/refunds/r9/reject', role: 'finance', body: { reason: 'no' }, bad: {} },
      {
        url: '/cases/c1/ship',
        role: 'warehouse',
        body: { kind: 'replacement', trackingNo: 'SF1' },
        bad: { kind: 'drone' },
      },
    ];
    for (const step of steps) await runStep(step);
    expect((await call(fx, 'cs', 'GET', '/cases/c2')).json().status).toBe('rejected');
  });

  it('refuses a command the state does not allow with the domain’s code and 4xx', async () => {
    await expectOk(() => openCase(), 201);
    await expectOk(() => call(fx, 'cs', 'POST', '/cases/c1/approve', {}));
    await expectRefusal(
      fx,
      () => call(fx, 'cs', 'POST', '/cases/c1/approve', {}),
      422,
      'LDG_CASE_ALREADY_DECIDED',
    );
    await expectRefusal(
      fx,
      () => call(fx, 'finance', 'POST', '/cases/c1/refunds/nope/pay', { paymentRef: 'P' }),
      404,
      'LDG_REFUND_NOT_FOUND',
    );
    await expectRefusal(
      fx,
      () => call(fx, 'cs', 'POST', '/cases/zzz/approve', {}),
      404,
      'LDG_CASE_NOT_FOUND',
    );
  });
});

async function runStep(step: Step): Promise<void> {
  const wrong: Role = step.role === 'cs' ? 'warehouse' : 'cs';
  await expectRefusal(fx, () => call(fx, wrong, 'POST', step.url, step.body), 403, 'LDG_HTTP_FORBIDDEN');
  await expectRefusal(fx, () => call(fx, 'auditor', 'POST', step.url, step.body), 403, 'LDG_HTTP_FORBIDDEN');
  await expectRefusal(
    fx,
    () => call(fx, step.role, 'POST', step.url, step.bad),
    400,
    'LDG_HTTP_VALIDATION_FAILED',
  );
  const res = await call(fx, step.role, 'POST', step.url, step.body, {
    'x-request-id': `step${step.url.replaceAll('/', '.')}`,
  });
  if (res.statusCode !== (step.status ?? 200)) throw new Error(`${step.url}: ${res.statusCode} ${res.body}`);
  expect(res.headers.etag).toMatch(/^W\/"\d+"$/);
  expect(res.json().events.length).toBeGreaterThan(0);
}
