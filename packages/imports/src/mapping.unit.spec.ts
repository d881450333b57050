import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ImportError, parseMapping } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));

const issuesOf = (json: unknown) => {
  try {
    parseMapping(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).code).toBe('LDG_IMPORT_MAPPING_INVALID');
    return (error as ImportError).issues;
  }
  throw new Error('the mapping was accepted');
};

const sales = { fields: { sku: 'SKU', quantity: 'Qty', soldAt: 'Date' } };

describe('mapping files', () => {
  it('accepts the shipped Online Retail mapping and fills in the defaults', () => {
    const mapping = parseMapping(
      JSON.parse(readFileSync(join(here, '../mappings/online-retail.json'), 'utf8')),
    );
    expect(mapping.dates).toEqual({ format: 'YYYY-MM-DD HH:mm:ss', timeZone: 'Europe/London' });
    expect(mapping.csv).toEqual({ delimiter: ',', encoding: 'auto' });
    expect(mapping.headerRow).toBe(1);

    expect(parseMapping({ version: 1, sales }).numbers).toEqual({
      decimalSeparator: '.',
      thousandsSeparator: '',
    });
  });

  it('lists every problem with its path', () => {
    const issues = issuesOf({
      version: 1,
      dates: { format: 'HH:mm', timeZone: 'Mars/Olympus' },
      numbers: { decimalSeparator: ',', thousandsSeparator: ',' },
      currency: 'pounds',
      skip: [{ reason: 'odd', when: { column: 'SKU', matches: '([' } }],
      sales: { fields: { sku: 'SKU', quantity: { column: 'Qty', value: '1' } } },
    });
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dates.timeZone',
        'numbers',
        'currency',
        'skip.0.when.matches',
        'sales.fields.quantity',
        'sales.fields.soldAt',
      ]),
    );
  });

  it('refuses a date format without a day, a mapping with no section, and unknown keys', () => {
    expect(issuesOf({ version: 1, dates: { format: 'YYYY-MM' }, sales })).toEqual([
      { path: 'dates.format', message: "Date format 'YYYY-MM' has no day" },
    ]);
    expect(issuesOf({ version: 1 }).map((i) => i.message)).toContain(
      'Give a sales or a cases section (or both)',
    );
    expect(
      issuesOf({ version: 1, sales, colour: 'blue' })
        .map((i) => i.message)
        .join(),
    ).toMatch(/colour/);
  });

  it('needs a currency for cases, and an order and purchase date unless a purchase lookup finds them', () => {
    const fields = {
      channel: 'Shop',
      sku: 'SKU',
      quantity: 'Qty',
      unitPrice: 'Price',
      openedAt: 'Opened',
      reason: 'Why',
      resolution: 'Wants',
      customerId: 'Customer',
      customerName: 'Name',
    };
    const paths = issuesOf({ version: 1, cases: { fields } }).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['currency', 'cases.fields']));
    expect(() =>
      parseMapping({
        version: 1,
        currency: 'GBP',
        cases: {
          fields,
          purchaseLookup: {
            candidates: { column: 'Kind', equals: 'sale' },
            match: ['Customer', 'SKU'],
            quantity: 'Qty',
            fields: { orderId: 'Order', purchasedAt: 'Date' },
          },
        },
      }),
    ).not.toThrow();
  });
});
