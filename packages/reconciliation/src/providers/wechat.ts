import { readCurrency, readSignedMajorUnits } from '../amounts.js';
import { ReportError } from '../errors.js';
import { checkOffset, readInstant, type UtcOffset } from '../instants.js';
import {
  type CommonParseOptions,
  type ParsedReport,
  type ProviderRefundStatus,
  ReportCollector,
} from '../provider-row.js';
import { Columns } from '../text/columns.js';
import { isBlankRecord, parseCsv } from '../text/csv.js';
import { decodeReport } from '../text/decode.js';

export interface WeChatParseOptions extends CommonParseOptions {
  /** The zone of 交易时间. Default `+08:00` (China Standard Time, the bill's zone). */
  readonly timeZone?: UtcOffset;
}

const DETAIL_HEADER_FIRST = '交易时间';
const SUMMARY_HEADER_FIRST = '总交易单数';

const REFUND_STATUSES: Readonly<Record<string, ProviderRefundStatus>> = {
  SUCCESS: 'succeeded',
  PROCESSING: 'pending',
  REFUNDCLOSE: 'failed',
  CHANGE: 'failed',
  // The v3 API's names for the same two outcomes.
  CLOSED: 'failed',
  ABNORMAL: 'failed',
};

/** Every value of a WeChat Pay bill is prefixed with a backtick so spreadsheets keep it as text. */
function stripBacktick(field: string): string {
  const trimmed = field.trim();
  return trimmed.startsWith('`') ? trimmed.slice(1).trim() : trimmed;
}

/** WeChat Pay trade bill (交易账单, `ALL`): detail header, detail rows, summary header, summary row. */
export function parseWeChatReport(bytes: Uint8Array, options: WeChatParseOptions = {}): ParsedReport {
  const timeZone = checkOffset(options.timeZone ?? '+08:00');
  const { text, encoding } = decodeReport(bytes, options.encoding);
  const records = parseCsv(text)
    .filter((record) => !isBlankRecord(record))
    .map(({ fields, line }) => ({ fields: fields.map(stripBacktick), line }));
  const headerIndex = records.findIndex((record) => record.fields[0] === DETAIL_HEADER_FIRST);
  const header = records[headerIndex];
  if (!header) {
    throw new ReportError('LDG_REPORT_MALFORMED', `No detail header starting with '${DETAIL_HEADER_FIRST}'`);
  }
  const columns = new Columns(header.fields, header.line);
  columns.require(
    '交易时间',
    '交易状态',
    '微信订单号',
    '商户订单号',
    '微信退款单号',
    '商户退款单号',
    '退款金额',
    '退款状态',
  );
  const out = new ReportCollector();
  for (let index = 0; index < headerIndex; index += 1) out.skip('line before the detail header');

  const summaryIndex = records.findIndex(
    (record, index) => index > headerIndex && record.fields[0] === SUMMARY_HEADER_FIRST,
  );
  const details = records.slice(headerIndex + 1, summaryIndex === -1 ? undefined : summaryIndex);
  if (summaryIndex === -1) {
    out.warn('The bill has no summary (总交易单数) section: it may be truncated');
  } else {
    const declared = Number(records[summaryIndex + 1]?.fields[0] ?? Number.NaN);
    if (declared !== details.length) {
      out.warn(`The summary declares ${declared} trades but the bill lists ${details.length}`);
    }
  }

  for (const { fields, line } of details) {
    const state = columns.get(fields, '交易状态');
    if (state === 'REVOKED') {
      out.skip('reversal, not a refund: 交易状态=REVOKED');
      continue;
    }
    if (state !== 'REFUND') {
      out.skip(`not a refund: 交易状态=${state}`);
      continue;
    }
    const merchantRefundId = columns.optional(fields, '商户退款单号');
    if (merchantRefundId === null) {
      out.skip('REFUND row without 商户退款单号');
      out.warn(`Line ${line}: a REFUND row without 商户退款单号 was left out`);
      continue;
    }
    const currencyText = columns.get(fields, '货币种类');
    const currency = currencyText === '' ? 'CNY' : readCurrency(currencyText, { line, column: '货币种类' });
    const refundState = columns.get(fields, '退款状态');
    const status = REFUND_STATUSES[refundState];
    if (status === undefined) out.warn(`Line ${line}: unknown 退款状态 '${refundState}' read as pending`);
    out.add({
      provider: 'wechat',
      providerRefundId: columns.required(fields, '微信退款单号', line),
      originalPaymentId: columns.optional(fields, '微信订单号'),
      orderId: columns.optional(fields, '商户订单号'),
      merchantRefundId,
      amount: readSignedMajorUnits(columns.required(fields, '退款金额', line), currency, {
        line,
        column: '退款金额',
      }),
      currency,
      occurredAt: readInstant(columns.required(fields, '交易时间', line), timeZone, {
        line,
        column: '交易时间',
      }),
      status: status ?? 'pending',
      line,
    });
  }
  return out.result(encoding);
}
