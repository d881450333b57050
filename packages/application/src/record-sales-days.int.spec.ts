import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from './command-handler.js';
import { Ledger } from './ledger.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

const admin: CommandContext = { actor: 'token:admin', correlationId: 'req-0' };
const importer: CommandContext = { actor: 'user:import', correlationId: 'import-1', idempotencyKey: 'march' };

describe('recording several days of one SKU’s sales at once', () => {
  let store: ReturnType<typeof openSqliteEventStore>;
  let keys: SqliteKeyStore;
  let ledger: Ledger;

  beforeEach(async () => {
    store = openSqliteEventStore({ path: ':memory:' });
    keys = new SqliteKeyStore({ path: ':memory:' });
    ledger = new Ledger({ store, keys });
    await ledger.catalogue.putVendor('acme', { name: 'Acme', agreement: { turnaroundDays: 10 } }, admin);
    await ledger.catalogue.putSku(
      'MUG-2',
      {
        name: 'Mug',
        vendorId: 'acme',
        pmId: 'pm-li',
        unitCost: { amount: 100, currency: 'GBP' },
        category: 'kitchen',
      },
      admin,
    );
  });
  afterEach(async () => {
    await store.close();
    await keys.close();
  });

  const days = [
    { quantity: 2, soldOn: '2026-03-01', occurredAt: '2026-03-01T18:00:00Z' },
    { quantity: 5, soldOn: '2026-03-02', occurredAt: '2026-03-02T18:00:00+01:00' },
  ];

  it('writes one SalesRecorded per day in one append, and nothing again under the same key', async () => {
    const result = await ledger.catalogue.recordSalesDays('MUG-2', { days }, importer);

    expect(result).toMatchObject({ streamName: 'sales-MUG-2', revision: 1, deduplicated: false });
    expect(result.events.map((e) => e.data)).toEqual([
      { sku: 'MUG-2', quantity: 2, soldOn: '2026-03-01', occurredAt: '2026-03-01T18:00:00.000Z' },
      { sku: 'MUG-2', quantity: 5, soldOn: '2026-03-02', occurredAt: '2026-03-02T17:00:00.000Z' },
    ]);
    expect(await ledger.catalogue.recordSalesDays('MUG-2', { days }, importer)).toMatchObject({
      deduplicated: true,
    });
    expect(await ledger.history('sales-MUG-2')).toHaveLength(2);
  });

  it('writes none of the days when the domain refuses one', async () => {
    const outOfOrder = [days[1]!, days[0]!];

    await expect(
      ledger.catalogue.recordSalesDays('MUG-2', { days: outOfOrder }, importer),
    ).rejects.toMatchObject({
      code: 'LDG_OCCURRED_AT_BEFORE_PREVIOUS',
    });
    expect(await ledger.history('sales-MUG-2')).toEqual([]);
  });

  it('refuses a SKU the catalogue does not know', async () => {
    await expect(ledger.catalogue.recordSalesDays('KETTLE-9', { days }, importer)).rejects.toMatchObject({
      code: 'LDG_SKU_NOT_FOUND',
    });
  });
});
