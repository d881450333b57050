import { z } from 'zod';

/** Integer minor units of one ISO-4217 currency: `{ "amount": 1250, "currency": "CNY" }` is 12.50 CNY. */
export const moneySchema = z
  .strictObject({
    amount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).describe('Minor units (cents, fen…)'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as CNY'),
  })
  .meta({ id: 'Money' });

/** Business time: ISO-8601 with an offset (`Z` or `+08:00`). */
export const instantSchema = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with an offset',
});

export const occurredAt = instantSchema
  .optional()
  .describe(
    'When it happened in the business, ISO-8601 with an offset. Default: now. Refused when more than 5 minutes in the future or earlier than the previous event of the stream.',
  );

/** Ids in paths and bodies: plain, URL-safe, bounded. */
export const idSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]*$/,
    'must be letters, digits and . _ : - (starting with a letter or digit)',
  );

export const text = (max: number) => z.string().trim().min(1).max(max);

/** `?asOf=` on reads of one case or unit: the state at that instant. */
export const asOfQuery = z.strictObject({
  asOf: instantSchema.optional().describe('Rebuild the state as it was at this instant'),
});
