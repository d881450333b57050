import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, openFixture, removeDir } from '../test-support/fixture.js';
import { CNY, call, caseBody, expectOk, expectRefusal, seedCatalogue } from '../test-support/http.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
  await seedCatalogue(fx);
  await expectOk(() => call(fx, 'cs', 'POST', '/cases', caseBody({ resolution: 'refund' })), 201);
  await expectOk(() => call(fx, 'cs', 'POST', '/cases/c1/approve', {}));
  await expectOk(
    () =>
      call(fx, 'cs', 'POST', '/cases/c1/refunds', {
        refundId: 'r1',
        amount: CNY(12900),
        beforeReturn: true,
        evidence: 'photo',
      }),
    201,
  );
  await expectOk(() => call(fx, 'finance', 'POST', '/cases/c1/refunds/r1/approve', {}));
  await expectOk(() => call(fx, 'finance', 'POST', '/cases/c1/refunds/r1/pay', { paymentRef: 'RF-1' }));
});
afterEach(async () => {
  await fx.close();
  removeDir(fx.dir);
});

const now = Date.now();
const csv = [
  'refund_id,reference,amount,currency,created',
  `RF-1,RF-1,129.00,CNY,${new Date(now).toISOString()}`,
  `RF-2,RF-2,5.00,CNY,${new Date(now).toISOString()}`,
].join('\n');

const body = {
  provider: 'csv',
  fileName: 'refunds.csv',
  content: Buffer.from(csv).toString('base64'),
  parseOptions: {
    mapping: {
      refundId: 'refund_id',
      reference: 'reference',
      amount: 'amount',
      currency: 'currency',
      occurredAt: 'created',
    },
  },
  period: { from: new Date(now - 86_400_000).toISOString(), to: new Date(now + 86_400_000).toISOString() },
};

describe('reconciliations', () => {
  it('records a run for finance, readable as JSON and CSV by finance and auditors', async () => {
    const res = await expectOk(() => call(fx, 'finance', 'POST', '/reconciliations', body), 201);
    const { runId, summary } = res.json();
    expect(res.headers.location).toBe(`/reconciliations/${runId}`);
    expect(summary).toMatchObject({ ledgerRefunds: 1, providerRows: 2 });

    const run = await expectOk(() => call(fx, 'auditor', 'GET', `/reconciliations/${runId}`));
    expect(run.json().rows).toHaveLength(2);
    const asCsv = await expectOk(() =>
      call(fx, 'finance', 'GET', `/reconciliations/${runId}`, undefined, { accept: 'text/csv' }),
    );
    expect(asCsv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(asCsv.body.trim().split('\r\n')).toHaveLength(3);

    const again = await expectOk(() => call(fx, 'finance', 'POST', '/reconciliations', body), 201);
    expect(again.json()).toMatchObject({ runId, deduplicated: true });
  });

  it('refuses other roles, bad input and an unreadable report, writing nothing', async () => {
    await expectRefusal(
      fx,
      () => call(fx, 'auditor', 'POST', '/reconciliations', body),
      403,
      'LDG_HTTP_FORBIDDEN',
    );
    await expectRefusal(fx, () => call(fx, 'cs', 'GET', '/reconciliations/x'), 403, 'LDG_HTTP_FORBIDDEN');
    await expectRefusal(
      fx,
      () => call(fx, 'finance', 'POST', '/reconciliations', { ...body, provider: 'bank' }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    await expectRefusal(
      fx,
      () =>
        call(fx, 'finance', 'POST', '/reconciliations', {
          ...body,
          parseOptions: { mapping: { amount: 'amount' } },
        }),
      400,
      'LDG_HTTP_VALIDATION_FAILED',
    );
    const mapping = { ...body.parseOptions.mapping, refundId: 'nope' };
    await expectRefusal(
      fx,
      () => call(fx, 'finance', 'POST', '/reconciliations', { ...body, parseOptions: { mapping } }),
      422,
      'LDG_REPORT_MISSING_COLUMN',
    );
    await expectRefusal(
      fx,
      () => call(fx, 'finance', 'GET', '/reconciliations/none'),
      404,
      'LDG_RECONCILIATION_RUN_NOT_FOUND',
    );
  });
});
