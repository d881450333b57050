import { z } from 'zod';
import { parseMajorUnits } from '../shared/money.js';
import { sealedPersonalDataSchema } from '../shared/personal-data.js';
import { isoDateSchema, isoInstantSchema } from '../shared/time.js';
import type { caseOpenedSchema } from './events.js';

/**
 * `CaseOpened` v1, as the first spreadsheet import wrote it: the unit price as decimal text in
 * major units with its currency beside it, the purchase as a calendar day or an instant, and no
 * requested resolution (that import only carried refunds).
 */
export const caseOpenedV1Schema = z.strictObject({
  caseId: z.string().min(1),
  orderId: z.string().min(1),
  channel: z.string().min(1),
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
  unitPrice: z.string().regex(/^\d+(\.\d+)?$/),
  currency: z.string().regex(/^[A-Z]{3}$/),
  purchasedAt: z.union([isoInstantSchema, isoDateSchema]),
  reason: z.string().min(1),
  customer: z.strictObject({ id: z.string().min(1), personalData: sealedPersonalDataSchema }),
  vendorId: z.string().min(1),
  pmId: z.string().min(1),
  occurredAt: isoInstantSchema,
});
export type CaseOpenedV1 = z.infer<typeof caseOpenedV1Schema>;

/** v1 → v2: exact minor units per currency, instants only, and the implied `refund` resolution. */
export function upcastCaseOpenedV1(data: unknown): z.input<typeof caseOpenedSchema> {
  const { unitPrice, currency, purchasedAt, ...rest } = caseOpenedV1Schema.parse(data);
  return {
    ...rest,
    unitPrice: parseMajorUnits(unitPrice, currency),
    purchasedAt: purchasedAt.length === 10 ? `${purchasedAt}T00:00:00.000Z` : purchasedAt,
    resolution: 'refund',
  };
}
