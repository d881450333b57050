import { readCurrency, readSignedMajorUnits } from '../amounts.js';
import { ReportError } from '../errors.js';
import { readInstant } from '../instants.js';
import {
  type CommonParseOptions,
  type ParsedReport,
  type ProviderRefundRow,
  ReportCollector,
} from '../provider-row.js';
import { Columns } from '../text/columns.js';
import { isBlankRecord, parseCsv } from '../text/csv.js';
import { decodeReport } from '../text/decode.js';

export interface StripeParseOptions extends CommonParseOptions {
  /** The metadata column carrying the merchant's order id. Default `payment_metadata[order_id]`. */
  readonly orderIdColumn?: string;
}

/**
 * Stripe's reporting categories that are known not to be refunds. Any other category except
 * `refund` is skipped too, but also named in a warning so that a new Stripe category gets looked at.
 */
const NOT_REFUNDS = new Set([
  'advance',
  'advance_funding',
  'anticipation_repayment',
  'charge',
  'charge_failure',
  'climate_order_purchase',
  'climate_order_refund',
  'connect_collection_transfer',
  'connect_reserved_funds',
  'contribution',
  'dispute',
  'dispute_reversal',
  'fee',
  'financing_paydown',
  'financing_paydown_reversal',
  'financing_payout',
  'financing_payout_reversal',
  'issuing_authorization_hold',
  'issuing_authorization_release',
  'issuing_dispute',
  'issuing_transaction',
  'network_cost',
  'obligation',
  'other_adjustment',
  'partial_capture_reversal',
  'payout',
  'payout_reversal',
  'platform_earning',
  'platform_earning_refund',
  'refund_failure',
  'risk_reserved_funds',
  'tax',
  'topup',
  'topup_reversal',
  'transfer',
  'transfer_reversal',
  'unreconciled_customer_funds',
]);

/** Stripe "Balance change from activity, itemized": one balance transaction per row, signed majors. */
export function parseStripeReport(bytes: Uint8Array, options: StripeParseOptions = {}): ParsedReport {
  const { text, encoding } = decodeReport(bytes, options.encoding);
  const records = parseCsv(text).filter((record) => !isBlankRecord(record));
  const header = records[0];
  if (!header) throw new ReportError('LDG_REPORT_MALFORMED', 'The Stripe report is empty');
  const columns = new Columns(header.fields, header.line);
  columns.require('reporting_category', 'source_id', 'currency', 'gross', 'created_utc');
  const orderIdColumn = options.orderIdColumn ?? 'payment_metadata[order_id]';
  const out = new ReportCollector();
  const unknown = new Set<string>();
  const refunds: ProviderRefundRow[] = [];
  // A `refund_failure` row is the money of an earlier refund coming back; its source is that refund.
  const failedRefunds = new Set<string>();

  for (const { fields, line } of records.slice(1)) {
    const category = columns.get(fields, 'reporting_category');
    if (category !== 'refund') {
      if (category === 'refund_failure') failedRefunds.add(columns.get(fields, 'source_id'));
      if (NOT_REFUNDS.has(category)) {
        out.skip(`not a refund: reporting_category=${category}`);
      } else {
        out.skip(`unknown reporting_category=${category}`);
        unknown.add(category);
      }
      continue;
    }
    const currency = readCurrency(columns.get(fields, 'currency'), { line, column: 'currency' });
    const gross = readSignedMajorUnits(columns.get(fields, 'gross'), currency, { line, column: 'gross' });
    if (gross >= 0) {
      out.skip('refund row with a non-negative gross');
      out.warn(`Line ${line}: a refund whose gross is not negative was left out`);
      continue;
    }
    refunds.push({
      provider: 'stripe',
      providerRefundId: columns.required(fields, 'source_id', line),
      originalPaymentId:
        columns.optional(fields, 'charge_id') ?? columns.optional(fields, 'payment_intent_id'),
      orderId: columns.optional(fields, orderIdColumn),
      merchantRefundId: null,
      amount: -gross,
      currency,
      occurredAt: readInstant(columns.required(fields, 'created_utc', line), 'Z', {
        line,
        column: 'created_utc',
      }),
      status: 'succeeded',
      line,
    });
  }
  for (const refund of refunds) {
    out.add(failedRefunds.delete(refund.providerRefundId) ? { ...refund, status: 'failed' } : refund);
  }
  for (const refundId of failedRefunds) {
    out.warn(
      `Refund ${refundId} failed (refund_failure) but is not in this report: check the ledger refund paid with it`,
    );
  }
  for (const category of unknown) {
    out.warn(`Unknown Stripe reporting_category '${category}': its rows were not treated as refunds`);
  }
  return out.result(encoding);
}
