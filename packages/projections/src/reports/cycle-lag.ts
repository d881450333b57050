import type { Database } from 'better-sqlite3';
import { byBinary } from './binary-order.js';
import { type CsvColumn, toCsv } from './csv.js';
import { DAY_MS, toIso, toMs } from './time.js';

export interface CycleLagCase {
  readonly caseId: string;
  /** The case's unit whose vendor cycle ends last (or is still open): it sets the case's lag. */
  readonly unitId: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly promisedBy: string;
  /** When every dispatched unit of the case had completed its vendor cycle by asOf; null while one is open. */
  readonly vendorCompletedAt: string | null;
  readonly lagMs: number;
  readonly lagDays: number;
  /** promisedBy − vendorDueAt of the case's first dispatch, in days. */
  readonly headroomDays: number;
}

export interface CycleLagSummary {
  readonly casesConsidered: number;
  readonly laggingCases: number;
  /** laggingCases ÷ casesConsidered; null when no case is considered. */
  readonly shareLagging: number | null;
  /** Over lagging cases only; null when none lags. */
  readonly meanLagDays: number | null;
  readonly maxLagDays: number;
  readonly negativeHeadroomCases: number;
}

export interface CycleLagReport {
  readonly asOf: string;
  readonly overall: CycleLagSummary;
  readonly byVendor: readonly (CycleLagSummary & { readonly vendorId: string })[];
  readonly byPm: readonly (CycleLagSummary & { readonly pmId: string })[];
  /** The lagging cases, in case order. */
  readonly lagging: readonly CycleLagCase[];
}

// One row per case with a unit dispatched at or before T, with the promise in force at T (the
// latest one, unless it was given after T). The case ends when its last unit completes (a unit
// still open at T ends at T). A case nothing touched after T comes whole from cycle_cases (as of
// now, every case); the others are aggregated from their units as of T: with a single MAX()
// aggregate, SQLite takes the bare unit columns from the row holding the maximum, i.e. the
// deciding unit. Everything is aggregated in SQL: only the lagging cases and one tally per vendor
// and PM reach JavaScript, from one statement, so the per-case rows are computed once.
const LAG_COLUMNS = `case_id, unit_id, vendor_id, pm_id, promised_by, end_at, open_units,
  CASE WHEN promised_by IS NULL THEN 0 ELSE MAX(0, end_at - promised_by) END AS lag_ms,
  promised_by - first_due_at AS headroom_ms`;

const CASES_CTE = `
  WITH lag AS MATERIALIZED (
    SELECT ${LAG_COLUMNS} FROM (
      SELECT case_id, unit_id, vendor_id, pm_id, first_due_at, promised_by,
             CASE WHEN open_units > 0 THEN @t ELSE end_at END AS end_at, open_units
      FROM cycle_cases WHERE +changed_at <= @t -- a scan: as of now that is every case, no index helps
    )
    UNION ALL
    SELECT ${LAG_COLUMNS} FROM (
      SELECT case_id, unit_id, vendor_id, pm_id, first_due_at,
             CASE WHEN promise_set_at <= @t THEN promised_by
                  ELSE (SELECT p.promised_by FROM case_promises p
                        WHERE p.case_id = cycle_units.case_id AND p.set_at <= @t
                        ORDER BY p.set_at DESC LIMIT 1)
             END AS promised_by,
             MAX(CASE WHEN completed_at <= @t THEN completed_at ELSE @t END) AS end_at,
             SUM(CASE WHEN completed_at <= @t THEN 0 ELSE 1 END) AS open_units
      FROM cycle_units
      WHERE case_id IN (SELECT case_id FROM cycle_cases WHERE changed_at > @t) AND first_dispatched_at <= @t
      GROUP BY case_id
    )
  )`;

// Tally rows (kind 0) then lagging cases (kind 1) in case order; a tally row leaves the last two columns null.
const REPORT_SQL = `${CASES_CTE}
  SELECT 0 AS kind, vendor_id AS k, pm_id, COUNT(*), SUM(lag_ms > 0), SUM(lag_ms), MAX(lag_ms),
         SUM(headroom_ms < 0), NULL, NULL
  FROM lag GROUP BY vendor_id, pm_id
  UNION ALL
  SELECT 1, case_id, unit_id, vendor_id, pm_id, promised_by, end_at, open_units, lag_ms, headroom_ms
  FROM lag WHERE lag_ms > 0
  ORDER BY 1, 2`;

type TallyRow = [
  vendorId: string,
  pmId: string,
  considered: number,
  lagging: number,
  totalLagMs: number,
  maxLagMs: number,
  negativeHeadroom: number,
];
type LaggingRow = [
  caseId: string,
  unitId: string,
  vendorId: string,
  pmId: string,
  promisedBy: number,
  endAt: number,
  openUnits: number,
  lagMs: number,
  headroomMs: number,
];

class Tally {
  considered = 0;
  lagging = 0;
  totalLagMs = 0;
  maxLagMs = 0;
  negativeHeadroom = 0;

  add(row: TallyRow): void {
    this.considered += row[2];
    this.lagging += row[3];
    this.totalLagMs += row[4];
    this.maxLagMs = Math.max(this.maxLagMs, row[5]);
    this.negativeHeadroom += row[6];
  }

  summary(): CycleLagSummary {
    return {
      casesConsidered: this.considered,
      laggingCases: this.lagging,
      shareLagging: this.considered === 0 ? null : this.lagging / this.considered,
      meanLagDays: this.lagging === 0 ? null : this.totalLagMs / this.lagging / DAY_MS,
      maxLagDays: this.maxLagMs / DAY_MS,
      negativeHeadroomCases: this.negativeHeadroom,
    };
  }
}

function tallyOf(tallies: Map<string, Tally>, key: string): Tally {
  let tally = tallies.get(key);
  if (!tally) {
    tally = new Tally();
    tallies.set(key, tally);
  }
  return tally;
}

function sortedSummaries(tallies: Map<string, Tally>): [string, CycleLagSummary][] {
  return [...tallies].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, t]) => [k, t.summary()]);
}

/** A `cycle_cases` row, ready for any T at or after the case's latest change. */
interface SettledCase {
  readonly caseId: string;
  readonly unitId: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly promisedBy: number | null;
  readonly endAt: number;
  readonly open: boolean;
  readonly headroomMs: number | null;
  /** A completed case's lag does not depend on T: its row in the list, if it lags, is made once. */
  readonly completedLagging: CycleLagCase | null;
}

/**
 * What cycle lag needs as of any T at or after every case's latest change (`changedUpTo`), which
 * is every T from now on: then each case is its `cycle_cases` row as it stands, and only the
 * lag of cases still open depends on T. Kept per connection: when the read model has changed
 * (`version`), the rows written since (rowids of `cycle_case_writes` above `readUpTo`) replace theirs, so a report as of
 * now after a write reads the cases that write touched, not every case.
 */
interface Settled {
  version: string;
  changedUpTo: number | null;
  /** In case order; null until a report as of now first needs them. */
  cases: SettledCase[] | null;
  readUpTo: number;
}

const settledByConnection = new WeakMap<Database, Settled>();

function settled(db: Database): Settled {
  // total_changes() moves with every write through this connection (the runner's), data_version
  // with every commit through another one.
  const [changes, changedUpTo] = db
    .prepare('SELECT total_changes(), (SELECT MAX(changed_at) FROM cycle_cases)')
    .raw()
    .get() as [number, number | null];
  const version = `${changes}/${db.pragma('data_version', { simple: true })}`;
  let memo = settledByConnection.get(db);
  if (!memo) {
    memo = { version, changedUpTo, cases: null, readUpTo: 0 };
    settledByConnection.set(db, memo);
  } else if (memo.version !== version) {
    memo.version = version;
    memo.changedUpTo = changedUpTo;
    if (memo.cases) readChangedCases(db, memo, memo.cases);
  }
  return memo;
}

type SettledRow = [
  caseId: string,
  unitId: string,
  vendorId: string,
  pmId: string,
  promisedBy: number | null,
  firstDueAt: number,
  endAt: number,
  openUnits: number,
  written: number,
];

const SETTLED_COLUMNS = `c.case_id, c.unit_id, c.vendor_id, c.pm_id, c.promised_by, c.first_due_at, c.end_at,
  c.open_units, w.rowid`;

function settledCases(db: Database, memo: Settled): readonly SettledCase[] {
  if (memo.cases) return memo.cases;
  const rows = db
    .prepare(
      `SELECT ${SETTLED_COLUMNS} FROM cycle_cases c JOIN cycle_case_writes w ON w.case_id = c.case_id
       ORDER BY c.case_id`,
    )
    .raw()
    .all() as SettledRow[];
  memo.readUpTo = 0;
  memo.cases = rows.map((row) => {
    memo.readUpTo = Math.max(memo.readUpTo, row[8]);
    return settledCase(row);
  });
  return memo.cases;
}

const MAX_CASES_PUT_IN_PLACE = 1000;

/** Puts the rows written since the cases were read in their places, in case order. */
function readChangedCases(db: Database, memo: Settled, cases: SettledCase[]): void {
  const rows = db
    .prepare(
      `SELECT ${SETTLED_COLUMNS} FROM cycle_case_writes w JOIN cycle_cases c ON c.case_id = w.case_id
       WHERE w.rowid > ?`,
    )
    .raw()
    .all(memo.readUpTo) as SettledRow[];
  // Many at once (an import through another connection, say): reading every case is cheaper.
  if (rows.length > Math.max(MAX_CASES_PUT_IN_PLACE, cases.length / 10)) {
    memo.cases = null;
    return;
  }
  for (const row of rows) {
    memo.readUpTo = Math.max(memo.readUpTo, row[8]);
    const changed = settledCase(row);
    let low = 0;
    let high = cases.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (byBinary(cases[middle]!.caseId, changed.caseId) < 0) low = middle + 1;
      else high = middle;
    }
    if (cases[low]?.caseId === changed.caseId) cases[low] = changed;
    else cases.splice(low, 0, changed);
  }
}

function settledCase([
  caseId,
  unitId,
  vendorId,
  pmId,
  promisedBy,
  firstDueAt,
  endAt,
  openUnits,
]: SettledRow): SettledCase {
  const open = openUnits > 0;
  const headroomMs = promisedBy === null ? null : promisedBy - firstDueAt;
  const lagMs = promisedBy === null ? 0 : Math.max(0, endAt - promisedBy);
  return {
    caseId,
    unitId,
    vendorId,
    pmId,
    promisedBy,
    endAt,
    open,
    headroomMs,
    completedLagging:
      open || lagMs === 0
        ? null
        : laggingCase([caseId, unitId, vendorId, pmId, promisedBy!, endAt, 0, lagMs, headroomMs!]),
  };
}

function laggingCase(row: LaggingRow): CycleLagCase {
  const [caseId, unitId, vendorId, pmId, promisedBy, endAt, openUnits, lagMs, headroomMs] = row;
  return {
    caseId,
    unitId,
    vendorId,
    pmId,
    promisedBy: toIso(promisedBy),
    vendorCompletedAt: openUnits === 0 ? toIso(endAt) : null,
    lagMs,
    lagDays: lagMs / DAY_MS,
    headroomDays: headroomMs / DAY_MS,
  };
}

/** What a report sums its cases into: overall, per vendor and per PM. */
class Tallies {
  private readonly overall = new Tally();
  private readonly byVendor = new Map<string, Tally>();
  private readonly byPm = new Map<string, Tally>();

  add(row: TallyRow): void {
    this.overall.add(row);
    tallyOf(this.byVendor, row[0]).add(row);
    tallyOf(this.byPm, row[1]).add(row);
  }

  report(t: number, lagging: CycleLagCase[]): CycleLagReport {
    return {
      asOf: toIso(t),
      overall: this.overall.summary(),
      byVendor: sortedSummaries(this.byVendor).map(([vendorId, summary]) => ({ vendorId, ...summary })),
      byPm: sortedSummaries(this.byPm).map(([pmId, summary]) => ({ pmId, ...summary })),
      lagging,
    };
  }
}

/** The report from the settled cases, for a T at or after every case's latest change. */
function settledReport(cases: readonly SettledCase[], t: number): CycleLagReport {
  const tallies = new Tallies();
  const lagging: CycleLagCase[] = [];
  for (const c of cases) {
    const lagMs = c.promisedBy === null ? 0 : Math.max(0, (c.open ? t : c.endAt) - c.promisedBy);
    const row: TallyRow = [
      c.vendorId,
      c.pmId,
      1,
      lagMs > 0 ? 1 : 0,
      lagMs,
      lagMs,
      c.headroomMs !== null && c.headroomMs < 0 ? 1 : 0,
    ];
    tallies.add(row);
    if (lagMs === 0) continue;
    lagging.push(
      c.completedLagging ??
        laggingCase([c.caseId, c.unitId, c.vendorId, c.pmId, c.promisedBy!, t, 1, lagMs, c.headroomMs!]),
    );
  }
  return tallies.report(t, lagging);
}

/**
 * Cycle lag as of `asOf` (kpis.md §1): every case with a unit dispatched to a vendor at or before
 * asOf; lag = max(0, min(vendorCompletedAt, asOf) − promisedBy), a case's vendorCompletedAt being
 * that of its last unit to complete. Vendor and PM are the deciding unit's, fixed at custody entry;
 * a case without a promise is considered but never lags.
 */
export function cycleLagReport(db: Database, options: { readonly asOf: string }): CycleLagReport {
  const t = toMs(options.asOf);
  const memo = settled(db);
  if (memo.changedUpTo === null || t >= memo.changedUpTo) return settledReport(settledCases(db, memo), t);
  const tallies = new Tallies();
  const lagging: CycleLagCase[] = [];
  for (const [kind, ...row] of db.prepare(REPORT_SQL).raw().all({ t }) as [0 | 1, ...unknown[]][]) {
    if (kind === 0) tallies.add(row as TallyRow);
    else lagging.push(laggingCase(row as LaggingRow));
  }
  return tallies.report(t, lagging);
}

export const CYCLE_LAG_CSV_COLUMNS: readonly CsvColumn<CycleLagCase>[] = [
  { header: 'case_id', value: (r) => r.caseId },
  { header: 'unit_id', value: (r) => r.unitId },
  { header: 'vendor_id', value: (r) => r.vendorId },
  { header: 'pm_id', value: (r) => r.pmId },
  { header: 'promised_by', value: (r) => r.promisedBy },
  { header: 'vendor_completed_at', value: (r) => r.vendorCompletedAt },
  { header: 'lag_days', value: (r) => r.lagDays },
  { header: 'headroom_days', value: (r) => r.headroomDays },
];

/** The lagging cases, one line each. */
export function cycleLagCsv(report: CycleLagReport): string {
  return toCsv(CYCLE_LAG_CSV_COLUMNS, report.lagging);
}
