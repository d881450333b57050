import { join } from 'node:path';
import { skuStream } from '@rma-ledger/domain';
import type { RecordedEvent } from '@rma-ledger/event-store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { READ_MODELS_DIR } from '../runtime.js';
import { type Fixture, openFixture, removeDir } from '../test-support/fixture.js';
import { call, caseBody, expectOk, seedCatalogue } from '../test-support/http.js';
import { AFTER_SALES_FLAGS_TASK, ledgerFlagWriter, superviseAfterSalesFlags } from './after-sales-flags.js';

let fx: Fixture | undefined;
afterEach(async () => {
  if (fx === undefined) return;
  await fx.close();
  removeDir(fx.dir);
  fx = undefined;
});

async function skuEvents(f: Fixture, sku: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of f.store.readStream(skuStream(sku))) events.push(event);
  return events;
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

describe('the SKU after-sales flag reactor in the service', () => {
  it('raises a flag through the Ledger under the change’s idempotency key, supervised', async () => {
    fx = await openFixture();
    const f = fx;
    await seedCatalogue(f);
    // 100 sold a few days ago, then 3 units on cases: about 3% of sales, past the alert threshold.
    const soldAt = daysAgo(5).toISOString().slice(0, 10);
    await expectOk(
      () =>
        call(f, 'admin', 'POST', '/sales', {
          sku: 'sku-1',
          quantity: 100,
          soldAt,
          occurredAt: daysAgo(5).toISOString(),
        }),
      201,
    );
    await expectOk(
      () =>
        call(
          f,
          'cs',
          'POST',
          '/cases',
          caseBody({
            quantity: 3,
            purchasedAt: daysAgo(6).toISOString(),
            occurredAt: daysAgo(4).toISOString(),
          }),
        ),
      201,
    );
    // A later event moves the business clock past the midnights at which the SKU is evaluated.
    const today = new Date().toISOString().slice(0, 10);
    await expectOk(
      () => call(f, 'admin', 'POST', '/sales', { sku: 'sku-1', quantity: 1, soldAt: today }),
      201,
    );
    const rejected: string[] = [];
    superviseAfterSalesFlags(f.runtime.background, {
      store: f.store,
      directory: join(f.dir, READ_MODELS_DIR),
      write: ledgerFlagWriter(f.ledger, (error, change) => rejected.push(`${change.sku} ${error.code}`)),
    });

    await vi.waitFor(
      async () => {
        const raised = (await skuEvents(f, 'sku-1')).filter((e) => e.type === 'SkuAfterSalesFlagRaised');
        expect(raised.length).toBeGreaterThan(0);
        expect(raised[0]!.metadata.actor).toBe('system:after-sales-flags');
        expect(raised[0]!.metadata.idempotencyKey).toMatch(/^sku-flag:sku-1:/);
      },
      { timeout: 20_000, interval: 10 },
    );
    expect(f.runtime.background.status().find((t) => t.name === AFTER_SALES_FLAGS_TASK)).toMatchObject({
      consecutiveFailures: 0,
    });
    expect(rejected).toEqual([]);
  });

  it('reports and skips a change the domain refuses, so the outbox is not blocked by it', async () => {
    fx = await openFixture();
    const f = fx;
    await seedCatalogue(f);
    const rejected: string[] = [];
    const writer = ledgerFlagWriter(f.ledger, (error, change) =>
      rejected.push(`${change.sku} ${error.code}`),
    );
    const change = {
      sku: 'sku-1',
      ratio: 0,
      unitsSold: 0,
      unitsOnCases: 0,
      period: { from: daysAgo(90).toISOString(), to: daysAgo(0).toISOString() },
      occurredAt: daysAgo(0).toISOString(),
      idempotencyKey: 'sku-flag:sku-1:clear:test',
    };
    await writer.clear({ ...change, previousLevel: 'alert' });
    await writer.raise({ ...change, sku: 'unknown-sku', level: 'alert', idempotencyKey: 'sku-flag:unknown' });
    expect(rejected).toEqual([expect.stringMatching(/^unknown-sku LDG_/)]);
  });
});
