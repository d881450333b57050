import { z } from 'zod';

/** A day is exactly 86,400,000 ms in every duration the ledger computes (kpis.md). */
export const DAY_MS = 86_400_000;

/** An ISO-8601 instant in UTC (`Z`, no offset): the only time format written into events. */
export const isoInstantSchema = z.iso.datetime();

/** A calendar day, `YYYY-MM-DD`. */
export const isoDateSchema = z.iso.date();

export function isIsoInstant(value: unknown): value is string {
  return isoInstantSchema.safeParse(value).success;
}

export function toEpochMs(instant: string): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`Not an ISO-8601 instant: ${instant}`);
  return ms;
}

export function addDays(instant: string, days: number): string {
  return new Date(toEpochMs(instant) + days * DAY_MS).toISOString();
}

/** Negative when `a` is earlier than `b`, zero when they are the same instant, positive otherwise. */
export function compareInstants(a: string, b: string): number {
  return toEpochMs(a) - toEpochMs(b);
}

export function isBefore(a: string, b: string): boolean {
  return compareInstants(a, b) < 0;
}

/** `later − earlier` in days, as a decimal. */
export function daysBetween(earlier: string, later: string): number {
  return (toEpochMs(later) - toEpochMs(earlier)) / DAY_MS;
}
