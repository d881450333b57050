import type { ParsedReport } from '../provider-row.js';
import { type AlipayParseOptions, parseAlipayReport } from './alipay.js';
import { type GenericCsvParseOptions, parseGenericCsvReport } from './generic-csv.js';
import { type PayPalParseOptions, parsePayPalReport } from './paypal.js';
import { parseStripeReport, type StripeParseOptions } from './stripe.js';
import { parseWeChatReport, type WeChatParseOptions } from './wechat.js';

/** What the service and the CLI pass on from a request: the provider name and its options. */
export type ReportSource =
  | ({ readonly provider: 'stripe' } & StripeParseOptions)
  | ({ readonly provider: 'paypal' } & PayPalParseOptions)
  | ({ readonly provider: 'wechat' } & WeChatParseOptions)
  | ({ readonly provider: 'alipay' } & AlipayParseOptions)
  | ({ readonly provider: 'csv' } & GenericCsvParseOptions);

export function parseReport(bytes: Uint8Array, source: ReportSource): ParsedReport {
  switch (source.provider) {
    case 'stripe':
      return parseStripeReport(bytes, source);
    case 'paypal':
      return parsePayPalReport(bytes, source);
    case 'wechat':
      return parseWeChatReport(bytes, source);
    case 'alipay':
      return parseAlipayReport(bytes, source);
    case 'csv':
      return parseGenericCsvReport(bytes, source);
  }
}
