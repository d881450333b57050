import { z } from 'zod';
import { resolutionSchema } from '../catalogue/policy.js';
import type { EventsOf } from '../shared/event-schema.js';
import { gradeSchema } from '../shared/grade.js';
import { moneySchema } from '../shared/money.js';
import { sealedPersonalDataSchema } from '../shared/personal-data.js';
import { isoInstantSchema } from '../shared/time.js';

const id = z.string().min(1).max(200);
const text = z.string().min(1).max(2000);
const at = isoInstantSchema;

/** How a case ends: its resolution, or `rejected` / `withdrawn` when it never got one. */
export const closingResolutionSchema = z.enum(['refund', 'exchange', 'repair', 'rejected', 'withdrawn']);
export type ClosingResolution = z.infer<typeof closingResolutionSchema>;

export const caseOpenedSchema = z.strictObject({
  caseId: id,
  orderId: id,
  channel: id,
  sku: id,
  quantity: z.number().int().positive(),
  unitPrice: moneySchema,
  purchasedAt: at,
  reason: text,
  resolution: resolutionSchema,
  customer: z.strictObject({ id, personalData: sealedPersonalDataSchema }),
  /** The SKU's vendor and PM when the case was opened: reports attribute the case to them. */
  vendorId: id,
  pmId: id,
  occurredAt: at,
});
export type CaseOpenedData = z.infer<typeof caseOpenedSchema>;

/** For a repair: the promise measured against the vendor's turnaround plus in-house handling. */
export const repairPlanSchema = z.strictObject({
  vendorId: id,
  promiseDays: z.number().nonnegative(),
  turnaroundDays: z.number().int().nonnegative(),
  handlingDays: z.number().int().nonnegative(),
  /** promiseDays − turnaroundDays − handlingDays; negative means broken by design. */
  plannedHeadroomDays: z.number(),
  shorterThanVendorCycle: z.boolean(),
});
export type RepairPlan = z.infer<typeof repairPlanSchema>;

export const refundApprovalReasonSchema = z.enum(['above-limit', 'before-return']);
export type RefundApprovalReason = z.infer<typeof refundApprovalReasonSchema>;

export const caseEventSchemas = {
  CaseOpened: caseOpenedSchema,
  CaseApproved: z.discriminatedUnion('by', [
    z.strictObject({ by: z.literal('rule'), rule: id, occurredAt: at }),
    z.strictObject({ by: z.literal('person'), approverId: id, occurredAt: at }),
  ]),
  CaseRejected: z.strictObject({ reason: text, occurredAt: at }),
  CustomerPromiseSet: z.strictObject({
    promisedBy: at,
    basis: z.enum(['policy', 'explicit']),
    /** Days from approval to promisedBy (a decimal for an explicit promise). */
    promiseDays: z.number().nonnegative(),
    repairPlan: repairPlanSchema.nullable(),
    occurredAt: at,
  }),
  ItemReceived: z.strictObject({
    /** The RMA unit this receipt puts into custody (stream `rma-unit-<unitId>`). */
    unitId: id,
    receiptNo: z.number().int().positive(),
    location: text.nullable(),
    occurredAt: at,
  }),
  ItemInspected: z.strictObject({ unitId: id, grade: gradeSchema, notes: text.nullable(), occurredAt: at }),
  RefundRequested: z.strictObject({
    refundId: id,
    amount: moneySchema,
    beforeReturn: z.boolean(),
    evidence: text.nullable(),
    /** Why finance must approve it; empty when the rule approved it in the same decision. */
    financeApprovalReasons: z.array(refundApprovalReasonSchema),
    occurredAt: at,
  }),
  RefundApproved: z.discriminatedUnion('by', [
    z.strictObject({ refundId: id, by: z.literal('rule'), rule: id, occurredAt: at }),
    z.strictObject({ refundId: id, by: z.literal('finance'), approverId: id, occurredAt: at }),
  ]),
  RefundRejected: z.strictObject({ refundId: id, reason: text, occurredAt: at }),
  RefundPaid: z.strictObject({ refundId: id, amount: moneySchema, paymentRef: id, occurredAt: at }),
  ShippedToCustomer: z.strictObject({
    kind: z.enum(['replacement', 'repaired']),
    trackingNo: id.nullable(),
    occurredAt: at,
  }),
  CompensationPaid: z.strictObject({ amount: moneySchema, reason: text, occurredAt: at }),
  CaseClosed: z.strictObject({ resolution: closingResolutionSchema, occurredAt: at }),
} as const;
export type CaseEvent = EventsOf<typeof caseEventSchemas>;
