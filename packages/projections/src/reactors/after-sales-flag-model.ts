import type { DomainEvent } from '@rma-ledger/domain';
import type { Database } from 'better-sqlite3';
import type { BulkLoad, Projection } from '../projection.js';
import type { AfterSalesFlag } from '../reports/after-sales-ratio.js';
import { byBinary } from '../reports/binary-order.js';
import { DAY_MS } from '../reports/time.js';

export interface AfterSalesFlagConfig {
  /** Ratio at or above which a SKU is flagged `alert`; default 0.02. */
  readonly alertRatio: number;
  /** Ratio at or above which a SKU is flagged `delist`; default 0.05. */
  readonly delistRatio: number;
  /** A SKU is flagged only when at least this many units were sold in the window; default 50. */
  readonly minUnitsSold: number;
  /** Length of the trailing window in days of business time; default 90. */
  readonly windowDays: number;
}

export const DEFAULT_AFTER_SALES_FLAG_CONFIG: AfterSalesFlagConfig = {
  alertRatio: 0.02,
  delistRatio: 0.05,
  minUnitsSold: 50,
  windowDays: 90,
};

/** The flag kpis.md §6 gives a SKU with these units over a period; the same rule as the report's. */
export function afterSalesFlagLevel(
  unitsSold: number,
  unitsOnCases: number,
  config: AfterSalesFlagConfig,
): AfterSalesFlag | null {
  if (unitsSold === 0 || unitsSold < config.minUnitsSold) return null;
  const ratio = unitsOnCases / unitsSold;
  return ratio >= config.delistRatio ? 'delist' : ratio >= config.alertRatio ? 'alert' : null;
}

export const AFTER_SALES_FLAG_MODEL = 'after-sales-flags';

/**
 * The reactor's state, checkpointed by the projection runner with its rows:
 * - `flag_clock.boundary`: the last UTC midnight the business clock passed (every SKU in play was
 *   evaluated there), null before the first sale or case;
 * - `flag_daily`: units sold (by sales day) and units on cases opened (by UTC day of opening) per
 *   SKU and day, kept while the day is in the window or still ahead of the clock;
 * - `flag_skus`: per SKU, the totals over the window ending at the boundary, the level last
 *   decided, and whether the totals changed since the SKU was last evaluated;
 * - `flag_outbox`: flag changes decided but not yet handed to the writer, in decision order.
 */
const SCHEMA = `
CREATE TABLE flag_clock (id INTEGER PRIMARY KEY CHECK (id = 1), boundary INTEGER);
INSERT INTO flag_clock (id, boundary) VALUES (1, NULL);
CREATE TABLE flag_daily (
  sku TEXT NOT NULL,
  day INTEGER NOT NULL,
  sold INTEGER NOT NULL,
  cased INTEGER NOT NULL,
  PRIMARY KEY (sku, day)
) WITHOUT ROWID;
CREATE INDEX flag_daily_by_day ON flag_daily (day);
CREATE TABLE flag_skus (
  sku TEXT PRIMARY KEY,
  sold INTEGER NOT NULL,
  cased INTEGER NOT NULL,
  level TEXT CHECK (level IN ('alert', 'delist')),
  dirty INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX flag_skus_dirty ON flag_skus (sku) WHERE dirty = 1;
CREATE TABLE flag_outbox (
  seq INTEGER PRIMARY KEY,
  sku TEXT NOT NULL,
  change TEXT NOT NULL CHECK (change IN ('raise', 'clear')),
  -- the level raised, or the level cleared
  level TEXT NOT NULL CHECK (level IN ('alert', 'delist')),
  units_sold INTEGER NOT NULL,
  units_on_cases INTEGER NOT NULL,
  period_from INTEGER NOT NULL,
  period_to INTEGER NOT NULL
);
`;

/** A flag change waiting in the outbox. */
export interface OutboxRow {
  readonly seq: number;
  readonly sku: string;
  readonly change: 'raise' | 'clear';
  readonly level: AfterSalesFlag;
  readonly unitsSold: number;
  readonly unitsOnCases: number;
  readonly periodFrom: number;
  readonly periodTo: number;
}

const floorDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * The flag reactor's model as a projection: it follows sales and opened cases, moves a business
 * clock (the latest `occurredAt` of any of them) and, at each UTC midnight the clock passes,
 * re-evaluates every SKU whose window totals changed and queues a change of level in the outbox.
 * `onQueued` is called (inside the transaction) whenever a change was queued.
 */
export function afterSalesFlagProjection(
  config: AfterSalesFlagConfig,
  onQueued: () => void,
): Projection<DomainEvent> {
  const windowMs = config.windowDays * DAY_MS;
  return {
    name: AFTER_SALES_FLAG_MODEL,
    // The running totals are kept for one window length: another length needs a rebuild.
    version: 1 + 1000 * config.windowDays,
    schema: SCHEMA,
    eventTypes: ['SalesRecorded', 'CaseOpened'],
    bind(db: Database) {
      const s = {
        boundary: db.prepare('SELECT boundary FROM flag_clock WHERE id = 1').pluck(),
        setBoundary: db.prepare('UPDATE flag_clock SET boundary = ? WHERE id = 1'),
        addDaily: db.prepare(
          `INSERT INTO flag_daily (sku, day, sold, cased) VALUES (?, ?, ?, ?)
           ON CONFLICT (sku, day) DO UPDATE SET sold = sold + excluded.sold, cased = cased + excluded.cased`,
        ),
        addTotals: db.prepare(
          `INSERT INTO flag_skus (sku, sold, cased, level, dirty) VALUES (?, ?, ?, NULL, 1)
           ON CONFLICT (sku) DO UPDATE SET sold = sold + excluded.sold, cased = cased + excluded.cased, dirty = 1`,
        ),
        enterDay: db.prepare(
          `INSERT INTO flag_skus (sku, sold, cased, level, dirty)
           SELECT sku, sold, cased, NULL, 1 FROM flag_daily WHERE day = ?
           ON CONFLICT (sku) DO UPDATE SET sold = sold + excluded.sold, cased = cased + excluded.cased, dirty = 1`,
        ),
        leaveDay: db.prepare(
          `UPDATE flag_skus SET sold = flag_skus.sold - d.sold, cased = flag_skus.cased - d.cased, dirty = 1
           FROM (SELECT sku, sold, cased FROM flag_daily WHERE day = ?) AS d
           WHERE flag_skus.sku = d.sku`,
        ),
        forgetDay: db.prepare('DELETE FROM flag_daily WHERE day = ?'),
        dirty: db.prepare('SELECT sku, sold, cased, level FROM flag_skus WHERE dirty = 1 ORDER BY sku'),
        setLevel: db.prepare('UPDATE flag_skus SET level = ? WHERE sku = ?'),
        clean: db.prepare('UPDATE flag_skus SET dirty = 0 WHERE dirty = 1'),
        queue: db.prepare(
          `INSERT INTO flag_outbox (sku, change, level, units_sold, units_on_cases, period_from, period_to)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ),
      };

      const evaluate = (boundary: number) => {
        let queued = false;
        const rows = s.dirty.all() as {
          sku: string;
          sold: number;
          cased: number;
          level: AfterSalesFlag | null;
        }[];
        for (const row of rows) {
          const level = afterSalesFlagLevel(row.sold, row.cased, config);
          if (level === row.level) continue;
          const change = level === null ? 'clear' : 'raise';
          s.queue.run(
            row.sku,
            change,
            level ?? row.level,
            row.sold,
            row.cased,
            boundary - windowMs,
            boundary,
          );
          s.setLevel.run(level, row.sku);
          queued = true;
        }
        s.clean.run();
        if (queued) onQueued();
      };

      /** Moves the clock to `target`, evaluating at every midnight on the way; returns the clock. */
      const advanceTo = (target: number): number => {
        let boundary = s.boundary.get() as number | null;
        if (boundary === null) {
          s.setBoundary.run(target);
          return target;
        }
        if (target <= boundary) return boundary;
        while (boundary < target) {
          boundary += DAY_MS;
          s.enterDay.run(boundary - DAY_MS);
          const leaving = boundary - DAY_MS - windowMs;
          s.leaveDay.run(leaving);
          s.forgetDay.run(leaving);
          evaluate(boundary);
        }
        s.setBoundary.run(boundary);
        return boundary;
      };

      /** Counts units of `day`: into the window now if the day is already in it, else when it enters. */
      const record = (boundary: number, sku: string, day: number, sold: number, cased: number) => {
        if (day < boundary - windowMs) return;
        s.addDaily.run(sku, day, sold, cased);
        if (day < boundary) s.addTotals.run(sku, sold, cased);
      };

      return (event) => {
        const boundary = advanceTo(floorDay(Date.parse(event.data.occurredAt)));
        if (event.type === 'SalesRecorded') {
          record(boundary, event.data.sku, Date.parse(event.data.soldOn), event.data.quantity, 0);
        } else if (event.type === 'CaseOpened') {
          const day = floorDay(Date.parse(event.data.occurredAt));
          record(boundary, event.data.sku, day, 0, event.data.quantity);
        }
      };
    },
    bulkLoad: (db) => bulkLoadFlagModel(db, config, onQueued),
  };
}

interface SkuTotals {
  sold: number;
  cased: number;
  level: AfterSalesFlag | null;
}

/**
 * The model's bulk load: the same clock, window and evaluations as `bind`'s statements, on maps,
 * with every row written at the end. It must leave exactly the rows they would: the tests compare
 * the two on a generated business.
 */
function bulkLoadFlagModel(
  db: Database,
  config: AfterSalesFlagConfig,
  onQueued: () => void,
): BulkLoad<DomainEvent> {
  const windowMs = config.windowDays * DAY_MS;
  let boundary: number | null = null;
  /** flag_daily: per day, per SKU, [sold, cased]. */
  const daily = new Map<number, Map<string, [number, number]>>();
  const skus = new Map<string, SkuTotals>();
  const dirty = new Set<string>();
  const outbox: unknown[][] = [];

  const addTotals = (sku: string, sold: number, cased: number) => {
    const totals = skus.get(sku);
    if (totals) {
      totals.sold += sold;
      totals.cased += cased;
    } else skus.set(sku, { sold, cased, level: null });
    dirty.add(sku);
  };
  const evaluate = (at: number) => {
    for (const sku of [...dirty].sort(byBinary)) {
      const totals = skus.get(sku)!;
      const level = afterSalesFlagLevel(totals.sold, totals.cased, config);
      if (level === totals.level) continue;
      const change = level === null ? 'clear' : 'raise';
      outbox.push([sku, change, level ?? totals.level, totals.sold, totals.cased, at - windowMs, at]);
      totals.level = level;
    }
    dirty.clear();
  };
  const advanceTo = (target: number): number => {
    if (boundary === null) boundary = target;
    while (boundary < target) {
      boundary += DAY_MS;
      for (const [sku, [sold, cased]] of daily.get(boundary - DAY_MS) ?? []) addTotals(sku, sold, cased);
      const leaving = boundary - DAY_MS - windowMs;
      for (const [sku, [sold, cased]] of daily.get(leaving) ?? []) {
        const totals = skus.get(sku);
        if (totals === undefined) continue;
        totals.sold -= sold;
        totals.cased -= cased;
        dirty.add(sku);
      }
      daily.delete(leaving);
      evaluate(boundary);
    }
    return boundary;
  };
  const record = (at: number, sku: string, day: number, sold: number, cased: number) => {
    if (day < at - windowMs) return;
    let ofDay = daily.get(day);
    if (ofDay === undefined) {
      ofDay = new Map();
      daily.set(day, ofDay);
    }
    const row = ofDay.get(sku);
    if (row) {
      row[0] += sold;
      row[1] += cased;
    } else ofDay.set(sku, [sold, cased]);
    if (day < at) addTotals(sku, sold, cased);
  };

  return {
    apply: (event) => {
      const at = advanceTo(floorDay(Date.parse(event.data.occurredAt)));
      if (event.type === 'SalesRecorded') {
        record(at, event.data.sku, Date.parse(event.data.soldOn), event.data.quantity, 0);
      } else if (event.type === 'CaseOpened') {
        record(at, event.data.sku, floorDay(Date.parse(event.data.occurredAt)), 0, event.data.quantity);
      }
    },
    finish: () => {
      db.prepare('UPDATE flag_clock SET boundary = ? WHERE id = 1').run(boundary);
      const addDaily = db.prepare('INSERT INTO flag_daily (sku, day, sold, cased) VALUES (?, ?, ?, ?)');
      for (const [day, ofDay] of daily)
        for (const [sku, [sold, cased]] of ofDay) addDaily.run(sku, day, sold, cased);
      const addSku = db.prepare(
        'INSERT INTO flag_skus (sku, sold, cased, level, dirty) VALUES (?, ?, ?, ?, ?)',
      );
      for (const [sku, t] of skus) addSku.run(sku, t.sold, t.cased, t.level, dirty.has(sku) ? 1 : 0);
      const queue = db.prepare(
        `INSERT INTO flag_outbox (sku, change, level, units_sold, units_on_cases, period_from, period_to)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const row of outbox) queue.run(row);
      if (outbox.length > 0) onQueued();
    },
  };
}

export function nextOutboxRow(db: Database): OutboxRow | undefined {
  return db
    .prepare(
      `SELECT seq, sku, change, level, units_sold AS unitsSold, units_on_cases AS unitsOnCases,
              period_from AS periodFrom, period_to AS periodTo
       FROM flag_outbox ORDER BY seq LIMIT 1`,
    )
    .get() as OutboxRow | undefined;
}

/** Removes a row once written; matched on its content too, so a row of another generation is never taken for it. */
export function removeOutboxRow(db: Database, row: OutboxRow): void {
  db.prepare('DELETE FROM flag_outbox WHERE seq = ? AND sku = ? AND change = ? AND period_to = ?').run(
    row.seq,
    row.sku,
    row.change,
    row.periodTo,
  );
}
