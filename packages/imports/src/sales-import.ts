import { createHash, type Hash } from 'node:crypto';
import type { Ledger } from '@rma-ledger/application';
import { CellError, ImportError } from './errors.js';
import { commandContext, type ImportOptions } from './import-options.js';
import { LedgerTarget } from './ledger-target.js';
import { parseMapping } from './mapping.js';
import { type ImportSource, openSource } from './readers/table.js';
import { type RowLocation, rowError } from './row-errors.js';
import { RowReader } from './rows.js';
import { compileSelection } from './selection.js';
import { skippedRow } from './skipped-row.js';
import { type ImportSummary, rowContent, SummaryBuilder } from './summary.js';

interface Bucket {
  readonly sku: string;
  readonly day: string;
  quantity: number;
  latest: number;
  readonly hash: Hash;
  readonly rows: number[];
}

/**
 * Imports sales lines as `SalesRecorded` per SKU and day: lines are summed per SKU and calendar day
 * (in the mapping's zone), each sum recorded at the time of the day's last line. A month's sums are
 * written once the file reaches a later month, one `recordSalesDays` call (one decision, one append)
 * per SKU and month, so memory holds about one month of SKU-days and the ledger sees one command per
 * SKU and month instead of one per day. The file must be in chronological order by month (exports
 * are). The idempotency key of a call covers its SKU, month and the content of every line in it, so
 * a second import of the same file writes nothing.
 */
export async function importSales(
  ledger: Ledger,
  source: ImportSource,
  mappingJson: unknown,
  options: ImportOptions,
): Promise<ImportSummary> {
  const mapping = parseMapping(mappingJson);
  const section = mapping.sales;
  if (!section) throw new ImportError('LDG_IMPORT_MAPPING_INVALID', 'The mapping has no sales section');
  const dryRun = options.dryRun === true;
  const summary = new SummaryBuilder('sales', dryRun, options.maxErrors ?? 1000, options.onProgress);
  const table = await (await openSource(source, mapping)).table(section.sheet);
  const reader = new RowReader(table, mapping);
  const fields = {
    sku: reader.field('sku', section.fields.sku)!,
    quantity: reader.field('quantity', section.fields.quantity)!,
    soldAt: reader.field('soldAt', section.fields.soldAt)!,
    skuName: reader.field('skuName', section.fields.skuName),
  };
  // The command fields an error may name, and the mapping field that fed each.
  const origins = {
    sku: fields.sku,
    quantity: fields.quantity,
    soldAt: fields.soldAt,
    soldOn: fields.soldAt,
    occurredAt: fields.soldAt,
  };
  const selection = compileSelection(reader, mapping, section, 'not a sales line');
  const context = commandContext(options);
  const target = new LedgerTarget(ledger, dryRun, context, options.registerUnknownSkus, mapping.currency);
  await target.checkOptions();

  const buckets = new Map<string, Bucket>();
  let lastMonth = '';
  const location = (row: number): RowLocation => ({ sheet: table.sheet, row });

  /** One SKU's days of one month: one decision and one append. */
  const write = async (days: Bucket[]): Promise<void> => {
    const sku = days[0]!.sku;
    const input = {
      days: days.map((bucket) => ({
        quantity: bucket.quantity,
        soldOn: bucket.day,
        occurredAt: new Date(bucket.latest).toISOString(),
      })),
    };
    const rows = days.flatMap((bucket) => bucket.rows);
    try {
      if (dryRun) {
        const scratch = await target.validationFor(sku, null);
        await scratch.catalogue.recordSalesDays(sku, input, context);
        target.countScratchCommands(1);
        summary.written += rows.length;
        return;
      }
      const content = createHash('sha256');
      for (const bucket of days) content.update(`${bucket.day}:${bucket.hash.digest('hex')}\n`);
      const idempotencyKey = `import:sales:${sku}:${days[0]!.day.slice(0, 7)}:${content.digest('hex').slice(0, 32)}`;
      const result = await ledger.catalogue.recordSalesDays(sku, input, { ...context, idempotencyKey });
      if (result.deduplicated) summary.unchanged += rows.length;
      else {
        summary.written += rows.length;
        summary.commandsWritten += 1;
      }
    } catch (error) {
      for (const row of rows) {
        const refusal = rowError(error, location(row), origins);
        if (refusal === null) throw error;
        summary.fail(refusal);
      }
    }
  };

  /** Writes the sums of every month before `month` (all when null), per SKU and month, days in order. */
  const flushBefore = async (month: string | null): Promise<void> => {
    const groups = new Map<string, Bucket[]>();
    for (const [key, bucket] of buckets) {
      if (month !== null && bucket.day.slice(0, 7) >= month) continue;
      buckets.delete(key);
      const group = `${bucket.sku}\u0000${bucket.day.slice(0, 7)}`;
      groups.set(group, [...(groups.get(group) ?? []), bucket]);
    }
    for (const days of groups.values()) {
      days.sort((a, b) => (a.day === b.day ? a.latest - b.latest : a.day < b.day ? -1 : 1));
      await write(days);
    }
  };

  try {
    for await (const { line, cells } of table.rows) {
      summary.read();
      const reason = selection(cells);
      if (reason !== null) {
        summary.skip(reason);
        options.onSkip?.(reason, skippedRow(table, line, cells));
        continue;
      }
      try {
        const sku = reader.requiredText(fields.sku, cells);
        const quantity = reader.integer(fields.quantity, cells);
        if (quantity <= 0) {
          throw new CellError('LDG_IMPORT_VALUE_INVALID', 'quantity', `quantity ${quantity} is not positive`);
        }
        const soldAt = reader.instant(fields.soldAt, cells);
        const known = await target.ensureSku(sku, fields.skuName && reader.text(fields.skuName, cells));
        if (known === 'unknown') {
          summary.fail({
            ...location(line),
            column: fields.sku.column,
            field: 'sku',
            code: 'LDG_SKU_NOT_FOUND',
            message: `SKU ${sku} is not registered`,
          });
          continue;
        }
        if (known === 'registered') summary.registeredSkus += 1;
        const day = reader.zone.localDay(soldAt);
        const month = day.slice(0, 7);
        if (month > lastMonth) {
          await flushBefore(month);
          lastMonth = month;
        }
        const key = `${sku}\u0000${day}`;
        let bucket = buckets.get(key);
        if (!bucket) {
          bucket = { sku, day, quantity: 0, latest: soldAt, hash: createHash('sha256'), rows: [] };
          buckets.set(key, bucket);
        }
        bucket.quantity += quantity;
        bucket.latest = Math.max(bucket.latest, soldAt);
        bucket.hash.update(`${rowContent(cells)}\n`);
        bucket.rows.push(line);
      } catch (error) {
        const refusal = rowError(error, location(line), origins);
        if (refusal === null) throw error;
        summary.fail(refusal);
      }
    }
    await flushBefore(null);
  } finally {
    await target.close();
  }
  return summary.build();
}
