/** A day is exactly 86,400,000 ms in every duration the reports compute (kpis.md). */
export const DAY_MS = 86_400_000;

export function toMs(instant: string): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`Not an ISO-8601 instant: ${instant}`);
  return ms;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toIsoOrNull(ms: number | null): string | null {
  return ms === null ? null : toIso(ms);
}

/** A half-open business-time period `[from, to)`. */
export interface Period {
  readonly from: string;
  readonly to: string;
}
