import { type Clock, type CommandContext, Ledger, SqliteKeyStore } from '@rma-ledger/application';
import { skuStream } from '@rma-ledger/domain';
import type { RecordedEvent } from '@rma-ledger/event-store';
import { openSqliteEventStore, type SqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AfterSalesFlagChange,
  type AfterSalesFlagReactor,
  type AfterSalesFlagWriter,
  startAfterSalesFlagReactor,
} from './after-sales-flag-reactor.js';

const cny = (amount: number) => ({ amount, currency: 'CNY' });
const admin: CommandContext = { actor: 'token:admin', correlationId: 'setup' };
const clock: Clock = { now: () => new Date('2026-03-10T10:00:00.000Z') };

/** How the service wires the writer: each change goes through the Ledger under its idempotency key. */
function ledgerWriter(ledger: Ledger): AfterSalesFlagWriter {
  const context = (change: AfterSalesFlagChange): CommandContext => ({
    actor: 'system:after-sales-flags',
    correlationId: change.idempotencyKey,
    idempotencyKey: change.idempotencyKey,
  });
  return {
    raise: async (c) => {
      const { level, ratio, period, occurredAt } = c;
      await ledger.catalogue.raiseAfterSalesFlag(c.sku, { level, ratio, period, occurredAt }, context(c));
    },
    clear: async (c) => {
      const { ratio, period, occurredAt } = c;
      await ledger.catalogue.clearAfterSalesFlag(c.sku, { ratio, period, occurredAt }, context(c));
    },
  };
}

async function streamEvents(store: SqliteEventStore, streamName: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(streamName)) events.push(event);
  return events;
}

describe('SKU after-sales flag reactor writing through the Ledger', () => {
  let store: SqliteEventStore;
  let keys: SqliteKeyStore;
  let ledger: Ledger;
  let failures: Error[];
  const running: AfterSalesFlagReactor[] = [];

  const start = () => {
    const reactor = startAfterSalesFlagReactor({
      store,
      directory: null,
      write: ledgerWriter(ledger),
      config: { windowDays: 30 },
      onFailure: (error) => failures.push(error),
    });
    running.push(reactor);
    return reactor;
  };

  beforeEach(async () => {
    store = openSqliteEventStore({ path: ':memory:' });
    keys = new SqliteKeyStore({ path: ':memory:' });
    failures = [];
    ledger = new Ledger({ store, keys, clock, newId: () => 'generated' });
    const at = (time: string) => ({ occurredAt: `2026-01-01T${time}:00Z` });
    await ledger.catalogue.putVendor(
      'acme',
      { name: 'Acme', agreement: { turnaroundDays: 10 }, ...at('00:00') },
      admin,
    );
    await ledger.catalogue.putSku(
      'KETTLE-1',
      {
        name: 'Kettle',
        vendorId: 'acme',
        pmId: 'pm-li',
        unitCost: cny(8_000),
        category: 'kitchen',
        ...at('01:00'),
      },
      admin,
    );
    await ledger.catalogue.putPolicy(
      'web',
      {
        returnWindowDays: 7,
        exchangeWindowDays: 15,
        warrantyDays: 365,
        promiseDays: { refund: 5, exchange: 10, repair: 20 },
        autoApproveLimit: cny(50_000),
        refundApprovalLimit: cny(10_000),
        ...at('02:00'),
      },
      admin,
    );
    const sell = (quantity: number, soldAt: string) =>
      ledger.catalogue.recordSales(
        { lines: [{ sku: 'KETTLE-1', quantity, soldAt }], occurredAt: `${soldAt}T23:00:00Z` },
        admin,
      );
    await sell(100, '2026-01-02');
    await ledger.cases.open(
      {
        caseId: 'case-1',
        orderId: 'order-1',
        channel: 'web',
        sku: 'KETTLE-1',
        quantity: 2,
        unitPrice: cny(19_900),
        purchasedAt: '2025-12-20T12:00:00Z',
        reason: 'does not heat',
        resolution: 'repair',
        customer: { id: 'cust-1', name: 'Ann Lee' },
        occurredAt: '2026-01-03T10:00:00Z',
      },
      admin,
    );
    // The PM changes during the day whose midnight raises the flag.
    await ledger.catalogue.putSku(
      'KETTLE-1',
      {
        name: 'Kettle',
        vendorId: 'acme',
        pmId: 'pm-wu',
        unitCost: cny(8_000),
        category: 'kitchen',
        occurredAt: '2026-01-04T12:00:00Z',
      },
      admin,
    );
    await sell(101, '2026-01-04'); // evaluated at 01-04: 2 of 100; at 01-05: 2 of 201
    await sell(1, '2026-01-05');
  });
  afterEach(async () => {
    expect(failures).toEqual([]);
    for (const reactor of running.splice(0)) await reactor.stop();
    await store.close();
    await keys.close();
  });

  it('records the raise and the clear on the SKU stream, under their idempotency keys', async () => {
    const reactor = start();
    await reactor.waitFor((await store.headPosition())!);
    const flags = (await streamEvents(store, skuStream('KETTLE-1'))).filter((e) =>
      e.type.startsWith('SkuAfterSales'),
    );
    const raisedPeriod = { from: '2025-12-05T00:00:00.000Z', to: '2026-01-04T00:00:00.000Z' };
    const clearedPeriod = { from: '2025-12-06T00:00:00.000Z', to: '2026-01-05T00:00:00.000Z' };
    expect(flags.map((e) => [e.type, e.data, e.metadata.idempotencyKey])).toEqual([
      [
        'SkuAfterSalesFlagRaised',
        // the SKU was edited at 12:00 that day: the flag cannot be recorded before that
        {
          sku: 'KETTLE-1',
          level: 'alert',
          ratio: 0.02,
          period: raisedPeriod,
          occurredAt: '2026-01-04T12:00:00.000Z',
        },
        `sku-flag:KETTLE-1:alert:${raisedPeriod.from}/${raisedPeriod.to}`,
      ],
      [
        'SkuAfterSalesFlagCleared',
        {
          sku: 'KETTLE-1',
          previousLevel: 'alert',
          ratio: 2 / 201,
          period: clearedPeriod,
          occurredAt: clearedPeriod.to,
        },
        `sku-flag:KETTLE-1:clear:${clearedPeriod.from}/${clearedPeriod.to}`,
      ],
    ]);
  });

  it('writes nothing new when rerun from the first event', async () => {
    const live = start();
    await live.waitFor((await store.headPosition())!);
    await live.stop();
    const head = (await store.headPosition())!;

    const rerun = start();
    await rerun.waitFor(head);
    expect(await store.headPosition()).toBe(head);
    expect(await streamEvents(store, skuStream('KETTLE-1'))).toHaveLength(4);
  });
});
