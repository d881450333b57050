import { z } from 'zod';
import { readCurrency, readSignedMajorUnits, readSignedMinorUnits } from '../amounts.js';
import { ReportError } from '../errors.js';
import { checkOffset, readInstant } from '../instants.js';
import {
  type CommonParseOptions,
  type ParsedReport,
  type ProviderRefundStatus,
  ReportCollector,
} from '../provider-row.js';
import { Columns } from '../text/columns.js';
import { isBlankRecord, parseCsv } from '../text/csv.js';
import { decodeReport } from '../text/decode.js';

const columnName = z.string().trim().min(1);

/** Which header names hold what, and how amounts are written. Validated, so the service can take it as JSON. */
export const csvColumnMappingSchema = z
  .object({
    refundId: columnName,
    amount: columnName,
    occurredAt: columnName,
    /** The currency column; or `fixedCurrency` when the file has none. */
    currency: columnName.optional(),
    fixedCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    /** The merchant's refund request id or payment reference, matched with the ledger's paymentRef. */
    reference: columnName.optional(),
    orderId: columnName.optional(),
    originalPaymentId: columnName.optional(),
    /** Without it every row is `succeeded`. */
    status: columnName.optional(),
    amountUnit: z.enum(['major', 'minor']).default('major'),
    /** `refund-positive`: a refund is written as a positive amount; rows of the other sign are skipped. */
    sign: z.enum(['refund-positive', 'refund-negative']).default('refund-positive'),
    /** The offset of date-times written without one. */
    timeZone: z
      .string()
      .regex(/^(?:Z|[+-]\d{2}:?\d{2})$/)
      .default('Z'),
    delimiter: z.string().length(1).default(','),
    /** Keep only rows whose `column` holds one of `values` (for files mixing payments and refunds). */
    rowFilter: z.object({ column: columnName, values: z.array(z.string()).min(1) }).optional(),
  })
  .strict()
  .refine((mapping) => (mapping.currency === undefined) !== (mapping.fixedCurrency === undefined), {
    message: 'Give exactly one of currency (a column) and fixedCurrency',
    path: ['currency'],
  });

export type CsvColumnMapping = z.input<typeof csvColumnMappingSchema>;

export interface GenericCsvParseOptions extends CommonParseOptions {
  readonly mapping: CsvColumnMapping;
}

const STATUS_WORDS: Readonly<Record<string, ProviderRefundStatus>> = {
  succeeded: 'succeeded',
  success: 'succeeded',
  successful: 'succeeded',
  completed: 'succeeded',
  complete: 'succeeded',
  paid: 'succeeded',
  settled: 'succeeded',
  refunded: 'succeeded',
  pending: 'pending',
  processing: 'pending',
  in_progress: 'pending',
  'in progress': 'pending',
  failed: 'failed',
  failure: 'failed',
  declined: 'failed',
  rejected: 'failed',
  cancelled: 'failed',
  canceled: 'failed',
};

/** Any CSV with refunds, read through a column mapping. */
export function parseGenericCsvReport(bytes: Uint8Array, options: GenericCsvParseOptions): ParsedReport {
  const mapping = csvColumnMappingSchema.parse(options.mapping);
  const timeZone = checkOffset(mapping.timeZone);
  const { text, encoding } = decodeReport(bytes, options.encoding);
  const records = parseCsv(text, { delimiter: mapping.delimiter }).filter((record) => !isBlankRecord(record));
  const header = records[0];
  if (!header) throw new ReportError('LDG_REPORT_MALFORMED', 'The CSV is empty');
  const columns = new Columns(header.fields, header.line);
  const mapped = [
    mapping.refundId,
    mapping.amount,
    mapping.occurredAt,
    mapping.currency,
    mapping.reference,
    mapping.orderId,
    mapping.originalPaymentId,
    mapping.status,
    mapping.rowFilter?.column,
  ];
  columns.require(...mapped.filter((name) => name !== undefined));
  const out = new ReportCollector();
  const unknownStatuses = new Set<string>();

  for (const { fields, line } of records.slice(1)) {
    if (
      mapping.rowFilter &&
      !mapping.rowFilter.values.includes(columns.get(fields, mapping.rowFilter.column))
    ) {
      out.skip(`${mapping.rowFilter.column} not in the row filter`);
      continue;
    }
    const currency =
      mapping.fixedCurrency ??
      readCurrency(columns.get(fields, mapping.currency ?? ''), { line, column: mapping.currency });
    const amountText = columns.required(fields, mapping.amount, line);
    const location = { line, column: mapping.amount };
    const signed =
      mapping.amountUnit === 'major'
        ? readSignedMajorUnits(amountText, currency, location)
        : readSignedMinorUnits(amountText, location);
    const amount = mapping.sign === 'refund-positive' ? signed : -signed;
    if (amount <= 0) {
      out.skip(amount === 0 ? 'zero amount' : 'amount of the non-refund sign');
      continue;
    }
    let status: ProviderRefundStatus = 'succeeded';
    if (mapping.status !== undefined) {
      const word = columns.get(fields, mapping.status);
      const known = STATUS_WORDS[word.toLowerCase()];
      if (known === undefined) unknownStatuses.add(word);
      status = known ?? 'pending';
    }
    const optional = (name: string | undefined): string | null =>
      name === undefined ? null : columns.optional(fields, name);
    out.add({
      provider: 'csv',
      providerRefundId: columns.required(fields, mapping.refundId, line),
      originalPaymentId: optional(mapping.originalPaymentId),
      orderId: optional(mapping.orderId),
      merchantRefundId: optional(mapping.reference),
      amount,
      currency,
      occurredAt: readInstant(columns.required(fields, mapping.occurredAt, line), timeZone, {
        line,
        column: mapping.occurredAt,
      }),
      status,
      line,
    });
  }
  for (const word of unknownStatuses) out.warn(`Unknown status '${word}' read as pending`);
  return out.result(encoding);
}
