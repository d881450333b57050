import type { Database } from 'better-sqlite3';
import { type CsvColumn, toCsv } from './csv.js';
import { group } from './grouping.js';
import type { CustodyState } from './report-model.js';
import { DAY_MS, toIso, toMs } from './time.js';

export type AgeBucket = '0-30' | '31-60' | '61-90' | '91+';

/** Units of one PM and vendor in one age bucket and custody state, per currency of their cost. */
export interface AgingGroup {
  readonly bucket: AgeBucket;
  readonly state: CustodyState;
  readonly pmId: string;
  readonly vendorId: string;
  readonly currency: string;
  readonly units: number;
  readonly totalUnitCost: number;
}

export interface AgingTotal {
  readonly units: number;
  readonly totalUnitCost: number;
  readonly currency: string;
}

export interface AgingInventoryReport {
  readonly asOf: string;
  /** The finest grain; the views below are its roll-ups. */
  readonly groups: readonly AgingGroup[];
  readonly byBucketAndState: readonly (AgingTotal & { bucket: AgeBucket; state: CustodyState })[];
  readonly byPm: readonly (AgingTotal & { pmId: string; bucket: AgeBucket })[];
  readonly byVendor: readonly (AgingTotal & { vendorId: string; bucket: AgeBucket })[];
}

const BUCKETS: readonly AgeBucket[] = ['0-30', '31-60', '61-90', '91+'];
const STATES: readonly CustodyState[] = [
  'awaiting-inspection',
  'awaiting-dispatch',
  'at-vendor',
  'awaiting-retest',
  'awaiting-disposition',
];

/** The last whole day of each bucket but the open-ended last: 30 days is still 0–30, 31 is 31–60. */
const BUCKET_LAST_DAYS = [30, 60, 90] as const;

/** Whole days elapsed (floor) → bucket. */
export function ageBucket(ageDays: number): AgeBucket {
  const index = BUCKET_LAST_DAYS.findIndex((last) => ageDays <= last);
  return BUCKETS[index === -1 ? BUCKETS.length - 1 : index]!;
}

interface Row {
  bucket: number;
  state: CustodyState;
  pmId: string;
  vendorId: string;
  currency: string;
  units: number;
  cost: number;
}

// The custody state holding at T: an interval [from_at, to_at) containing T, either still open
// (partial index) or closed after T (index on the end); a disposed unit has no interval after T.
// Counted and summed in SQL, per bucket (`ageBucket`'s boundaries, passed in) and group: a report
// over thousands of units hands back a few dozen rows.
const IN_CUSTODY_SQL = `
  WITH current AS (
    SELECT unit_id, state FROM unit_states WHERE to_at IS NULL AND from_at <= @t
    UNION ALL
    SELECT unit_id, state FROM unit_states WHERE to_at > @t AND from_at <= @t
  ), aged AS (
    SELECT c.state AS state, u.pm_id AS pmId, u.vendor_id AS vendorId, u.currency AS currency,
           u.unit_cost AS unitCost, CAST((@t - u.entered_at) / ${DAY_MS} AS INTEGER) AS ageDays
    FROM current c JOIN units u ON u.unit_id = c.unit_id
  )
  SELECT CASE WHEN ageDays <= @b0 THEN 0 WHEN ageDays <= @b1 THEN 1 WHEN ageDays <= @b2 THEN 2 ELSE 3 END AS bucket,
         state, pmId, vendorId, currency, COUNT(*) AS units, SUM(unitCost) AS cost
  FROM aged GROUP BY bucket, state, pmId, vendorId, currency`;

/** Aging RMA inventory as of `asOf` (kpis.md §3): units in custody by age bucket and custody state. */
export function agingInventoryReport(db: Database, options: { readonly asOf: string }): AgingInventoryReport {
  const t = toMs(options.asOf);
  const [b0, b1, b2] = BUCKET_LAST_DAYS;
  const rows = db.prepare(IN_CUSTODY_SQL).all({ t, b0, b1, b2 }) as Row[];
  const groups: AgingGroup[] = rows
    .map(({ bucket, state, pmId, vendorId, currency, units, cost }) => ({
      bucket: BUCKETS[bucket]!,
      state,
      pmId,
      vendorId,
      currency,
      units,
      totalUnitCost: cost,
    }))
    .sort(
      (a, b) =>
        BUCKETS.indexOf(a.bucket) - BUCKETS.indexOf(b.bucket) ||
        STATES.indexOf(a.state) - STATES.indexOf(b.state) ||
        compare(a.pmId, b.pmId) ||
        compare(a.vendorId, b.vendorId) ||
        compare(a.currency, b.currency),
    );
  return {
    asOf: toIso(t),
    groups,
    byBucketAndState: rollUp(
      groups,
      (g) => ({ bucket: g.bucket, state: g.state }),
      (g) => `${BUCKETS.indexOf(g.bucket)}\u0000${STATES.indexOf(g.state)}`,
    ),
    byPm: rollUp(
      groups,
      (g) => ({ pmId: g.pmId, bucket: g.bucket }),
      (g) => `${g.pmId}\u0000${BUCKETS.indexOf(g.bucket)}`,
    ),
    byVendor: rollUp(
      groups,
      (g) => ({ vendorId: g.vendorId, bucket: g.bucket }),
      (g) => `${g.vendorId}\u0000${BUCKETS.indexOf(g.bucket)}`,
    ),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sums groups over the dimensions `dims` leaves out, per currency, ordered by `sortKey`. */
function rollUp<D extends object>(
  groups: readonly AgingGroup[],
  dims: (g: AgingGroup) => D,
  sortKey: (g: AgingGroup) => string,
): (D & AgingTotal)[] {
  return group(groups, (g) => `${sortKey(g)}\u0000${g.currency}`).map(([, list]) => ({
    ...dims(list[0]!),
    currency: list[0]!.currency,
    units: list.reduce((n, g) => n + g.units, 0),
    totalUnitCost: list.reduce((n, g) => n + g.totalUnitCost, 0),
  }));
}

export const AGING_CSV_COLUMNS: readonly CsvColumn<AgingGroup>[] = [
  { header: 'bucket', value: (r) => r.bucket },
  { header: 'state', value: (r) => r.state },
  { header: 'pm_id', value: (r) => r.pmId },
  { header: 'vendor_id', value: (r) => r.vendorId },
  { header: 'currency', value: (r) => r.currency },
  { header: 'units', value: (r) => r.units },
  { header: 'total_unit_cost', value: (r) => r.totalUnitCost },
];

export function agingInventoryCsv(report: AgingInventoryReport): string {
  return toCsv(AGING_CSV_COLUMNS, report.groups);
}
