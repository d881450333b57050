import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, openFixture, removeDir } from '../test-support/fixture.js';
import { call, expectOk, expectRefusal, seedCatalogue } from '../test-support/http.js';
import { countEvents } from '../test-support/routes.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
  await seedCatalogue(fx);
});
afterEach(async () => {
  await fx.close();
  removeDir(fx.dir);
});

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const base64 = (text: string) => Buffer.from(text).toString('base64');

const salesMapping = {
  version: 1,
  currency: 'CNY',
  dates: { format: 'YYYY-MM-DD HH:mm', timeZone: 'UTC' },
  sales: { fields: { sku: 'sku', quantity: 'qty', soldAt: 'sold' } },
};
const salesFile = [
  'sku,qty,sold',
  `sku-1,3,${day(3)} 09:00`,
  `sku-1,2,${day(2)} 10:00`,
  `no-such-sku,1,${day(2)} 11:00`,
].join('\n');
const salesBody = { fileName: 'sales.csv', content: base64(salesFile), mapping: salesMapping };

const casesMapping = {
  version: 1,
  currency: 'CNY',
  dates: { format: 'YYYY-MM-DD HH:mm', timeZone: 'UTC' },
  cases: {
    fields: {
      caseId: 'case',
      orderId: 'order',
      channel: 'shop',
      sku: 'sku',
      quantity: 'qty',
      unitPrice: 'price',
      purchasedAt: 'bought',
      openedAt: 'opened',
      reason: 'why',
      resolution: { column: 'wants', map: { money: 'refund', fix: 'repair' } },
      customerId: 'customer',
      customerName: 'name',
    },
  },
};
const casesFile = [
  'case,order,shop,sku,qty,price,bought,opened,why,wants,customer,name',
  `imp-1,o-9,tmall,sku-1,1,129.00,${day(4)} 08:00,${day(2)} 09:30,does not heat,fix,cust-9,Li Na`,
].join('\n');

describe('POST /imports/sales', () => {
  it('validates every row and writes nothing on ?dryRun=true', async () => {
    const before = await countEvents(fx.store);
    const res = await expectOk(() => call(fx, 'admin', 'POST', '/imports/sales?dryRun=true', salesBody));
    expect(res.json()).toMatchObject({ kind: 'sales', dryRun: true, rows: 3, imported: 2, failed: 1 });
    expect(res.json().errors).toEqual([
      expect.objectContaining({ row: 4, column: 'sku', code: 'LDG_SKU_NOT_FOUND' }),
    ]);
    expect(await countEvents(fx.store)).toBe(before);
  });

  it('imports the rows once: the same file again writes nothing', async () => {
    const first = await expectOk(() => call(fx, 'admin', 'POST', '/imports/sales', salesBody));
    expect(first.json()).toMatchObject({ dryRun: false, imported: 2, written: 2, failed: 1 });
    const after = await countEvents(fx.store);
    expect(after).toBeGreaterThan(0);
    const again = await expectOk(() => call(fx, 'admin', 'POST', '/imports/sales', salesBody));
    expect(again.json()).toMatchObject({ imported: 2, written: 0, unchanged: 2 });
    expect(await countEvents(fx.store)).toBe(after);
  });

  it('refuses other roles, a bad mapping (listing its fields) and a body that is not base64', async () => {
    await expectRefusal(
      fx,
      () => call(fx, null, 'POST', '/imports/sales', salesBody),
      401,
      'LDG_HTTP_UNAUTHENTICATED',
    );
    for (const role of ['cs', 'auditor', 'finance'] as const) {
      await expectRefusal(
        fx,
        () => call(fx, role, 'POST', '/imports/sales', salesBody),
        403,
        'LDG_HTTP_FORBIDDEN',
      );
    }
    const bad = await expectRefusal(
      fx,
      () =>
        call(fx, 'admin', 'POST', '/imports/sales', {
          ...salesBody,
          mapping: { ...salesMapping, sales: { fields: { sku: 'sku' } } },
        }),
      422,
      'LDG_IMPORT_MAPPING_INVALID',
    );
    expect(bad.errors?.length).toBeGreaterThan(0);
    expect(bad.errors?.every((e) => e.path.startsWith('body.mapping.'))).toBe(true);
    await expectRefusal(
      fx,
      () => call(fx, 'admin', 'POST', '/imports/sales', { ...salesBody, content: 'not base64!' }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    await expectRefusal(
      fx,
      () => call(fx, 'admin', 'POST', '/imports/sales?dryRun=maybe', salesBody),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
  });
});

describe('POST /imports/cases', () => {
  it('opens the cases of the sheet through the ledger, attributed to the admin token', async () => {
    const body = { content: base64(casesFile), mapping: casesMapping };
    const dry = await expectOk(() => call(fx, 'admin', 'POST', '/imports/cases?dryRun=true', body));
    expect(dry.json()).toMatchObject({ kind: 'cases', dryRun: true, imported: 1, failed: 0 });
    await expectRefusal(fx, () => call(fx, 'admin', 'GET', '/cases/imp-1'), 404, 'LDG_CASE_NOT_FOUND');

    const res = await expectOk(() => call(fx, 'admin', 'POST', '/imports/cases', body));
    expect(res.json()).toMatchObject({ kind: 'cases', imported: 1, written: 1, failed: 0 });
    const view = await expectOk(() => call(fx, 'auditor', 'GET', '/cases/imp-1'));
    expect(view.json()).toMatchObject({ caseId: 'imp-1', sku: 'sku-1', resolution: 'repair' });
    const history = await expectOk(() => call(fx, 'auditor', 'GET', '/cases/imp-1/history'));
    expect(history.json().events[0].metadata.actor).toMatch(/^token:.*\/admin$/);
  });
});

describe('the body limit of imports', () => {
  it('is its own, larger than the other routes’', async () => {
    const small = await openFixture(undefined, {
      limits: { bodyLimitBytes: 1000, importBodyLimitBytes: 6000 },
    });
    try {
      await seedCatalogue(small);
      const lines = Array.from(
        { length: 60 },
        (_, i) => `sku-1,1,${day(2)} ${String(i % 24).padStart(2, '0')}:00`,
      );
      const body = { ...salesBody, content: base64(['sku,qty,sold', ...lines].join('\n')) };
      expect(JSON.stringify(body).length).toBeGreaterThan(1000);
      expect(JSON.stringify(body).length).toBeLessThan(6000);
      await expectOk(() => call(small, 'admin', 'POST', '/imports/sales?dryRun=true', body));
      const huge = { ...salesBody, content: base64('x'.repeat(6000)) };
      await expectRefusal(
        small,
        () => call(small, 'admin', 'POST', '/imports/sales', huge),
        413,
        'LDG_HTTP_BODY_TOO_LARGE',
      );
    } finally {
      await small.close();
      removeDir(small.dir);
    }
  });
});
