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

/** A case received and inspected with `grade`; returns its unit id. */
async function unitGraded(caseId: string, grade: string): Promise<string> {
  await expectOk(() => call(fx, 'cs', 'POST', '/cases', caseBody({ caseId })), 201);
  await expectOk(() => call(fx, 'cs', 'POST', `/cases/${caseId}/approve`, {}));
  const received = await expectOk(() => call(fx, 'warehouse', 'POST', `/cases/${caseId}/receive`, {}), 201);
  const unitId = received.json().unitId as string;
  await expectOk(() => call(fx, 'warehouse', 'POST', `/cases/${caseId}/inspect`, { grade }));
  return unitId;
}

async function step(unitId: string, path: string, role: Role, body: unknown, bad: unknown) {
  const url = `/rma-units/${unitId}/${path}`;
  const wrong: Role = role === 'pm' ? 'warehouse' : 'pm';
  await expectRefusal(fx, () => call(fx, wrong, 'POST', url, body), 403, 'LDG_HTTP_FORBIDDEN');
  await expectRefusal(fx, () => call(fx, 'auditor', 'POST', url, body), 403, 'LDG_HTTP_FORBIDDEN');
  await expectRefusal(fx, () => call(fx, role, 'POST', url, bad), 400, 'LDG_HTTP_VALIDATION_FAILED');
  const res = await expectOk(() => call(fx, role, 'POST', url, body));
  expect(res.headers.etag).toMatch(/^W\/"\d+"$/);
  expect(res.json().unitId).toBe(unitId);
  return res.json();
}

describe('the vendor-return cycle', () => {
  it('dispatches, duns, records the vendor’s repair, retests and returns the unit to the customer', async () => {
    const unitId = await unitGraded('c1', 'repairable');
    expect(unitId).toBe('c1-u1');
    const dispatched = await step(unitId, 'dispatch', 'warehouse', { vendorRef: 'V-77' }, { vendorRef: 77 });
    expect(Date.parse(dispatched.vendorDueAt)).toBeGreaterThan(Date.now() + 9 * 86_400_000);
    await step(unitId, 'dun', 'pm', { note: 'overdue?' }, {});
    await step(unitId, 'vendor-return', 'warehouse', { outcome: 'repaired' }, { outcome: 'lost' });
    await step(unitId, 'retest', 'warehouse', { passed: true, notes: 'ok' }, { passed: 'yes' });
    await step(unitId, 'return-to-customer', 'warehouse', {}, { to: 'me' });

    const unit = await expectOk(() => call(fx, 'auditor', 'GET', `/rma-units/${unitId}`));
    expect(unit.headers.etag).toBe(`W/"${unit.json().revision}"`);
    expect(unit.json()).toMatchObject({
      custody: 'disposed',
      disposition: 'returned-to-customer',
      caseId: 'c1',
      vendorId: 'v1',
      unitCost: CNY(8000),
      dispatchCount: 1,
    });
    const history = (await call(fx, 'pm', 'GET', `/rma-units/${unitId}/history`)).json();
    expect(history.events.map((e: { type: string }) => e.type)).toHaveLength(unit.json().revision + 1);
  });

  it('restocks a resellable unit', async () => {
    const unitId = await unitGraded('c2', 'resellable');
    await step(unitId, 'restock', 'warehouse', { location: 'B-2' }, { location: ['B'] });
    expect((await call(fx, 'cs', 'GET', `/rma-units/${unitId}`)).json().disposition).toBe('restocked');
  });

  it('liquidates a unit, recording what was recovered', async () => {
    const unitId = await unitGraded('c3', 'customer-damaged');
    await step(unitId, 'liquidate', 'pm', { recovered: CNY(1500) }, { recovered: CNY(15.5) });
    expect((await call(fx, 'cs', 'GET', `/rma-units/${unitId}`)).json().disposition).toBe('liquidated');
  });

  it('writes off a unit at its cost, charged to the PM', async () => {
    const unitId = await unitGraded('c4', 'defective');
    await step(unitId, 'write-off', 'pm', { reason: 'beyond repair' }, { amount: CNY(-1), reason: 'x' });
    expect((await call(fx, 'cs', 'GET', `/rma-units/${unitId}`)).json().disposition).toBe('written-off');
  });

  it('refuses a credit without its amount with the domain’s code, writing nothing', async () => {
    const unitId = await unitGraded('c5', 'defective');
    await expectOk(() => call(fx, 'warehouse', 'POST', `/rma-units/${unitId}/dispatch`, {}));
    await expectRefusal(
      fx,
      () => call(fx, 'warehouse', 'POST', `/rma-units/${unitId}/vendor-return`, { outcome: 'credited' }),
      422,
      'LDG_CREDIT_AMOUNT_REQUIRED',
    );
    await expectOk(() =>
      call(fx, 'warehouse', 'POST', `/rma-units/${unitId}/vendor-return`, {
        outcome: 'credited',
        creditAmount: CNY(8000),
      }),
    );
  });

  it('answers 404 for an unknown unit, and its state as of an instant', async () => {
    await expectRefusal(fx, () => call(fx, 'cs', 'GET', '/rma-units/nope'), 404, 'LDG_UNIT_NOT_FOUND');
    await expectRefusal(
      fx,
      () => call(fx, 'warehouse', 'POST', '/rma-units/nope/dispatch', {}),
      404,
      'LDG_UNIT_NOT_FOUND',
    );
    const unitId = await unitGraded('c6', 'repairable');
    const early = encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString());
    await expectRefusal(
      fx,
      () => call(fx, 'cs', 'GET', `/rma-units/${unitId}?asOf=${early}`),
      404,
      'LDG_UNIT_NOT_FOUND',
    );
  });
});
