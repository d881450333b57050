import { readCurrency, readSignedMinorUnits } from '../amounts.js';
import { ReportError } from '../errors.js';
import { readInstant } from '../instants.js';
import { type CommonParseOptions, type ParsedReport, ReportCollector } from '../provider-row.js';
import { Columns } from '../text/columns.js';
import { isBlankRecord, parseCsv } from '../text/csv.js';
import { decodeReport } from '../text/decode.js';

export type PayPalParseOptions = CommonParseOptions;

const REFUND_EVENT_CODE = 'T1107';
const FRAMING_ROWS = new Set(['RH', 'FH', 'SH', 'SF', 'RF', 'FF']);

/**
 * PayPal Settlement report (STL). Every line starts with its row type; data rows (`SB`) are read
 * by the names of the latest column header (`CH`), never by position, because the columns change
 * between report versions.
 */
export function parsePayPalReport(bytes: Uint8Array, options: PayPalParseOptions = {}): ParsedReport {
  const { text, encoding } = decodeReport(bytes, options.encoding);
  const out = new ReportCollector();
  let columns: Columns | null = null;
  let sectionRows = 0;
  let reportRows = 0;

  for (const { fields, line } of parseCsv(text)) {
    if (isBlankRecord({ fields, line })) continue;
    const type = (fields[0] ?? '').trim();
    if (type === 'CH') {
      columns = new Columns(fields, line);
      columns.require(
        'Transaction ID',
        'Transaction Event Code',
        'Transaction Debit or Credit',
        'Gross Transaction Amount',
        'Gross Transaction Currency',
        'Transaction Initiation Date',
      );
    } else if (type === 'SB') {
      if (columns === null) {
        throw new ReportError('LDG_REPORT_MALFORMED', 'A data row (SB) comes before any column header (CH)', {
          line,
        });
      }
      sectionRows += 1;
      reportRows += 1;
      readDataRow(columns, fields, line, out);
    } else if (type === 'SC' || type === 'RC') {
      const declared = Number((fields[1] ?? '').trim());
      const counted = type === 'SC' ? sectionRows : reportRows;
      if (declared !== counted) {
        out.warn(`Line ${line}: ${type} declares ${fields[1] ?? ''} data rows but ${counted} were read`);
      }
      if (type === 'SC') sectionRows = 0;
      else reportRows = 0;
    } else if (type === 'SH') {
      sectionRows = 0;
    } else if (!FRAMING_ROWS.has(type)) {
      out.skip(`unknown row type '${type}'`);
    }
  }
  if (columns === null) throw new ReportError('LDG_REPORT_MALFORMED', 'The report has no column header (CH)');
  return out.result(encoding);
}

function readDataRow(columns: Columns, fields: readonly string[], line: number, out: ReportCollector): void {
  const eventCode = columns.get(fields, 'Transaction Event Code');
  // Single codes only: T1105 (hold release) and T1201 (chargeback) sit in the same T11/T12 groups.
  if (eventCode !== REFUND_EVENT_CODE) {
    out.skip(`not a refund: event code ${eventCode}`);
    return;
  }
  const direction = columns.get(fields, 'Transaction Debit or Credit').toUpperCase();
  if (direction !== 'DR') {
    out.skip(`${REFUND_EVENT_CODE} that is not a debit`);
    out.warn(`Line ${line}: a ${REFUND_EVENT_CODE} refund marked '${direction}' instead of DR was left out`);
    return;
  }
  const currencyColumn = 'Gross Transaction Currency';
  const currency = readCurrency(columns.get(fields, currencyColumn), { line, column: currencyColumn });
  const amountColumn = 'Gross Transaction Amount';
  const amount = readSignedMinorUnits(columns.get(fields, amountColumn), { line, column: amountColumn });
  if (amount < 0) {
    throw new ReportError('LDG_REPORT_INVALID_VALUE', 'STL amounts are unsigned; the sign is DR/CR', {
      line,
      column: amountColumn,
    });
  }
  const completed = columns.get(fields, 'Transaction Completion Date');
  const dateColumn = completed === '' ? 'Transaction Initiation Date' : 'Transaction Completion Date';
  const isSaleReference = columns.get(fields, 'PayPal Reference ID Type').toUpperCase() === 'TXN';
  out.add({
    provider: 'paypal',
    providerRefundId: columns.required(fields, 'Transaction ID', line),
    originalPaymentId: isSaleReference ? columns.optional(fields, 'PayPal Reference ID') : null,
    orderId: columns.optional(fields, 'Invoice ID'),
    merchantRefundId: null,
    amount,
    currency,
    // STL dates always carry their offset (`2024/08/20 00:01:17 -0700`); 'Z' is never used.
    occurredAt: readInstant(columns.required(fields, dateColumn, line), 'Z', { line, column: dateColumn }),
    status: 'succeeded',
    line,
  });
}
