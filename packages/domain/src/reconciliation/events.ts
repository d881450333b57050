import { z } from 'zod';
import type { EventsOf } from '../shared/event-schema.js';
import { isoInstantSchema } from '../shared/time.js';

const id = z.string().min(1).max(200);
/** Text copied from a provider's file: kept as it was, only bounded. */
const providerText = z.string().max(500);
const at = isoInstantSchema;
const currency = z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO-4217 code');
const minorUnits = z.number().int().refine(Number.isSafeInteger, 'amount must be a safe integer');
const count = z.number().int().nonnegative();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256');

export const RECONCILIATION_PROVIDERS = ['stripe', 'paypal', 'wechat', 'alipay', 'csv'] as const;
export const reconciliationProviderSchema = z.enum(RECONCILIATION_PROVIDERS);
export type ReconciliationProvider = z.infer<typeof reconciliationProviderSchema>;

export const reconciliationCategorySchema = z.enum([
  'matched',
  'amount-mismatch',
  'currency-mismatch',
  'provider-only',
  'ledger-only',
  'duplicate',
  'pending',
]);
export type ReconciliationRowCategory = z.infer<typeof reconciliationCategorySchema>;

/** A ledger refund as it took part in the run, with the vendor credit of its case's RMA unit. */
const ledgerSideSchema = z.strictObject({
  refundId: id,
  caseId: id,
  orderId: id,
  amount: minorUnits.nonnegative(),
  currency,
  paidAt: at,
  paymentRef: id.nullable(),
  vendorCredit: z.strictObject({ unitId: id, amount: minorUnits.nonnegative(), currency }).nullable(),
});

/** A provider's refund row; `line` is its 1-based line in the file, to find it there. */
const providerSideSchema = z.strictObject({
  providerRefundId: providerText.min(1),
  originalPaymentId: providerText.nullable(),
  orderId: providerText.nullable(),
  merchantRefundId: providerText.nullable(),
  amount: minorUnits.positive(),
  currency,
  occurredAt: at,
  status: z.enum(['succeeded', 'pending', 'failed']),
  line: z.number().int().positive(),
});

export const reconciliationRowSchema = z.strictObject({
  category: reconciliationCategorySchema,
  matchedBy: z.enum(['payment-reference', 'order-amount']).nullable(),
  ledger: ledgerSideSchema.nullable(),
  provider: providerSideSchema.nullable(),
  /** Provider minus ledger in minor units, when both sides are there in one currency. */
  difference: minorUnits.nullable(),
  note: z.string().min(1).max(2000).nullable(),
});
export type ReconciliationRowData = z.infer<typeof reconciliationRowSchema>;

const byCategory = <T extends z.ZodType>(value: T) => z.record(reconciliationCategorySchema, value);

export const reconciliationSummarySchema = z.strictObject({
  ledgerRefunds: count,
  providerRows: count,
  rows: count,
  byCategory: byCategory(count),
  /** Per currency: amounts of different currencies are never added. */
  currencies: z.array(
    z.strictObject({
      currency,
      ledgerRefunds: count,
      ledgerAmount: count,
      providerRows: count,
      providerRefunded: count,
      providerPending: count,
      byCategory: byCategory(z.strictObject({ ledger: count, provider: count })),
      vendorCredited: count,
    }),
  ),
});
export type ReconciliationSummaryData = z.infer<typeof reconciliationSummarySchema>;

export const reconciliationEventSchemas = {
  /**
   * Who reconciled which file (by content hash) with which options, and what was found. The rows
   * follow in `ReconciliationRowsRecorded` chunks of `chunkSize` (the last one may be shorter).
   */
  ReconciliationRunRecorded: z.strictObject({
    runId: id,
    provider: reconciliationProviderSchema,
    fileName: z.string().min(1).max(500),
    fileSha256: sha256,
    /**
     * SHA-256 of the options and everything the run found (encoding, summary, skipped, warnings,
     * rows): a re-run of the file that finds exactly the same is not recorded again.
     */
    resultSha256: sha256,
    encoding: z.enum(['utf-8', 'gbk']),
    options: z.strictObject({
      /** The provider's parse options as given (encoding override, column mapping…). */
      parse: z.record(z.string(), z.json()),
      windowDays: z.number().nonnegative(),
    }),
    ranBy: id,
    /** The first run of the same file (same provider and bytes), when this is not it. */
    rerunOf: id.nullable(),
    summary: reconciliationSummarySchema,
    skipped: z.array(z.strictObject({ reason: z.string().min(1).max(500), count: count.positive() })),
    warnings: z.array(z.string().min(1).max(2000)),
    rowCount: count,
    chunkSize: z.number().int().positive(),
    occurredAt: at,
  }),
  ReconciliationRowsRecorded: z.strictObject({
    runId: id,
    /** 1, 2, … in order, without gaps. */
    chunkNo: z.number().int().positive(),
    rows: z.array(reconciliationRowSchema).min(1),
    occurredAt: at,
  }),
} as const;
export type ReconciliationEvent = EventsOf<typeof reconciliationEventSchemas>;
export type ReconciliationRunRecordedData = Extract<
  ReconciliationEvent,
  { type: 'ReconciliationRunRecorded' }
>['data'];
