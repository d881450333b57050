import { z } from 'zod';

/**
 * A repair promise that is broken by design: the channel promises the customer a repair in fewer
 * days than the vendor's turnaround plus the merchant's own handling. Flagged, never refused.
 */
export const promiseConflictSchema = z.strictObject({
  channel: z.string().min(1),
  vendorId: z.string().min(1),
  repairPromiseDays: z.number().int().nonnegative(),
  turnaroundDays: z.number().int().nonnegative(),
  handlingDays: z.number().int().nonnegative(),
  /** turnaround + handling − promise, always > 0. */
  shortfallDays: z.number().int().positive(),
});
export type PromiseConflict = z.infer<typeof promiseConflictSchema>;

export interface PromiseTerms {
  readonly channel: string;
  readonly vendorId: string;
  readonly repairPromiseDays: number;
  readonly turnaroundDays: number;
  readonly handlingDays: number;
}

export function promiseConflict(terms: PromiseTerms): PromiseConflict | null {
  const shortfallDays = terms.turnaroundDays + terms.handlingDays - terms.repairPromiseDays;
  if (shortfallDays <= 0) return null;
  const { channel, vendorId, repairPromiseDays, turnaroundDays, handlingDays } = terms;
  return { channel, vendorId, repairPromiseDays, turnaroundDays, handlingDays, shortfallDays };
}

export function promiseConflicts(terms: readonly PromiseTerms[]): PromiseConflict[] {
  return terms.flatMap((t) => promiseConflict(t) ?? []);
}
