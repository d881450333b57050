import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import type { Role } from '../auth/roles.js';
import { type Fixture, openFixture, removeDir } from '../test-support/fixture.js';
import { call, caseBody, expectOk, expectRefusal, seedCatalogue } from '../test-support/http.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
  await seedCatalogue(fx);
  await expectOk(() => call(fx, 'cs', 'POST', '/cases', caseBody()), 201);
});
afterEach(async () => {
  await fx.close();
  removeDir(fx.dir);
});

describe('POST /customers/{customerId}/erase', () => {
  it('erases the personal data: the case still reads, its customer data is gone, the chains verify', async () => {
    const res = await expectOk(() =>
      call(fx, 'admin', 'POST', '/customers/cust-1/erase', { reason: 'GDPR request' }),
    );
    expect(res.json()).toMatchObject({ customerId: 'cust-1', alreadyErased: false });
    const view = await expectOk(() => call(fx, 'cs', 'GET', '/cases/c1'));
    expect(view.json().customer).toEqual({ id: 'cust-1', personalData: { status: 'erased' } });
    expect(view.body).not.toContain('Zhang Wei');
    expect((await call(fx, 'auditor', 'GET', '/audit/verify')).json()).toMatchObject({ ok: true });

    const again = await expectOk(() => call(fx, 'admin', 'POST', '/customers/cust-1/erase'));
    expect(again.json()).toMatchObject({ alreadyErased: true, events: [] });
  });

  it('is for admins only', async () => {
    for (const role of ['cs', 'auditor', 'finance'] as Role[]) {
      await expectRefusal(
        fx,
        () => call(fx, role, 'POST', '/customers/cust-1/erase', {}),
        403,
        'LDG_HTTP_FORBIDDEN',
      );
    }
    await expectRefusal(
      fx,
      () => call(fx, 'admin', 'POST', '/customers/cust-1/erase', { reason: 5 }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
  });
});

describe('audit', () => {
  it('pages through the global log in order', async () => {
    const first = await expectOk(() => call(fx, 'auditor', 'GET', '/events?limit=2'));
    expect(first.json().events.map((e: { position: number }) => e.position)).toEqual([1, 2]);
    expect(first.json().next).toBe(2);
    const rest = await expectOk(() =>
      call(fx, 'auditor', 'GET', `/events?after=${first.json().next}&limit=1000`),
    );
    expect(rest.json().events[0].position).toBe(3);
    expect(rest.json().next).toBeNull();
    expect(rest.json().events.at(-1).type).toBe('CaseOpened');
    await expectRefusal(
      fx,
      () => call(fx, 'auditor', 'GET', '/events?limit=0'),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    await expectRefusal(fx, () => call(fx, null, 'GET', '/events'), 401, 'LDG_HTTP_UNAUTHENTICATED');
  });

  it('verifies every chain', async () => {
    const res = await expectOk(() => call(fx, 'cs', 'GET', '/audit/verify'));
    expect(res.json()).toMatchObject({ ok: true, streams: 4, events: 4 });
  });

  it('reports the log head, and checks it as an anchor later', async () => {
    const { head } = (await expectOk(() => call(fx, 'auditor', 'GET', '/audit/verify'))).json();
    expect(head).toEqual({ position: expect.any(Number), digest: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const anchored = await call(fx, 'auditor', 'GET', `/audit/verify?anchor=${head.position}:${head.digest}`);
    expect(anchored.json()).toMatchObject({ ok: true });
    const forged = await call(
      fx,
      'auditor',
      'GET',
      `/audit/verify?anchor=${head.position}:${'0'.repeat(64)}`,
    );
    expect(forged.json()).toMatchObject({ ok: false, firstBroken: { reason: 'anchor-mismatch' } });
  });

  it('refuses a malformed anchor with 400 naming the field', async () => {
    const res = await call(fx, 'auditor', 'GET', '/audit/verify?anchor=12:nothex');
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('anchor');
  });
});

describe('routes of the contract not served by an app without the use cases', () => {
  it('answer 501 with a code after authentication and role checks', async () => {
    const bare = await buildApp({
      store: fx.store,
      tokens: fx.tokens,
      idempotency: fx.runtime.idempotency,
    });
    try {
      const send = (role: 'cs' | 'admin' | null, method: 'GET' | 'POST', url: string) =>
        bare.inject({ method, url, headers: role === null ? {} : fx.auth[role] });
      for (const [role, method, url, status] of [
        ['cs', 'GET', '/cases', 501],
        [null, 'GET', '/cases', 401],
        ['admin', 'POST', '/imports/sales', 501],
        ['cs', 'POST', '/imports/cases', 403],
        ['cs', 'GET', '/reports/rma-aging', 501],
      ] as const) {
        const res = await send(role, method, url);
        expect([url, res.statusCode]).toEqual([url, status]);
        if (status === 501) expect(res.json().code).toBe('LDG_HTTP_NOT_IMPLEMENTED');
      }
    } finally {
      await bare.close();
    }
  });
});
