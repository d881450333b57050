export * from './errors.js';
export { reportSha256 } from './fingerprint.js';
export {
  type CommonParseOptions,
  type ParsedReport,
  PROVIDERS,
  type Provider,
  type ProviderRefundRow,
  type ProviderRefundStatus,
  type SkippedRows,
} from './provider-row.js';
export { type AlipayParseOptions, parseAlipayReport } from './providers/alipay.js';
export {
  type CsvColumnMapping,
  csvColumnMappingSchema,
  type GenericCsvParseOptions,
  parseGenericCsvReport,
} from './providers/generic-csv.js';
export { parseReport, type ReportSource } from './providers/parse-report.js';
export { type PayPalParseOptions, parsePayPalReport } from './providers/paypal.js';
export { parseStripeReport, type StripeParseOptions } from './providers/stripe.js';
export { parseWeChatReport, type WeChatParseOptions } from './providers/wechat.js';
export * from './reconcile.js';
export { RESULT_CSV_COLUMNS, writeResultCsv } from './result-csv.js';
export { type CsvRecord, parseCsv } from './text/csv.js';
export { type DecodedText, decodeReport, type ReportEncoding } from './text/decode.js';
export { readZip, type ZipEntry } from './zip.js';
