import { z } from 'zod';
import type { EventsOf } from '../shared/event-schema.js';
import { gradeSchema } from '../shared/grade.js';
import { moneySchema } from '../shared/money.js';
import { isoInstantSchema } from '../shared/time.js';

const id = z.string().min(1).max(200);
const text = z.string().min(1).max(2000);
const at = isoInstantSchema;
/** Numbers the unit's dispatches 1, 2, …; every vendor event names the dispatch it answers. */
const dispatchNo = z.number().int().positive();

export const rmaUnitEventSchemas = {
  UnitEnteredCustody: z.strictObject({
    unitId: id,
    caseId: id,
    sku: id,
    /** The SKU's vendor and PM when the unit entered custody (cycle lag, aging, scorecard). */
    vendorId: id,
    pmId: id,
    unitCost: moneySchema,
    location: text.nullable(),
    occurredAt: at,
  }),
  UnitGraded: z.strictObject({ grade: gradeSchema, occurredAt: at }),
  UnitDispatchedToVendor: z.strictObject({
    dispatchNo,
    vendorId: id,
    vendorRef: id.nullable(),
    /** The agreement's turnaround in force at the dispatch. */
    turnaroundDays: z.number().int().nonnegative(),
    /** occurredAt + turnaroundDays. */
    vendorDueAt: at,
    occurredAt: at,
  }),
  VendorDunned: z.strictObject({
    dispatchNo,
    dunningNo: z.number().int().positive(),
    note: text,
    occurredAt: at,
  }),
  VendorReturnedRepaired: z.strictObject({ dispatchNo, occurredAt: at }),
  VendorSentReplacement: z.strictObject({ dispatchNo, occurredAt: at }),
  VendorIssuedCredit: z.strictObject({ dispatchNo, amount: moneySchema, occurredAt: at }),
  VendorRejectedClaim: z.strictObject({ dispatchNo, occurredAt: at }),
  RetestPassed: z.strictObject({ dispatchNo, notes: text.nullable(), occurredAt: at }),
  RetestFailed: z.strictObject({ dispatchNo, notes: text.nullable(), occurredAt: at }),
  UnitRestocked: z.strictObject({ location: text.nullable(), occurredAt: at }),
  /** The unit goes back to the customer cycle (e.g. shipped as the repaired unit). */
  UnitReturnedToCustomer: z.strictObject({ occurredAt: at }),
  UnitLiquidated: z.strictObject({
    recovered: moneySchema,
    unitCost: moneySchema,
    /** unitCost − recovered, never below zero. */
    loss: moneySchema,
    occurredAt: at,
  }),
  UnitWrittenOff: z.strictObject({
    amount: moneySchema,
    reason: text,
    /** The SKU's PM at the time of the write-off: bad debt is charged to them. */
    chargedToPmId: id,
    occurredAt: at,
  }),
} as const;
export type RmaUnitEvent = EventsOf<typeof rmaUnitEventSchemas>;

export type VendorResponseEvent = Extract<
  RmaUnitEvent,
  { type: 'VendorReturnedRepaired' | 'VendorSentReplacement' | 'VendorIssuedCredit' | 'VendorRejectedClaim' }
>;
export type DispositionEvent = Extract<
  RmaUnitEvent,
  { type: 'UnitRestocked' | 'UnitReturnedToCustomer' | 'UnitLiquidated' | 'UnitWrittenOff' }
>;
