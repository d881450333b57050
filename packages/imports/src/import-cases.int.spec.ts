import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, type TestLedger, testLedger } from './fixtures/ledger.js';
import { buildXlsx } from './fixtures/xlsx.js';
import { ImportError, importCases, type MappingInput } from './index.js';

const HEADER =
  'Case;Order;Shop;Item;Qty;Price;Bought;Opened;Why;Wants;Customer;Name;Email;Status;Decided;Received;Grade;Refund;Refunded on;Ref;Closed';

/** A merchant's sheet: semicolons, decimal commas, day-first dates in Berlin time, German words. */
const MAPPING: MappingInput = {
  version: 1,
  format: 'csv',
  csv: { delimiter: ';', encoding: 'auto' },
  dates: { format: 'DD.MM.YYYY HH:mm', timeZone: 'Europe/Berlin' },
  numbers: { decimalSeparator: ',', thousandsSeparator: '.' },
  currency: 'GBP',
  cases: {
    fields: {
      caseId: 'Case',
      orderId: 'Order',
      channel: 'Shop',
      sku: 'Item',
      quantity: 'Qty',
      unitPrice: 'Price',
      purchasedAt: 'Bought',
      openedAt: 'Opened',
      reason: 'Why',
      resolution: {
        column: 'Wants',
        map: { Erstattung: 'refund', Umtausch: 'exchange', Reparatur: 'repair' },
      },
      customerId: 'Customer',
      customerName: 'Name',
      customerEmail: 'Email',
      decision: { column: 'Status', map: { genehmigt: 'approved', abgelehnt: 'rejected' } },
      decidedAt: 'Decided',
      receivedAt: 'Received',
      grade: { column: 'Grade', map: { 'wie neu': 'resellable', defekt: 'defective' } },
      refundAmount: 'Refund',
      refundPaidAt: 'Refunded on',
      paymentRef: 'Ref',
      closedAt: 'Closed',
    },
  },
};

const ROWS = [
  // 2: every step, refunded and closed
  'R-1;O-1;web;KETTLE-1;1;1.234,50;01.03.2026 10:00;05.03.2026 09:30;broken lid;Erstattung;c-1;Ann Lee;ann@example.com;genehmigt;05.03.2026 10:00;07.03.2026 11:00;wie neu;1.234,50;08.03.2026 12:00;PAY-1;08.03.2026 12:05',
  // 3: an unreadable quantity
  'R-2;O-2;web;KETTLE-1;zwei;10,00;01.03.2026 10:00;05.03.2026 09:30;late;Erstattung;c-2;Bo Chen;;;;;;;;;',
  // 4: refund larger than the line: the domain refuses the refund step, so nothing of the row is written
  'R-3;O-3;web;MUG-2;1;10,00;01.03.2026 10:00;05.03.2026 09:30;chipped;Erstattung;c-3;Cy Diaz;;genehmigt;05.03.2026 10:00;;;25,00;06.03.2026 10:00;PAY-3;',
  // 5: a SKU the catalogue does not know
  'R-4;O-4;web;TOASTER-9;1;10,00;01.03.2026 10:00;05.03.2026 09:30;noisy;Umtausch;c-4;Di Eze;;;;;;;;;',
  // 6: only opened (an exchange still waiting for a decision)
  'R-5;O-5;web;MUG-2;2;4,00;02.03.2026 10:00;06.03.2026 09:30;wrong colour;Umtausch;c-5;Ed Fox;;;;;;;;;',
];
const FILE = [HEADER, ...ROWS].join('\r\n');
const cs = { actor: 'user:import' };

describe('importing cases from a CSV sheet', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await testLedger();
  });
  afterEach(() => t.close());

  const caseEvents = async (caseId: string) => (await t.ledger.cases.history(caseId)).map((e) => e.type);

  it('runs every step of a row through the ledger at the dates of the sheet, converted from its zone', async () => {
    const summary = await importCases(t.ledger, bytes(FILE), MAPPING, cs);

    expect(summary).toMatchObject({ rows: 5, imported: 2, written: 2, unchanged: 0, failed: 3 });
    expect(await caseEvents('R-1')).toEqual([
      'CaseOpened',
      'CaseApproved',
      'CustomerPromiseSet',
      'ItemReceived',
      'ItemInspected',
      'RefundRequested',
      'RefundApproved',
      'RefundPaid',
      'CaseClosed',
    ]);
    const view = await t.ledger.cases.get('R-1');
    expect(view.state.opened).toMatchObject({
      unitPrice: { amount: 123_450, currency: 'GBP' },
      purchasedAt: '2026-03-01T09:00:00.000Z',
      occurredAt: '2026-03-05T08:30:00.000Z',
    });
    expect(view.customer?.personalData).toEqual({
      status: 'available',
      data: { name: 'Ann Lee', email: 'ann@example.com' },
    });
    const history = await t.ledger.cases.history('R-1');
    expect((history.at(-1)!.data as { occurredAt: string }).occurredAt).toBe('2026-03-08T11:05:00.000Z');
    expect(history.every((e) => e.metadata.actor === 'user:import')).toBe(true);
    expect(await caseEvents('R-5')).toEqual(['CaseOpened']);
    // The unit received on R-1 entered RMA custody through the process manager.
    expect((await t.ledger.units.history('R-1-u1')).map((e) => e.type)).toEqual([
      'UnitEnteredCustody',
      'UnitGraded',
    ]);
  });

  it('reports each refused row with its line, column and code, and writes nothing for it', async () => {
    const summary = await importCases(t.ledger, bytes(FILE), MAPPING, cs);

    expect(summary.errors).toEqual([
      expect.objectContaining({ row: 3, column: 'Qty', field: 'quantity', code: 'LDG_IMPORT_VALUE_INVALID' }),
      expect.objectContaining({
        row: 4,
        column: 'Refund',
        field: 'refundAmount',
        code: 'LDG_REFUND_EXCEEDS_PAID',
      }),
      expect.objectContaining({ row: 5, column: 'Item', field: 'sku', code: 'LDG_SKU_NOT_FOUND' }),
    ]);
    const streams = new Set((await t.events()).map((e) => e.streamName));
    expect([...streams].filter((name) => name.startsWith('case-')).sort()).toEqual(['case-R-1', 'case-R-5']);
  });

  it('writes nothing in a dry run but reports the same outcome', async () => {
    const before = (await t.events()).length;

    const summary = await importCases(t.ledger, bytes(FILE), MAPPING, { ...cs, dryRun: true });

    expect(summary).toMatchObject({ dryRun: true, rows: 5, imported: 2, failed: 3, commandsWritten: 0 });
    expect(summary.errors.map((e) => [e.row, e.code])).toEqual([
      [3, 'LDG_IMPORT_VALUE_INVALID'],
      [4, 'LDG_REFUND_EXCEEDS_PAID'],
      [5, 'LDG_SKU_NOT_FOUND'],
    ]);
    expect((await t.events()).length).toBe(before);
  });

  it('writes nothing the second time the same file is imported', async () => {
    await importCases(t.ledger, bytes(FILE), MAPPING, cs);
    const before = (await t.events()).length;

    const again = await importCases(t.ledger, bytes(FILE), MAPPING, cs);

    expect(again).toMatchObject({ imported: 2, written: 0, unchanged: 2, failed: 3, commandsWritten: 0 });
    expect((await t.events()).length).toBe(before);
  });

  it('refuses a row imported before with different content instead of writing it twice', async () => {
    await importCases(t.ledger, bytes(FILE), MAPPING, cs);
    const changed = FILE.replace('wrong colour', 'wrong size');

    const again = await importCases(t.ledger, bytes(changed), MAPPING, cs);

    expect(again).toMatchObject({ written: 0, unchanged: 1, failed: 4 });
    expect(again.errors.at(-1)).toMatchObject({ row: 6, code: 'LDG_IDEMPOTENCY_KEY_REUSED' });
    expect((await t.ledger.cases.get('R-5')).state.opened?.reason).toBe('wrong colour');
  });

  it('completes a row that was only partly written, without repeating its first steps', async () => {
    const withoutClosing = structuredClone(MAPPING) as MappingInput & {
      cases: { fields: Record<string, unknown> };
    };
    delete withoutClosing.cases.fields.closedAt;
    await importCases(t.ledger, bytes([HEADER, ROWS[0]].join('\n')), withoutClosing, cs);
    expect(await caseEvents('R-1')).not.toContain('CaseClosed');

    const summary = await importCases(t.ledger, bytes([HEADER, ROWS[0]].join('\n')), MAPPING, cs);

    expect(summary).toMatchObject({ written: 1, commandsWritten: 1 });
    const types = await caseEvents('R-1');
    expect(types.filter((type) => type === 'CaseOpened')).toHaveLength(1);
    expect(types.at(-1)).toBe('CaseClosed');
  });

  it('registers unknown SKUs under the named vendor and PM when asked', async () => {
    const summary = await importCases(t.ledger, bytes(FILE), MAPPING, {
      ...cs,
      registerUnknownSkus: { vendorId: 'acme', pmId: 'pm-new' },
    });

    expect(summary).toMatchObject({ imported: 3, failed: 2, registeredSkus: 1 });
    expect((await t.ledger.cases.get('R-4')).state.opened).toMatchObject({
      vendorId: 'acme',
      pmId: 'pm-new',
    });
  });

  it('refuses to start when registerUnknownSkus names a vendor that does not exist', async () => {
    await expect(
      importCases(t.ledger, bytes(FILE), MAPPING, {
        ...cs,
        registerUnknownSkus: { vendorId: 'nobody', pmId: 'pm' },
      }),
    ).rejects.toMatchObject({ code: 'LDG_IMPORT_VENDOR_NOT_FOUND' });
  });

  it('refuses to start when a mapped column is not in the header', async () => {
    const error = await importCases(t.ledger, bytes(FILE.replace('Qty', 'Quantity')), MAPPING, cs).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ImportError);
    expect(error).toMatchObject({ code: 'LDG_IMPORT_COLUMN_MISSING' });
    expect((await t.events()).filter((e) => e.streamName.startsWith('case-'))).toEqual([]);
  });
});

describe('importing cases from an XLSX workbook with a refunds sheet', () => {
  let t: TestLedger;
  beforeEach(async () => {
    t = await testLedger();
  });
  afterEach(() => t.close());

  // Excel date serials (1900 system): 46082 = 2026-03-01, 46086.5 = 2026-03-05 12:00.
  const workbook = buildXlsx([
    { name: 'Notes', rows: [['exported by ShopSheet']] },
    {
      name: 'Cases',
      rows: [
        ['Case', 'Order', 'SKU', 'Qty', 'Price', 'Bought', 'Opened', 'Reason', 'Customer', 'Name'],
        ['X-1', 'O-10', 'KETTLE-1', 2, 19.9, 46082, 46086.5, 'leaks', 'c-10', 'Fay Gu'],
        ['X-2', 'O-11', 'MUG-2', 1, 5, 46082, 46086.5, 'cracked', 'c-11', 'Gil Ho'],
      ],
    },
    {
      name: 'Refunds',
      rows: [
        ['Order ID', 'Amount', 'Paid on', 'Reference'],
        ['O-10', 10, 46087, 'PAY-A'],
        ['O-10', 9.8, 46088.25, 'PAY-B'],
        ['O-99', 1, 46088, 'PAY-C'],
      ],
    },
  ]);
  const mapping: MappingInput = {
    version: 1,
    currency: 'GBP',
    dates: { format: 'ISO', timeZone: 'UTC' },
    cases: {
      sheet: 'Cases',
      fields: {
        caseId: 'Case',
        orderId: 'Order',
        channel: { value: 'web' },
        sku: 'SKU',
        quantity: 'Qty',
        unitPrice: 'Price',
        purchasedAt: 'Bought',
        openedAt: 'Opened',
        reason: 'Reason',
        resolution: { value: 'refund' },
        customerId: 'Customer',
        customerName: 'Name',
        decision: { value: 'approved' },
      },
      refundSheets: [
        {
          sheet: 'Refunds',
          masterColumn: 'Order',
          column: 'Order ID',
          fields: { amount: 'Amount', paidAt: 'Paid on', paymentRef: 'Reference' },
        },
      ],
    },
  };

  it('joins the refunds sheet to the master sheet by order and pays each refund at its date', async () => {
    const summary = await importCases(t.ledger, workbook, mapping, cs);

    expect(summary).toMatchObject({ rows: 2, imported: 2, failed: 0 });
    expect(summary.skipped).toEqual({ "refund row of sheet 'Refunds' matches no case row": 1 });
    const paid = (await t.ledger.cases.history('X-1'))
      .filter((e) => e.type === 'RefundPaid')
      .map((e) => e.data);
    expect(paid).toEqual([
      expect.objectContaining({
        amount: { amount: 1000, currency: 'GBP' },
        paymentRef: 'PAY-A',
        occurredAt: '2026-03-06T00:00:00.000Z',
      }),
      expect.objectContaining({
        amount: { amount: 980, currency: 'GBP' },
        paymentRef: 'PAY-B',
        occurredAt: '2026-03-07T06:00:00.000Z',
      }),
    ]);
    expect((await t.ledger.cases.get('X-1')).state.opened).toMatchObject({
      quantity: 2,
      unitPrice: { amount: 1990, currency: 'GBP' },
      purchasedAt: '2026-03-01T00:00:00.000Z',
      occurredAt: '2026-03-05T12:00:00.000Z',
    });
    expect((await t.ledger.cases.history('X-2')).map((e) => e.type)).toEqual([
      'CaseOpened',
      'CaseApproved',
      'CustomerPromiseSet',
    ]);
  });

  it('names the sheet of a refused refund row', async () => {
    const tooMuch = buildXlsx([
      {
        name: 'Cases',
        rows: [mappingHeader(), ['X-1', 'O-10', 'KETTLE-1', 1, 5, 46082, 46086.5, 'leaks', 'c-10', 'Fay Gu']],
      },
      {
        name: 'Refunds',
        rows: [
          ['Order ID', 'Amount', 'Paid on', 'Reference'],
          ['O-10', 50, 46087, 'PAY-A'],
        ],
      },
    ]);

    const summary = await importCases(t.ledger, tooMuch, mapping, cs);

    expect(summary.errors).toEqual([
      expect.objectContaining({
        sheet: 'Refunds',
        row: 2,
        column: 'Amount',
        code: 'LDG_REFUND_EXCEEDS_PAID',
      }),
    ]);
    await expect(t.ledger.cases.get('X-1')).rejects.toMatchObject({ code: 'LDG_CASE_NOT_FOUND' });
  });
});

function mappingHeader() {
  return ['Case', 'Order', 'SKU', 'Qty', 'Price', 'Bought', 'Opened', 'Reason', 'Customer', 'Name'];
}
