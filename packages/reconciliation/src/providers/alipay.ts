import { readCurrency, readSignedMajorUnits } from '../amounts.js';
import { ReportError } from '../errors.js';
import { checkOffset, readInstant, type UtcOffset } from '../instants.js';
import { type CommonParseOptions, type ParsedReport, ReportCollector } from '../provider-row.js';
import { Columns } from '../text/columns.js';
import { type CsvRecord, isBlankRecord, parseCsv } from '../text/csv.js';
import { decodeReport } from '../text/decode.js';
import { isZip, readZip } from '../zip.js';

export interface AlipayParseOptions extends CommonParseOptions {
  /** The zone of 创建时间/完成时间. Default `+08:00` (China Standard Time). */
  readonly timeZone?: UtcOffset;
  /** The amount refunded to the buyer. Default `订单金额（元）`; `商家实收（元）` is what the merchant paid. */
  readonly amountColumn?: string;
  /** Default CNY: the business detail bill is kept in yuan. */
  readonly currency?: string;
}

const HEADER_FIRST = '支付宝交易号';
const DETAIL_ENTRY = /业务明细\.csv$/;
const SUMMARY_ENTRY = /汇总/;

/** The `…_业务明细.csv` entry of the downloaded zip; the `…(汇总).csv` summary beside it is not read. */
function detailEntry(bytes: Uint8Array): Uint8Array {
  if (!isZip(bytes)) return bytes;
  const entries = readZip(bytes);
  const entry = entries.find(
    ({ name }) => DETAIL_ENTRY.test(name.normalize('NFC')) && !SUMMARY_ENTRY.test(name),
  );
  if (!entry) {
    const names = entries.map(({ name }) => name).join(', ');
    throw new ReportError('LDG_REPORT_ARCHIVE', `No …_业务明细.csv entry in the archive (found: ${names})`);
  }
  return entry.bytes;
}

const isComment = (record: CsvRecord): boolean => (record.fields[0] ?? '').trim().startsWith('#');

/**
 * Alipay business detail bill (业务明细): `#` preamble lines, the column header, data rows until a
 * `#-----…业务明细列表结束` line, then `#` totals. Accepts the zip as downloaded or the CSV inside it.
 */
export function parseAlipayReport(bytes: Uint8Array, options: AlipayParseOptions = {}): ParsedReport {
  const timeZone = checkOffset(options.timeZone ?? '+08:00');
  const currency = readCurrency(options.currency ?? 'CNY', {});
  const amountColumn = options.amountColumn ?? '订单金额（元）';
  const { text, encoding } = decodeReport(detailEntry(bytes), options.encoding);
  const records = parseCsv(text).filter((record) => !isBlankRecord(record));
  const out = new ReportCollector();

  const headerIndex = records.findIndex((record) => (record.fields[0] ?? '').trim() === HEADER_FIRST);
  const header = records[headerIndex];
  if (!header)
    throw new ReportError('LDG_REPORT_MALFORMED', `No column header starting with '${HEADER_FIRST}'`);
  const columns = new Columns(header.fields, header.line);
  columns.require(HEADER_FIRST, '商户订单号', '业务类型', '创建时间', '退款批次号/请求号', amountColumn);
  for (const record of records.slice(0, headerIndex)) {
    if (!isComment(record)) out.skip('line before the column header');
  }

  const endIndex = records.findIndex((record, index) => index > headerIndex && isComment(record));
  if (endIndex === -1 || !(records[endIndex]?.fields[0] ?? '').includes('业务明细列表结束')) {
    out.warn('The bill has no 业务明细列表结束 line after its rows: it may be truncated');
  }

  for (const { fields, line } of records.slice(headerIndex + 1, endIndex === -1 ? undefined : endIndex)) {
    const kind = columns.get(fields, '业务类型');
    if (kind !== '退款') {
      out.skip(`not a refund: 业务类型=${kind}`);
      continue;
    }
    const requestId = columns.optional(fields, '退款批次号/请求号');
    if (requestId === null) {
      out.skip('退款 row without 退款批次号/请求号');
      out.warn(`Line ${line}: a 退款 row without 退款批次号/请求号 was left out`);
      continue;
    }
    const signed = readSignedMajorUnits(columns.required(fields, amountColumn, line), currency, {
      line,
      column: amountColumn,
    });
    if (signed >= 0) {
      out.skip('退款 row with a non-negative amount');
      out.warn(`Line ${line}: a 退款 row whose amount is not negative was left out`);
      continue;
    }
    const tradeNo = columns.required(fields, HEADER_FIRST, line);
    const completed = columns.get(fields, '完成时间');
    const dateColumn = completed === '' ? '创建时间' : '完成时间';
    out.add({
      provider: 'alipay',
      // The bill repeats the original trade number on refunds; the request id is unique within it.
      providerRefundId: `${tradeNo}/${requestId}`,
      originalPaymentId: tradeNo,
      orderId: columns.optional(fields, '商户订单号'),
      merchantRefundId: requestId,
      amount: -signed,
      currency,
      occurredAt: readInstant(columns.required(fields, dateColumn, line), timeZone, {
        line,
        column: dateColumn,
      }),
      status: 'succeeded',
      line,
    });
  }
  return out.result(encoding);
}
