import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../auth/roles.js';
import { type Fixture, openFixture, removeDir } from '../test-support/fixture.js';
import { CNY, call, expectOk, expectRefusal, policyBody, skuBody, vendorBody } from '../test-support/http.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
});
afterEach(async () => {
  await fx.close();
  removeDir(fx.dir);
});

const notAdmin: Role[] = ['cs', 'warehouse', 'pm', 'finance', 'auditor'];

describe('PUT /vendors/{vendorId}', () => {
  it('registers a vendor; the same body again writes nothing', async () => {
    const first = await expectOk(() => call(fx, 'admin', 'PUT', '/vendors/v1', vendorBody));
    expect(first.json()).toMatchObject({ vendorId: 'v1', revision: 0 });
    expect(first.json().events.map((e: { type: string }) => e.type)).toEqual(['VendorRegistered']);
    const again = await expectOk(() => call(fx, 'admin', 'PUT', '/vendors/v1', vendorBody));
    expect(again.json().events).toEqual([]);
  });

  it('is for admins only and refuses a bad agreement', async () => {
    for (const role of notAdmin) {
      await expectRefusal(
        fx,
        () => call(fx, role, 'PUT', '/vendors/v1', vendorBody),
        403,
        'LDG_HTTP_FORBIDDEN',
      );
    }
    const problem = await expectRefusal(
      fx,
      () => call(fx, 'admin', 'PUT', '/vendors/v1', { name: 'A', agreement: { turnaroundDays: -1, sla: 3 } }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    expect(problem.errors?.map((e) => e.path).sort()).toEqual([
      'body.agreement.sla',
      'body.agreement.turnaroundDays',
    ]);
  });
});

describe('PUT /skus/{sku}', () => {
  it('registers a SKU of a registered vendor', async () => {
    await expectOk(() => call(fx, 'admin', 'PUT', '/vendors/v1', vendorBody));
    const res = await expectOk(() => call(fx, 'admin', 'PUT', '/skus/sku-1', skuBody));
    expect(res.json()).toMatchObject({ sku: 'sku-1', revision: 0 });
  });

  it('refuses an unknown vendor, another role, and a float unit cost', async () => {
    await expectRefusal(
      fx,
      () => call(fx, 'admin', 'PUT', '/skus/sku-1', skuBody),
      404,
      'LDG_VENDOR_NOT_FOUND',
    );
    await expectRefusal(fx, () => call(fx, 'pm', 'PUT', '/skus/sku-1', skuBody), 403, 'LDG_HTTP_FORBIDDEN');
    await expectRefusal(
      fx,
      () =>
        call(fx, 'admin', 'PUT', '/skus/sku-1', { ...skuBody, unitCost: { amount: 80.5, currency: 'CNY' } }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
  });
});

describe('POST /sales', () => {
  beforeEach(async () => {
    await expectOk(() => call(fx, 'admin', 'PUT', '/vendors/v1', vendorBody));
    await expectOk(() => call(fx, 'admin', 'PUT', '/skus/sku-1', skuBody));
  });

  it('records one line or several', async () => {
    const one = await expectOk(
      () => call(fx, 'admin', 'POST', '/sales', { sku: 'sku-1', quantity: 3, soldAt: '2026-11-01' }),
      201,
    );
    expect(one.json().lines).toHaveLength(1);
    const lines = [
      { sku: 'sku-1', quantity: 2, soldAt: '2026-11-02' },
      { sku: 'sku-1', quantity: 5, soldAt: '2026-11-03T10:00:00+08:00' },
    ];
    const many = await expectOk(() => call(fx, 'admin', 'POST', '/sales', { lines }), 201);
    expect(many.json().lines).toHaveLength(2);
  });

  it('refuses an unknown SKU before writing any line, another role, and a zero quantity', async () => {
    const lines = [
      { sku: 'sku-1', quantity: 2, soldAt: '2026-11-02' },
      { sku: 'ghost', quantity: 1, soldAt: '2026-11-02' },
    ];
    await expectRefusal(fx, () => call(fx, 'admin', 'POST', '/sales', { lines }), 404, 'LDG_SKU_NOT_FOUND');
    await expectRefusal(fx, () => call(fx, 'cs', 'POST', '/sales', { lines }), 403, 'LDG_HTTP_FORBIDDEN');
    await expectRefusal(
      fx,
      () => call(fx, 'admin', 'POST', '/sales', { sku: 'sku-1', quantity: 0, soldAt: '2026-11-02' }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
  });
});

describe('PUT /policies/{channel}', () => {
  it('sets a channel policy, for admins only, with integer money', async () => {
    const res = await expectOk(() => call(fx, 'admin', 'PUT', '/policies/tmall', policyBody));
    expect(res.json()).toMatchObject({ channel: 'tmall', revision: 0 });
    await expectRefusal(
      fx,
      () => call(fx, 'finance', 'PUT', '/policies/tmall', policyBody),
      403,
      'LDG_HTTP_FORBIDDEN',
    );
    await expectRefusal(
      fx,
      () =>
        call(fx, 'admin', 'PUT', '/policies/jd', {
          ...policyBody,
          autoApproveLimit: { amount: 1, currency: 'RMB1' },
        }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    await expectRefusal(
      fx,
      () =>
        call(fx, 'admin', 'PUT', '/policies/jd', {
          ...policyBody,
          refundApprovalLimit: CNY(1),
          promiseDays: {},
        }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
  });
});
