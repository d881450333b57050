import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../auth/roles.js';
import { type Fixture, openFixture, removeDir } from '../test-support/fixture.js';
import { call, caseBody, expectOk, expectRefusal, seedCatalogue, skuBody } from '../test-support/http.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
  await seedCatalogue(fx);
  await expectOk(() =>
    call(fx, 'admin', 'PUT', '/vendors/v2', { name: 'Bolt', agreement: { turnaroundDays: 5 } }),
  );
  await expectOk(() =>
    call(fx, 'admin', 'PUT', '/skus/sku-2', { ...skuBody, name: 'Toaster', vendorId: 'v2', pmId: 'pm-wu' }),
  );
});
afterEach(async () => {
  await fx.close();
  removeDir(fx.dir);
});

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

/** Opens cases c1…cN one hour apart (c1 the oldest) on sku-1, or sku-2 for those listed. */
async function openCases(count: number, onSku2: readonly string[] = []): Promise<void> {
  for (let i = 1; i <= count; i++) {
    const caseId = `c${i}`;
    const body = caseBody({
      caseId,
      orderId: `o-${i}`,
      sku: onSku2.includes(caseId) ? 'sku-2' : 'sku-1',
      occurredAt: hoursAgo(count + 1 - i),
    });
    await expectOk(() => call(fx, 'cs', 'POST', '/cases', body), 201);
  }
}

const ids = (res: Awaited<ReturnType<typeof call>>) =>
  res.json().items.map((item: { caseId: string }) => item.caseId);

describe('GET /cases', () => {
  it('lists the cases just written, newest first, to every role', async () => {
    await openCases(2);
    await expectOk(() => call(fx, 'cs', 'POST', '/cases/c1/approve', {}));
    for (const role of ['cs', 'warehouse', 'pm', 'finance', 'auditor', 'admin'] as Role[]) {
      const res = await expectOk(() => call(fx, role, 'GET', '/cases'));
      expect(ids(res)).toEqual(['c2', 'c1']);
    }
    const res = await call(fx, 'auditor', 'GET', '/cases');
    expect(res.json()).toEqual({
      items: [
        expect.objectContaining({ caseId: 'c2', status: 'open', revision: 0 }),
        {
          caseId: 'c1',
          orderId: 'o-1',
          channel: 'tmall',
          sku: 'sku-1',
          quantity: 1,
          vendorId: 'v1',
          pmId: 'pm-li',
          status: 'approved',
          resolution: 'repair',
          closedWith: null,
          openedAt: expect.stringMatching(/Z$/),
          promisedBy: expect.stringMatching(/Z$/),
          closedAt: null,
          updatedAt: expect.stringMatching(/Z$/),
          revision: 2,
        },
      ],
      nextCursor: null,
    });
    // The revision is the one the case's own read sends as its ETag.
    expect((await call(fx, 'auditor', 'GET', '/cases/c1')).headers.etag).toBe('W/"2"');
  });

  it('filters by status, pm, vendor and sku, combined', async () => {
    await openCases(4, ['c2', 'c4']);
    await expectOk(() => call(fx, 'cs', 'POST', '/cases/c4/reject', { reason: 'out of warranty' }));
    expect(ids(await call(fx, 'pm', 'GET', '/cases?pm=pm-wu'))).toEqual(['c4', 'c2']);
    expect(ids(await call(fx, 'pm', 'GET', '/cases?vendor=v1'))).toEqual(['c3', 'c1']);
    expect(ids(await call(fx, 'pm', 'GET', '/cases?sku=sku-2&status=open'))).toEqual(['c2']);
    expect(ids(await call(fx, 'pm', 'GET', '/cases?status=rejected&vendor=v2&pm=pm-wu'))).toEqual(['c4']);
    expect(ids(await call(fx, 'pm', 'GET', '/cases?status=closed'))).toEqual([]);
  });

  it('pages with limit and the opaque nextCursor, keeping the filters', async () => {
    await openCases(5, ['c2']);
    const first = await expectOk(() => call(fx, 'cs', 'GET', '/cases?vendor=v1&limit=2'));
    expect(ids(first)).toEqual(['c5', 'c4']);
    const cursor = first.json().nextCursor as string;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);

    // A case opened between two pages does not shift the next page.
    await expectOk(() => call(fx, 'cs', 'POST', '/cases', caseBody({ caseId: 'c6', orderId: 'o-6' })), 201);
    const second = await expectOk(() => call(fx, 'cs', 'GET', `/cases?vendor=v1&limit=2&cursor=${cursor}`));
    expect(ids(second)).toEqual(['c3', 'c1']);
    expect(second.json().nextCursor).toBeNull();
  });

  it('refuses anonymous callers, a bad filter, limit or cursor, and unknown parameters', async () => {
    await expectRefusal(fx, () => call(fx, null, 'GET', '/cases'), 401, 'LDG_HTTP_UNAUTHENTICATED');
    for (const query of [
      'status=lost',
      'limit=0',
      'limit=501',
      'limit=ten',
      'cursor=not-a-cursor',
      `cursor=${Buffer.from('[1,2]').toString('base64url')}`,
      'vendor=',
      'owner=me',
    ]) {
      const problem = await expectRefusal(
        fx,
        () => call(fx, 'cs', 'GET', `/cases?${query}`),
        400,
        'LDG_HTTP_VALIDATION_FAILED',
      );
      expect(problem.errors?.[0]?.path).toMatch(/^query/);
    }
  });
});
