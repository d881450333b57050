import type { CaseView, UnitView, WriteResult } from '@rma-ledger/application';
import { closingResolutionSchema, gradeSchema, resolutionSchema } from '@rma-ledger/domain';
import { z } from 'zod';
import { moneySchema } from './common.js';

const instant = z.string().describe('ISO-8601 UTC');

export const personalDataViewSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('available'),
    data: z.object({
      name: z.string(),
      phone: z.string().optional(),
      email: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
  z.object({ status: z.literal('erased') }),
]);

export const caseViewSchema = z
  .object({
    caseId: z.string(),
    revision: z.number().int().describe('The stream revision; also sent as `ETag: W/"<revision>"`'),
    status: z.enum(['open', 'approved', 'rejected', 'closed']),
    orderId: z.string(),
    channel: z.string(),
    sku: z.string(),
    vendorId: z.string(),
    pmId: z.string(),
    quantity: z.number().int(),
    unitPrice: moneySchema,
    purchasedAt: instant,
    reason: z.string(),
    resolution: resolutionSchema,
    openedAt: instant,
    approvedAt: instant.nullable(),
    promisedBy: instant.nullable(),
    units: z.array(
      z.object({
        unitId: z.string(),
        receiptNo: z.number().int(),
        receivedAt: instant,
        grade: gradeSchema.nullable(),
      }),
    ),
    refunds: z.array(
      z.object({
        refundId: z.string(),
        amount: moneySchema,
        beforeReturn: z.boolean(),
        status: z.enum(['requested', 'approved', 'rejected', 'paid']),
      }),
    ),
    closedWith: closingResolutionSchema.nullable(),
    lastOccurredAt: instant.nullable(),
    customer: z.object({ id: z.string(), personalData: personalDataViewSchema }),
  })
  .meta({ id: 'Case' });

export function toCaseView(view: CaseView): z.input<typeof caseViewSchema> {
  const { state } = view;
  const opened = state.opened!;
  return {
    caseId: view.caseId,
    revision: view.revision,
    status: state.status as 'open' | 'approved' | 'rejected' | 'closed',
    orderId: opened.orderId,
    channel: opened.channel,
    sku: opened.sku,
    vendorId: opened.vendorId,
    pmId: opened.pmId,
    quantity: opened.quantity,
    unitPrice: opened.unitPrice,
    purchasedAt: opened.purchasedAt,
    reason: opened.reason,
    resolution: opened.resolution,
    openedAt: opened.occurredAt,
    approvedAt: state.approvedAt,
    promisedBy: state.promisedBy,
    units: state.units.map((u) => ({ ...u })),
    refunds: state.refunds.map((r) => ({ ...r })),
    closedWith: state.closedWith,
    lastOccurredAt: state.lastOccurredAt,
    customer: { id: opened.customer.id, personalData: view.customer!.personalData },
  };
}

export const unitViewSchema = z
  .object({
    unitId: z.string(),
    revision: z.number().int().describe('The stream revision; also sent as `ETag: W/"<revision>"`'),
    custody: z.enum([
      'none',
      'awaiting-inspection',
      'awaiting-dispatch',
      'at-vendor',
      'awaiting-retest',
      'awaiting-disposition',
      'disposed',
    ]),
    caseId: z.string().nullable(),
    sku: z.string().nullable(),
    vendorId: z.string().nullable(),
    pmId: z.string().nullable(),
    unitCost: moneySchema.nullable(),
    grade: gradeSchema.nullable(),
    dispatchCount: z.number().int(),
    lastDispatch: z
      .object({ dispatchNo: z.number().int(), vendorDueAt: instant, dunnings: z.number().int() })
      .nullable(),
    disposition: z.enum(['restocked', 'returned-to-customer', 'liquidated', 'written-off']).nullable(),
    lastOccurredAt: instant.nullable(),
  })
  .meta({ id: 'RmaUnit' });

export function toUnitView(view: UnitView): z.input<typeof unitViewSchema> {
  const { unitId: _ignored, ...state } = view.state;
  return { ...state, unitId: view.unitId, revision: view.revision };
}

const writtenEventSchema = z.object({
  position: z.number().int(),
  streamName: z.string(),
  revision: z.number().int(),
  eventId: z.string(),
  type: z.string(),
});

/** Fields every command response carries: what it wrote. */
export const writeFields = {
  revision: z
    .number()
    .int()
    .nullable()
    .describe('The stream revision after the command; also sent as `ETag`. Null when nothing exists yet'),
  deduplicated: z.boolean().describe('True when an idempotency key matched: nothing was written this time'),
  events: z.array(writtenEventSchema).describe('The events written (or first written)'),
};

export const writeResponseSchema = z.object(writeFields).meta({ id: 'WriteResult' });

export function writeView(result: WriteResult): z.input<typeof writeResponseSchema> {
  return {
    revision: result.revision,
    deduplicated: result.deduplicated,
    events: result.events.map((e) => ({
      position: e.position,
      streamName: e.streamName,
      revision: e.revision,
      eventId: e.eventId,
      type: e.type,
    })),
  };
}
