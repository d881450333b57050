import { closingResolutionSchema, gradeSchema, resolutionSchema } from '@rma-ledger/domain';
import { z } from 'zod';
import { idSchema, instantSchema, moneySchema, occurredAt, text } from './common.js';

const days = z.number().int().nonnegative().max(36_500);

// Catalogue and policy

export const putVendorBody = z.strictObject({
  name: text(200),
  agreement: z.strictObject({
    turnaroundDays: days.describe('Days the vendor takes to handle a returned unit'),
  }),
  occurredAt,
});

export const putSkuBody = z.strictObject({
  name: text(200),
  vendorId: idSchema,
  pmId: idSchema.describe('The product manager charged with the SKU'),
  unitCost: moneySchema,
  category: text(100),
  occurredAt,
});

const saleLine = z.strictObject({
  sku: idSchema,
  quantity: z.number().int().positive(),
  soldAt: z
    .union([z.iso.date(), instantSchema])
    .describe('The day sold, `YYYY-MM-DD` or an ISO-8601 date-time'),
});

export const postSalesBody = z.union([
  saleLine.extend({ occurredAt }),
  z.strictObject({ lines: z.array(saleLine).min(1).max(10_000), occurredAt }),
]);

export const putPolicyBody = z.strictObject({
  returnWindowDays: days,
  exchangeWindowDays: days,
  warrantyDays: days,
  promiseDays: z.strictObject({ refund: days, exchange: days, repair: days }),
  autoApproveLimit: moneySchema,
  refundApprovalLimit: moneySchema,
  handlingDays: days.optional().describe('Days the merchant needs around a vendor repair; default 2'),
  occurredAt,
});

// Customer cycle

export const openCaseBody = z.strictObject({
  caseId: idSchema.optional().describe('Default: generated'),
  orderId: idSchema,
  channel: idSchema,
  sku: idSchema,
  quantity: z.number().int().positive().max(1_000_000),
  unitPrice: moneySchema,
  purchasedAt: instantSchema,
  reason: text(1000),
  resolution: resolutionSchema,
  customer: z.strictObject({
    id: idSchema,
    name: text(200),
    phone: text(50).optional(),
    email: z.email().max(254).optional(),
    address: text(500).optional(),
  }),
  occurredAt,
});

export const approveCaseBody = z.strictObject({
  promisedBy: instantSchema.optional().describe("Default: the channel policy's promise days"),
  occurredAt,
});
export const rejectCaseBody = z.strictObject({ reason: text(1000), occurredAt });
export const receiveBody = z.strictObject({ location: text(200).optional(), occurredAt });
export const inspectBody = z.strictObject({
  grade: gradeSchema,
  notes: text(2000).optional(),
  unitId: idSchema.optional().describe('Which received unit; default the one not yet inspected'),
  occurredAt,
});
export const requestRefundBody = z.strictObject({
  refundId: idSchema.optional().describe('Default: generated'),
  amount: moneySchema,
  beforeReturn: z.boolean().optional(),
  evidence: text(2000).optional(),
  occurredAt,
});
export const emptyCommandBody = z.strictObject({ occurredAt });
export const payRefundBody = z.strictObject({ paymentRef: text(200), occurredAt });
export const shipBody = z.strictObject({
  kind: z.enum(['replacement', 'repaired']),
  trackingNo: text(100).optional(),
  occurredAt,
});
export const compensateBody = z.strictObject({ amount: moneySchema, reason: text(1000), occurredAt });
export const closeCaseBody = z.strictObject({ resolution: closingResolutionSchema.optional(), occurredAt });

// Vendor-return cycle

export const dispatchBody = z.strictObject({ vendorRef: text(200).optional(), occurredAt });
export const dunBody = z.strictObject({ note: text(2000), occurredAt });
export const vendorReturnBody = z.strictObject({
  outcome: z.enum(['repaired', 'replaced', 'credited', 'rejected']),
  creditAmount: moneySchema.optional().describe('Required for `credited`, refused otherwise'),
  occurredAt,
});
export const retestBody = z.strictObject({ passed: z.boolean(), notes: text(2000).optional(), occurredAt });
export const restockBody = z.strictObject({ location: text(200).optional(), occurredAt });
export const liquidateBody = z.strictObject({ recovered: moneySchema, occurredAt });
export const writeOffBody = z.strictObject({
  amount: moneySchema.optional().describe('Default: the unit cost'),
  reason: text(1000),
  occurredAt,
});
