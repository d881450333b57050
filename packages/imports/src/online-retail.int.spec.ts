import { createReadStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { admin, gbp, type TestLedger, testLedger } from './fixtures/ledger.js';
import { importCases, importSales } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
// From the repository root the data set is ../shared/data (CI checks `shared/` out beside the clone).
const SAMPLE = join(here, '../../../../shared/data/online-retail/online-retail-sample.csv');
const MAPPING = JSON.parse(readFileSync(join(here, '../mappings/online-retail.json'), 'utf8'));
const register = { vendorId: 'online-retail', pmId: 'pm-retail' };

/** Signed pence of a row: Quantity × UnitPrice, exactly (prices have at most 2 decimals). */
function pence(values: Readonly<Record<string, string>>): number {
  const [whole, fraction = ''] = values.UnitPrice!.split('.');
  return Number(values.Quantity) * Number(`${whole}${fraction.padEnd(2, '0')}`);
}

describe('importing the Online Retail sample (30,000 lines, README figures)', () => {
  let t: TestLedger;

  beforeEach(async () => {
    t = await testLedger();
    await t.ledger.catalogue.putVendor(
      'online-retail',
      { name: 'Online Retail', agreement: { turnaroundDays: 10 } },
      admin,
    );
    await t.ledger.catalogue.putPolicy(
      'online-retail',
      {
        returnWindowDays: 30,
        exchangeWindowDays: 30,
        warrantyDays: 365,
        promiseDays: { refund: 14, exchange: 14, repair: 30 },
        autoApproveLimit: gbp(0),
        refundApprovalLimit: gbp(0),
      },
      admin,
    );
  });
  afterEach(() => t.close());

  it('records every product sale line as sales per SKU and day and skips the rest with a counted reason', async () => {
    const summary = await importSales(t.ledger, createReadStream(SAMPLE), MAPPING, {
      actor: 'user:import',
      registerUnknownSkus: register,
    });

    expect(summary).toMatchObject({ rows: 30_000, imported: 29_221, failed: 0, errors: [] });
    expect(summary.skipped).toEqual({
      'cancellation (imported by importCases)': 494,
      'non-product code (postage, fees, manual, discount, samples)': 99,
      'stock adjustment (no price)': 186,
    });
    const sales = (await t.events()).filter((e) => e.type === 'SalesRecorded');
    // One SalesRecorded per SKU and day, written in one command per SKU and month.
    expect(sales).toHaveLength(13_548);
    expect(summary.commandsWritten).toBe(2_594);
    expect(sales.reduce((sum, e) => sum + (e.data as { quantity: number }).quantity, 0)).toBe(240_689);
    // Business time comes from the file: the sample spans 2010-12-01 to 2010-12-14.
    const days = new Set(sales.map((e) => (e.data as { soldOn: string }).soldOn));
    expect([...days].sort()[0]).toBe('2010-12-01');
    expect([...days].sort().at(-1)).toBe('2010-12-14');
  }, 60_000);

  it('turns the 494 cancellation lines of 208 credit notes into refund cases or counted skips totalling -66,906.52 GBP', async () => {
    const skippedCredits: { reason: string; invoice: string; pence: number }[] = [];
    const summary = await importCases(t.ledger, createReadStream(SAMPLE), MAPPING, {
      actor: 'user:import',
      registerUnknownSkus: register,
      onSkip: (reason, row) => {
        if (row.values.InvoiceNo!.startsWith('C')) {
          skippedCredits.push({ reason, invoice: row.values.InvoiceNo!, pence: pence(row.values) });
        }
      },
    });

    expect(summary).toMatchObject({ rows: 30_000, imported: 143, written: 143, failed: 0 });
    expect(summary.skipped).toEqual({
      'sale line (imported by importSales)': 29_506,
      'non-product code (postage, fees, manual, discount, samples)': 22,
      'credited sale not in the file': 329,
    });
    const paid = (await t.events()).filter((e) => e.type === 'RefundPaid');
    const paidData = paid.map(
      (e) => e.data as { amount: { amount: number; currency: string }; paymentRef: string },
    );
    expect(paid).toHaveLength(143);
    expect(new Set(paidData.map((d) => d.amount.currency))).toEqual(new Set(['GBP']));

    const refunded = paidData.reduce((sum, d) => sum + d.amount.amount, 0);
    const byReason = (reason: string) =>
      skippedCredits.filter((c) => c.reason === reason).reduce((sum, c) => sum + c.pence, 0);
    expect(refunded).toBe(304_250);
    expect(byReason('non-product code (postage, fees, manual, discount, samples)')).toBe(-5_705_260);
    expect(byReason('credited sale not in the file')).toBe(-681_142);
    // Credits = refunds paid (as negative) + non-product credits + credits of sales before the file.
    expect(
      -refunded +
        byReason('non-product code (postage, fees, manual, discount, samples)') +
        byReason('credited sale not in the file'),
    ).toBe(-6_690_652);

    expect(paid.length + skippedCredits.length).toBe(494);
    const invoices = new Set([...paidData.map((d) => d.paymentRef), ...skippedCredits.map((c) => c.invoice)]);
    expect(invoices.size).toBe(208);
  });

  it('writes nothing when the same file is imported again', async () => {
    const options = { actor: 'user:import', registerUnknownSkus: register };
    await importSales(t.ledger, createReadStream(SAMPLE), MAPPING, options);
    await importCases(t.ledger, createReadStream(SAMPLE), MAPPING, options);
    const before = (await t.events()).length;

    const sales = await importSales(t.ledger, createReadStream(SAMPLE), MAPPING, options);
    const cases = await importCases(t.ledger, createReadStream(SAMPLE), MAPPING, options);

    expect((await t.events()).length).toBe(before);
    expect(sales).toMatchObject({ written: 0, unchanged: 29_221, commandsWritten: 0 });
    expect(cases).toMatchObject({ written: 0, unchanged: 143, commandsWritten: 0 });
  }, 120_000);
});
