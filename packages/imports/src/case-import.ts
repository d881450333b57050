import type { Ledger } from '@rma-ledger/application';
import { type CaseReaders, caseReaders, type JoinedRefunds, planCase } from './case-plan.js';
import { runPlan, StepRefused } from './case-steps.js';
import { ImportError } from './errors.js';
import { commandContext, type ImportOptions } from './import-options.js';
import { LedgerTarget } from './ledger-target.js';
import { type CasesSection, type ImportMapping, parseMapping } from './mapping.js';
import { PurchaseIndex } from './purchase-lookup.js';
import { type ImportSource, type OpenedSource, openSource } from './readers/table.js';
import { rowError } from './row-errors.js';
import { RowReader } from './rows.js';
import { compileSelection } from './selection.js';
import { skippedRow } from './skipped-row.js';
import { type ImportSummary, rowContent, SummaryBuilder } from './summary.js';

/**
 * Imports after-sales cases, one per row of the master sheet (or CSV), through the ledger's case
 * use cases: open, then the later steps the row records (decision, receipt and inspection, refunds
 * from the row and from joined refund sheets, closing). A row is validated whole against a scratch
 * copy of the ledger before its first write, so a row the domain refuses writes nothing; every step
 * carries an idempotency key derived from the row, so a re-run completes a row interrupted halfway
 * and a second import of the same file writes nothing.
 */
export async function importCases(
  ledger: Ledger,
  source: ImportSource,
  mappingJson: unknown,
  options: ImportOptions,
): Promise<ImportSummary> {
  const mapping = parseMapping(mappingJson);
  const section = mapping.cases;
  if (!section) throw new ImportError('LDG_IMPORT_MAPPING_INVALID', 'The mapping has no cases section');
  const dryRun = options.dryRun === true;
  const summary = new SummaryBuilder('cases', dryRun, options.maxErrors ?? 1000, options.onProgress);
  const opened = await openSource(source, mapping);
  const table = await opened.table(section.sheet);
  const reader = new RowReader(table, mapping);
  const fields: CaseReaders = caseReaders(reader, section.fields);
  const joined = await joinRefundSheets(opened, mapping, section, reader);
  const keyColumns = section.key?.map((column) => reader.columnIndex(column)) ?? null;
  const lookup = section.purchaseLookup ? new PurchaseIndex(reader, section.purchaseLookup) : null;
  const selection = compileSelection(reader, mapping, section, 'not a case row');
  const context = commandContext(options);
  const target = new LedgerTarget(ledger, dryRun, context, options.registerUnknownSkus, mapping.currency);
  await target.checkOptions();
  const occurrences = new Map<string, number>();

  try {
    for await (const { line, cells } of table.rows) {
      summary.read();
      lookup?.offer(cells);
      const location = { sheet: table.sheet, row: line };
      const reason = selection(cells);
      if (reason !== null) {
        summary.skip(reason);
        options.onSkip?.(reason, skippedRow(table, line, cells));
        continue;
      }
      // Identical rows are distinct cases: the n-th copy of a content gets its own identity.
      const content =
        keyColumns === null ? rowContent(cells) : rowContent(keyColumns.map((i) => cells[i] ?? null));
      const occurrence = (occurrences.get(content) ?? 0) + 1;
      occurrences.set(content, occurrence);
      try {
        const plan = planCase(
          reader,
          mapping,
          fields,
          cells,
          location,
          `cases\u0000${content}\u0000${occurrence}`,
          lookup,
          joined,
        );
        if (plan === null) {
          const notFound = section.purchaseLookup!.notFoundReason;
          summary.skip(notFound);
          options.onSkip?.(notFound, skippedRow(table, line, cells));
          continue;
        }
        const sku = plan.open.input.sku;
        const known = await target.ensureSku(sku, fields.skuName && reader.text(fields.skuName, cells));
        if (known === 'unknown') {
          summary.fail({
            ...location,
            column: fields.sku?.column ?? null,
            field: 'sku',
            code: 'LDG_SKU_NOT_FOUND',
            message: `SKU ${sku} is not registered`,
          });
          continue;
        }
        if (known === 'registered') summary.registeredSkus += 1;
        const scratch = await target.validationFor(sku, plan.open.input.channel);
        const validated = await runPlan(scratch, plan, context, null);
        target.countScratchCommands(validated.commands);
        if (dryRun) {
          summary.written += 1;
          continue;
        }
        const outcome = await runPlan(ledger, plan, context, `import:case:${plan.caseId}`);
        summary.commandsWritten += outcome.written;
        if (outcome.written > 0) summary.written += 1;
        else summary.unchanged += 1;
      } catch (error) {
        const refusal = error instanceof StepRefused ? error.error : rowError(error, location, fields);
        if (refusal === null) throw error;
        summary.fail(refusal);
      }
    }
  } finally {
    await target.close();
  }
  for (const join of joined) {
    const unjoined = [...join.rows.values()].reduce((count, rows) => count + rows.length, 0);
    if (unjoined > 0) summary.skip(`refund row of sheet '${join.sheet.sheet}' matches no case row`, unjoined);
  }
  return summary.build();
}

/**
 * Reads each refund sheet whole (XLSX is in memory anyway), by its join key. The first master row
 * with a key takes that key's refund rows, so the key should identify one case row.
 */
async function joinRefundSheets(
  opened: OpenedSource,
  mapping: ImportMapping,
  section: CasesSection,
  master: RowReader,
): Promise<JoinedRefunds[]> {
  const joined: JoinedRefunds[] = [];
  if (section.refundSheets.length > 0 && master.table.sheet === null) {
    throw new ImportError('LDG_IMPORT_MAPPING_INVALID', 'refundSheets need an XLSX workbook, not a CSV file');
  }
  for (const sheet of section.refundSheets) {
    const table = await opened.table(sheet.sheet);
    const reader = new RowReader(table, mapping);
    const keyColumn = reader.columnIndex(sheet.column);
    const rows = new Map<string, { line: number; cells: readonly (string | number | null)[] }[]>();
    for await (const row of table.rows) {
      const key = row.cells[keyColumn];
      if (key === null || key === undefined || String(key).trim() === '') continue;
      const list = rows.get(String(key).trim()) ?? [];
      list.push(row);
      rows.set(String(key).trim(), list);
    }
    joined.push({
      sheet,
      reader,
      masterKey: master.field('join', sheet.masterColumn)!,
      rows,
      fields: {
        amount: reader.field('refundAmount', sheet.fields.amount),
        requestedAt: reader.field('refundRequestedAt', sheet.fields.requestedAt),
        paidAt: reader.field('refundPaidAt', sheet.fields.paidAt),
        paymentRef: reader.field('paymentRef', sheet.fields.paymentRef),
      },
    });
  }
  return joined;
}
