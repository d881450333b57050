import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, type TestLedger, testLedger } from './fixtures/ledger.js';
import { buildXlsx } from './fixtures/xlsx.js';
import { type ImportProgress, importSales, type MappingInput } from './index.js';

const MAPPING: MappingInput = {
  version: 1,
  currency: 'GBP',
  dates: { format: 'YYYY-MM-DD HH:mm', timeZone: 'Europe/Berlin' },
  sales: { fields: { sku: 'sku', quantity: 'qty', soldAt: 'sold', skuName: 'name' } },
};

// 2026-03-02 00:30 in Berlin is 2026-03-01 23:30 UTC: the sale counts for the local day, 2 March.
const FILE = `sku,qty,sold,name
KETTLE-1,3,2026-03-01 09:00,Kettle
KETTLE-1,2,2026-03-01 17:00,Kettle
MUG-2,4,2026-03-01 18:00,Mug
KETTLE-1,1,2026-03-02 00:30,Kettle
TOASTER-9,1,2026-03-02 10:00,Toaster
MUG-2,-1,2026-03-02 11:00,Mug
`;
const options = { actor: 'user:import' };

describe('importing sales lines', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await testLedger();
  });
  afterEach(() => t.close());

  const sales = async () =>
    (await t.events())
      .filter((e) => e.type === 'SalesRecorded')
      .map((e) => e.data as { sku: string; quantity: number; soldOn: string; occurredAt: string });

  it('records one sale per SKU and local day, at the time of its last line, one command per SKU and month', async () => {
    const summary = await importSales(t.ledger, bytes(FILE), MAPPING, options);

    expect(summary).toMatchObject({ rows: 6, imported: 4, written: 4, failed: 2, commandsWritten: 2 });
    expect(await sales()).toEqual([
      { sku: 'KETTLE-1', quantity: 5, soldOn: '2026-03-01', occurredAt: '2026-03-01T16:00:00.000Z' },
      { sku: 'KETTLE-1', quantity: 1, soldOn: '2026-03-02', occurredAt: '2026-03-01T23:30:00.000Z' },
      { sku: 'MUG-2', quantity: 4, soldOn: '2026-03-01', occurredAt: '2026-03-01T17:00:00.000Z' },
    ]);
  });

  it('writes a month once the file reaches the next one', async () => {
    const file = `sku,qty,sold,name
MUG-2,1,2026-03-31 10:00,Mug
MUG-2,2,2026-04-01 10:00,Mug
MUG-2,3,2026-04-02 10:00,Mug
`;
    const summary = await importSales(t.ledger, bytes(file), MAPPING, options);

    expect(summary).toMatchObject({ imported: 3, commandsWritten: 2 });
    const appends = new Set(
      (await t.events()).filter((e) => e.type === 'SalesRecorded').map((e) => e.metadata.idempotencyKey),
    );
    expect(appends.size).toBe(2);
    expect((await sales()).map((s) => [s.soldOn, s.quantity])).toEqual([
      ['2026-03-31', 1],
      ['2026-04-01', 2],
      ['2026-04-02', 3],
    ]);
  });

  it('refuses lines of unknown SKUs and unreadable quantities with their line and column', async () => {
    const summary = await importSales(t.ledger, bytes(FILE), MAPPING, options);

    expect(summary.errors).toEqual([
      expect.objectContaining({ row: 6, column: 'sku', code: 'LDG_SKU_NOT_FOUND' }),
      expect.objectContaining({ row: 7, column: 'qty', field: 'quantity', code: 'LDG_IMPORT_VALUE_INVALID' }),
    ]);
    expect((await sales()).map((s) => s.sku)).not.toContain('TOASTER-9');
  });

  it('registers unknown SKUs under the named vendor and PM when asked', async () => {
    const summary = await importSales(t.ledger, bytes(FILE), MAPPING, {
      ...options,
      registerUnknownSkus: { vendorId: 'acme', pmId: 'pm-new', category: 'appliances' },
    });

    expect(summary).toMatchObject({ imported: 5, failed: 1, registeredSkus: 1 });
    const registered = (await t.ledger.history('sku-TOASTER-9')).map((e) => e.data);
    expect(registered).toEqual([
      expect.objectContaining({ name: 'Toaster', vendorId: 'acme', pmId: 'pm-new', category: 'appliances' }),
    ]);
    expect((await sales()).find((s) => s.sku === 'TOASTER-9')).toMatchObject({ quantity: 1 });
  });

  it('writes nothing in a dry run, not even the SKUs it would register', async () => {
    const before = (await t.events()).length;

    const summary = await importSales(t.ledger, bytes(FILE), MAPPING, {
      ...options,
      dryRun: true,
      registerUnknownSkus: { vendorId: 'acme', pmId: 'pm-new' },
    });

    expect(summary).toMatchObject({
      dryRun: true,
      imported: 5,
      failed: 1,
      registeredSkus: 1,
      commandsWritten: 0,
    });
    expect((await t.events()).length).toBe(before);
  });

  it('writes nothing the second time the same file is imported', async () => {
    await importSales(t.ledger, bytes(FILE), MAPPING, options);
    const before = (await t.events()).length;

    const again = await importSales(t.ledger, bytes(FILE), MAPPING, options);

    expect(again).toMatchObject({ imported: 4, written: 0, unchanged: 4, commandsWritten: 0 });
    expect((await t.events()).length).toBe(before);
  });

  it('reports progress while reading and once at the end', async () => {
    const lines = Array.from(
      { length: 2500 },
      (_, i) => `MUG-2,1,2026-03-01 ${String(8 + (i % 10)).padStart(2, '0')}:00,Mug`,
    );
    const progress: ImportProgress[] = [];

    await importSales(t.ledger, bytes(`sku,qty,sold,name\n${lines.join('\n')}\n`), MAPPING, {
      ...options,
      onProgress: (p) => progress.push(p),
    });

    expect(progress.map((p) => p.rowsRead)).toEqual([1000, 2000, 2500]);
    expect(progress.at(-1)).toEqual({ rowsRead: 2500, rowsWritten: 2500, errors: 0 });
  });

  it('reads the sales sheet of an XLSX workbook, with dates as serial numbers', async () => {
    const workbook = buildXlsx([
      {
        name: 'Sales',
        rows: [
          ['sku', 'qty', 'sold', 'name'],
          ['MUG-2', 2, 46082.375, 'Mug'],
          ['MUG-2', 3, 46082.5, 'Mug'],
        ],
      },
    ]);

    const summary = await importSales(
      t.ledger,
      workbook,
      { ...MAPPING, sales: { ...MAPPING.sales!, sheet: 'Sales' } },
      options,
    );

    expect(summary).toMatchObject({ rows: 2, imported: 2, failed: 0 });
    // 2026-03-01 12:00 in Berlin (UTC+1).
    expect(await sales()).toEqual([
      { sku: 'MUG-2', quantity: 5, soldOn: '2026-03-01', occurredAt: '2026-03-01T11:00:00.000Z' },
    ]);
  });
});
