import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, openFixture, removeDir } from '../test-support/fixture.js';
import { call, caseBody, expectOk, expectRefusal, seedCatalogue } from '../test-support/http.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
  await seedCatalogue(fx);
  await expectOk(() => call(fx, 'cs', 'POST', '/cases', caseBody()), 201);
  await expectOk(() => call(fx, 'cs', 'POST', '/cases/c1/approve', {}));
  await expectOk(() => call(fx, 'warehouse', 'POST', '/cases/c1/receive', {}), 201);
});
afterEach(async () => {
  await fx.close();
  removeDir(fx.dir);
});

const snapshots = ['cycle-lag', 'overdue-vendor-repairs', 'rma-aging', 'refund-exposure'];
const periodic = ['pm-bad-debt', 'vendor-scorecard', 'sku-after-sales'];
const period = `from=${encodeURIComponent('2026-01-01T00:00:00Z')}&to=${encodeURIComponent('2027-01-01T00:00:00Z')}`;

describe('reports', () => {
  it('answers every report as JSON to any role, including what was just written', async () => {
    for (const name of snapshots) {
      const res = await expectOk(() => call(fx, 'auditor', 'GET', `/reports/${name}`));
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json().asOf).toMatch(/Z$/);
    }
    for (const name of periodic) {
      const res = await expectOk(() => call(fx, 'pm', 'GET', `/reports/${name}?${period}`));
      expect(res.json()).toMatchObject({ from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    }
    const aging = (await call(fx, 'cs', 'GET', '/reports/rma-aging')).json();
    expect(JSON.stringify(aging)).toContain('pm-li');
  });

  it('answers CSV for Accept: text/csv', async () => {
    const res = await expectOk(() =>
      call(fx, 'finance', 'GET', `/reports/vendor-scorecard?${period}`, undefined, { accept: 'text/csv' }),
    );
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body.split('\n')[0]).toMatch(/^vendor_id,/);
  });

  it('refuses a missing or inverted period, an unknown parameter, and anonymous callers', async () => {
    await expectRefusal(
      fx,
      () => call(fx, 'pm', 'GET', '/reports/pm-bad-debt'),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    const inverted = `from=${encodeURIComponent('2027-01-01T00:00:00Z')}&to=${encodeURIComponent('2026-01-01T00:00:00Z')}`;
    await expectRefusal(
      fx,
      () => call(fx, 'pm', 'GET', `/reports/pm-bad-debt?${inverted}`),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    await expectRefusal(
      fx,
      () => call(fx, 'pm', 'GET', '/reports/cycle-lag?as_of=x'),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    await expectRefusal(
      fx,
      () => call(fx, null, 'GET', '/reports/cycle-lag'),
      401,
      'LDG_HTTP_UNAUTHENTICATED',
    );
  });

  it('flags SKUs at the configured thresholds, not only at kpis.md’s defaults', async () => {
    const byDefault = (await call(fx, 'pm', 'GET', `/reports/sku-after-sales?${period}`)).json();
    expect(byDefault).toMatchObject({ alertRatio: 0.02, delistRatio: 0.05, minUnitsSold: 50 });

    const strict = await openFixture(undefined, {
      reportSettings: { afterSales: { alertRatio: 0.01, delistRatio: 0.03, minUnitsSold: 5 } },
    });
    try {
      const res = (await call(strict, 'pm', 'GET', `/reports/sku-after-sales?${period}`)).json();
      expect(res).toMatchObject({ alertRatio: 0.01, delistRatio: 0.03, minUnitsSold: 5 });
    } finally {
      await strict.close();
      removeDir(strict.dir);
    }
  });

  it('reports each projection’s lag on /ready', async () => {
    const ready = (await call(fx, null, 'GET', '/ready')).json();
    expect(ready.projections.map((p: { name: string }) => p.name)).toEqual(['reports', 'case-list']);
  });
});
