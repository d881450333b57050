import type { DomainEvent } from '@rma-ledger/domain';
import type { RecordedEvent } from '@rma-ledger/event-store';
import type { Database } from 'better-sqlite3';
import type { Projection } from '../projection.js';
import { NOTE_CYCLE_CASE_WRITTEN, REFRESH_CYCLE_CASE } from './cycle-cases.js';
import { bulkLoadReportModel } from './report-model-bulk.js';
import { applyReportEvent, type ReportModelWrites } from './report-model-events.js';

const REPORT_EVENT_TYPES = [
  'SkuRegistered',
  'SkuReassigned',
  'SalesRecorded',
  'CaseOpened',
  'CustomerPromiseSet',
  'ItemReceived',
  'RefundPaid',
  'UnitEnteredCustody',
  'UnitGraded',
  'UnitDispatchedToVendor',
  'VendorDunned',
  'VendorReturnedRepaired',
  'VendorSentReplacement',
  'VendorIssuedCredit',
  'VendorRejectedClaim',
  'RetestPassed',
  'RetestFailed',
  'UnitRestocked',
  'UnitReturnedToCustomer',
  'UnitLiquidated',
  'UnitWrittenOff',
] as const satisfies readonly DomainEvent['type'][];

/**
 * The read model behind every KPI report. Rows keep business time (`occurredAt`, as epoch
 * milliseconds) as intervals and milestones — custody states with from/to, each dispatch with its
 * due and response times, the first completion of a unit's vendor cycle — so a report as of any
 * instant is the same indexed query with a different instant, never a replay.
 */
const REPORT_MODEL_SCHEMA = `
CREATE TABLE skus (
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  registered_at INTEGER NOT NULL
);
-- Which vendor and PM owned the SKU from when; the attribution in force at t is the latest from_at <= t.
CREATE TABLE sku_assignments (
  sku TEXT NOT NULL,
  from_at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  PRIMARY KEY (sku, from_at, seq)
) WITHOUT ROWID;
CREATE TABLE sales_daily (
  sku TEXT NOT NULL,
  sold_on INTEGER NOT NULL,
  quantity INTEGER NOT NULL,
  PRIMARY KEY (sku, sold_on)
) WITHOUT ROWID;
CREATE TABLE cases (
  case_id TEXT PRIMARY KEY,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  -- the latest customer promise, and since when (business time) it has been in force
  promised_by INTEGER,
  promise_set_at INTEGER,
  first_received_at INTEGER,
  -- the earliest dispatch of any of the case's units, and its vendorDueAt (headroom)
  first_dispatched_at INTEGER,
  first_due_at INTEGER,
  order_id TEXT NOT NULL
) WITHOUT ROWID;
-- case_received_at copies the case's first receipt, so refund exposure stays an indexed query.
CREATE TABLE refunds (
  refund_id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  paid_at INTEGER NOT NULL,
  case_received_at INTEGER,
  payment_ref TEXT NOT NULL
) WITHOUT ROWID;
-- Also how a receipt finds the case's refunds.
CREATE INDEX refunds_by_case ON refunds (case_id);
CREATE TABLE units (
  unit_id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  unit_cost INTEGER NOT NULL,
  currency TEXT NOT NULL,
  entered_at INTEGER NOT NULL
) WITHOUT ROWID;
-- Cycle lag's working set, one narrow row per dispatched unit, clustered by case so the report
-- scans it without lookups: the case's promise and first vendorDueAt are copied onto each row.
CREATE TABLE cycle_units (
  case_id TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  first_dispatched_at INTEGER NOT NULL,
  -- vendorCompletedAt: the first retest pass, credit, rejection, liquidation or write-off
  completed_at INTEGER,
  promised_by INTEGER,
  promise_set_at INTEGER,
  first_due_at INTEGER NOT NULL,
  PRIMARY KEY (case_id, unit_id)
) WITHOUT ROWID;
-- Cycle lag's per-case aggregate of cycle_units as it stands (as of any T after changed_at, the
-- latest business time of anything in it), so a report as of now needs no per-unit aggregation.
-- The deciding unit comes from a query with a single MAX(), whose bare columns are its row's.
-- end_at is the last completion, or a sentinel after any business time while a unit is open (the
-- report then ends the case at T); the deciding unit is the first open one, else the first to
-- complete last (what the report's MAX() picks as of T).
CREATE TABLE cycle_cases (
  case_id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  first_due_at INTEGER NOT NULL,
  promised_by INTEGER,
  end_at INTEGER NOT NULL,
  open_units INTEGER NOT NULL,
  changed_at INTEGER NOT NULL
) WITHOUT ROWID;
-- Every case of cycle_cases, in the order their rows were last written: a rewrite replaces the
-- case's row here, which takes the next rowid. Cycle lag as of now re-reads only the cases
-- written since it last looked.
CREATE TABLE cycle_case_writes (case_id TEXT NOT NULL UNIQUE);
-- Every promise a case was given: a report as of an instant before the latest one uses the one then in force.
CREATE TABLE case_promises (
  case_id TEXT NOT NULL,
  set_at INTEGER NOT NULL,
  promised_by INTEGER NOT NULL,
  PRIMARY KEY (case_id, set_at)
) WITHOUT ROWID;
-- Custody state intervals [from_at, to_at); to_at is null while the state lasts.
CREATE TABLE unit_states (
  unit_id TEXT NOT NULL,
  state TEXT NOT NULL,
  from_at INTEGER NOT NULL,
  to_at INTEGER
);
-- Also how a state change finds the state it ends.
CREATE INDEX unit_states_current ON unit_states (unit_id) WHERE to_at IS NULL;
CREATE TABLE dispatches (
  unit_id TEXT NOT NULL,
  dispatch_no INTEGER NOT NULL,
  case_id TEXT NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  dispatched_at INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  responded_at INTEGER,
  response TEXT,
  credit_amount INTEGER,
  credit_currency TEXT,
  PRIMARY KEY (unit_id, dispatch_no)
) WITHOUT ROWID;
CREATE TABLE dunnings (
  unit_id TEXT NOT NULL,
  dispatch_no INTEGER NOT NULL,
  dunning_no INTEGER NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (unit_id, dispatch_no, dunning_no)
) WITHOUT ROWID;
CREATE TABLE retests (
  unit_id TEXT NOT NULL,
  dispatch_no INTEGER NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  PRIMARY KEY (unit_id, dispatch_no)
) WITHOUT ROWID;
-- pm_id is the PM charged: the write-off's own chargedToPmId, else the unit's PM at custody entry.
CREATE TABLE disposals (
  unit_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('restocked', 'returned-to-customer', 'liquidated', 'written-off')),
  at INTEGER NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  currency TEXT,
  amount INTEGER,
  loss INTEGER
);
`;

/** The indexes only the reports read through (the runner builds them once the model has caught up). */
const REPORT_MODEL_INDEXES = `
CREATE INDEX IF NOT EXISTS sales_daily_by_day ON sales_daily (sold_on, quantity);
-- Covering: the after-sales ratio sums quantities per SKU over a period from the index alone.
CREATE INDEX IF NOT EXISTS cases_by_opened ON cases (opened_at, sku, quantity);
CREATE INDEX IF NOT EXISTS refunds_by_paid ON refunds (paid_at);
CREATE INDEX IF NOT EXISTS refunds_unreceived_by_paid ON refunds (paid_at) WHERE case_received_at IS NULL;
CREATE INDEX IF NOT EXISTS refunds_by_receipt ON refunds (case_received_at) WHERE case_received_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS units_by_case ON units (case_id);
CREATE INDEX IF NOT EXISTS cycle_cases_by_change ON cycle_cases (changed_at);
CREATE INDEX IF NOT EXISTS unit_states_open_since ON unit_states (from_at) WHERE to_at IS NULL;
CREATE INDEX IF NOT EXISTS unit_states_by_end ON unit_states (to_at) WHERE to_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS dispatches_open_by_due ON dispatches (due_at) WHERE responded_at IS NULL;
-- Both covering for the vendor scorecard, which reads every dispatch and response of a period.
CREATE INDEX IF NOT EXISTS dispatches_by_response
  ON dispatches (responded_at, vendor_id, pm_id, dispatched_at, due_at, response, credit_amount, credit_currency)
  WHERE responded_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS dispatches_by_dispatch ON dispatches (dispatched_at, vendor_id, pm_id);
CREATE INDEX IF NOT EXISTS dunnings_by_at ON dunnings (at, vendor_id, pm_id);
CREATE INDEX IF NOT EXISTS retests_by_at ON retests (at, vendor_id, pm_id, passed);
CREATE INDEX IF NOT EXISTS disposals_by_at ON disposals (at, pm_id, kind, currency, amount, loss);
`;

export type CustodyState =
  | 'awaiting-inspection'
  | 'awaiting-dispatch'
  | 'at-vendor'
  | 'awaiting-retest'
  | 'awaiting-disposition';

function bindReportModel(db: Database): (event: DomainEvent, recorded: RecordedEvent) => void {
  const s = {
    insertSku: db.prepare('INSERT INTO skus (sku, name, registered_at) VALUES (?, ?, ?)'),
    insertAssignment: db.prepare(
      `INSERT INTO sku_assignments (sku, from_at, seq, vendor_id, pm_id)
       VALUES (?, ?, (SELECT COUNT(*) FROM sku_assignments WHERE sku = ? AND from_at = ?), ?, ?)`,
    ),
    addSales: db.prepare(
      `INSERT INTO sales_daily (sku, sold_on, quantity) VALUES (?, ?, ?)
       ON CONFLICT (sku, sold_on) DO UPDATE SET quantity = quantity + excluded.quantity`,
    ),
    openCase: db.prepare(
      'INSERT INTO cases (case_id, sku, quantity, vendor_id, pm_id, opened_at, order_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    promise: db.prepare('UPDATE cases SET promised_by = ?, promise_set_at = ? WHERE case_id = ?'),
    promiseHistory: db.prepare(
      'INSERT OR REPLACE INTO case_promises (case_id, set_at, promised_by) VALUES (?, ?, ?)',
    ),
    receive: db.prepare(
      'UPDATE cases SET first_received_at = COALESCE(first_received_at, ?) WHERE case_id = ?',
    ),
    refundPaid: db.prepare(
      `INSERT INTO refunds (refund_id, case_id, amount, currency, paid_at, case_received_at, payment_ref)
       VALUES (?, ?, ?, ?, ?, (SELECT first_received_at FROM cases WHERE case_id = ?), ?)`,
    ),
    refundsReceived: db.prepare(
      'UPDATE refunds SET case_received_at = ? WHERE case_id = ? AND case_received_at IS NULL',
    ),
    enterCustody: db.prepare(
      `INSERT INTO units (unit_id, case_id, sku, vendor_id, pm_id, unit_cost, currency, entered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    endState: db.prepare('UPDATE unit_states SET to_at = ? WHERE unit_id = ? AND to_at IS NULL'),
    startState: db.prepare('INSERT INTO unit_states (unit_id, state, from_at) VALUES (?, ?, ?)'),
    unitOwners: db.prepare('SELECT case_id, vendor_id, pm_id FROM units WHERE unit_id = ?').raw(),
    dispatch: db.prepare(
      `INSERT INTO dispatches (unit_id, dispatch_no, case_id, vendor_id, pm_id, dispatched_at, due_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    firstDispatch: db.prepare(
      `UPDATE cases SET first_dispatched_at = ?, first_due_at = ?
       WHERE case_id = ? AND (first_dispatched_at IS NULL OR first_dispatched_at > ?)`,
    ),
    cycleUnit: db.prepare(
      `INSERT OR IGNORE INTO cycle_units
         (case_id, unit_id, vendor_id, pm_id, first_dispatched_at, promised_by, promise_set_at, first_due_at)
       SELECT case_id, ?, ?, ?, ?, promised_by, promise_set_at, first_due_at FROM cases WHERE case_id = ?`,
    ),
    cycleFirstDue: db.prepare(
      'UPDATE cycle_units SET first_due_at = ? WHERE case_id = ? AND first_due_at <> ?',
    ),
    cyclePromise: db.prepare('UPDATE cycle_units SET promised_by = ?, promise_set_at = ? WHERE case_id = ?'),
    refreshCycleCase: db.prepare(REFRESH_CYCLE_CASE),
    noteCycleCase: db.prepare(NOTE_CYCLE_CASE_WRITTEN),
    dun: db.prepare(
      `INSERT INTO dunnings (unit_id, dispatch_no, dunning_no, vendor_id, pm_id, at)
       SELECT unit_id, ?, ?, vendor_id, pm_id, ? FROM units WHERE unit_id = ?`,
    ),
    respond: db.prepare(
      `UPDATE dispatches SET responded_at = ?, response = ?, credit_amount = ?, credit_currency = ?
       WHERE unit_id = ? AND dispatch_no = ? AND responded_at IS NULL`,
    ),
    retest: db.prepare(
      `INSERT INTO retests (unit_id, dispatch_no, vendor_id, pm_id, at, passed)
       SELECT unit_id, ?, vendor_id, pm_id, ?, ? FROM units WHERE unit_id = ?`,
    ),
    complete: db
      .prepare(
        `UPDATE cycle_units SET completed_at = ?
         WHERE case_id = (SELECT case_id FROM units WHERE unit_id = ?) AND unit_id = ? AND completed_at IS NULL
         RETURNING case_id`,
      )
      .pluck(),
    disposal: db.prepare(
      `INSERT INTO disposals (unit_id, kind, at, vendor_id, pm_id, currency, amount, loss)
       SELECT unit_id, ?, ?, vendor_id, COALESCE(?, pm_id), ?, ?, ? FROM units WHERE unit_id = ?`,
    ),
  };

  const refreshCycleCase = (caseId: string) => {
    s.refreshCycleCase.run({ caseId });
    s.noteCycleCase.run({ caseId });
  };
  const endState = (unitId: string, at: number) => s.endState.run(at, unitId);
  const writes: ReportModelWrites = {
    registerSku: (sku, name, at) => s.insertSku.run(sku, name, at),
    assignSku: (sku, at, vendorId, pmId) => s.insertAssignment.run(sku, at, sku, at, vendorId, pmId),
    addSales: (sku, soldOn, quantity) => s.addSales.run(sku, soldOn, quantity),
    openCase: (caseId, c, at) => s.openCase.run(caseId, c.sku, c.quantity, c.vendorId, c.pmId, at, c.orderId),
    setPromise: (caseId, promisedBy, at) => {
      s.promise.run(promisedBy, at, caseId);
      s.promiseHistory.run(caseId, at, promisedBy);
      if (s.cyclePromise.run(promisedBy, at, caseId).changes > 0) refreshCycleCase(caseId);
    },
    receive: (caseId, at) => {
      s.receive.run(at, caseId);
      s.refundsReceived.run(at, caseId);
    },
    payRefund: (caseId, r, at) =>
      s.refundPaid.run(r.refundId, caseId, r.amount.amount, r.amount.currency, at, caseId, r.paymentRef),
    enterCustody: (u, at) => {
      const { unitId, caseId, sku, vendorId, pmId, unitCost } = u;
      s.enterCustody.run(unitId, caseId, sku, vendorId, pmId, unitCost.amount, unitCost.currency, at);
      s.startState.run(unitId, 'awaiting-inspection', at);
    },
    moveTo: (unitId, state, at) => {
      endState(unitId, at);
      s.startState.run(unitId, state, at);
    },
    /**
     * A dispatch may be the case's earliest (its due date sets the headroom, copied onto every
     * unit of the case in cycle lag's working set) and puts the unit into that working set.
     */
    dispatch: (unitId, dispatchNo, at, dueAt) => {
      const owners = s.unitOwners.get(unitId) as [string, string, string] | undefined;
      if (owners === undefined) return;
      const [caseId, vendorId, pmId] = owners;
      s.dispatch.run(unitId, dispatchNo, caseId, vendorId, pmId, at, dueAt);
      let changed = false;
      if (s.firstDispatch.run(at, dueAt, caseId, at).changes > 0) {
        changed = s.cycleFirstDue.run(dueAt, caseId, dueAt).changes > 0;
      }
      if (s.cycleUnit.run(unitId, vendorId, pmId, at, caseId).changes > 0) changed = true;
      if (changed) refreshCycleCase(caseId);
    },
    dun: (unitId, dispatchNo, dunningNo, at) => s.dun.run(dispatchNo, dunningNo, at, unitId),
    respond: (unitId, dispatchNo, at, response, amount, currency) =>
      s.respond.run(at, response, amount, currency, unitId, dispatchNo),
    retest: (unitId, dispatchNo, at, passed) => s.retest.run(dispatchNo, at, passed, unitId),
    complete: (unitId, at) => {
      const caseId = s.complete.get(at, unitId, unitId) as string | undefined;
      if (caseId !== undefined) refreshCycleCase(caseId);
    },
    dispose: (unitId, kind, at, chargedPm, currency, amount, loss) => {
      endState(unitId, at);
      s.disposal.run(kind, at, chargedPm, currency, amount, loss, unitId);
    },
  };
  return (event, recorded) => applyReportEvent(writes, event, recorded.streamName);
}

export const reportModelProjection: Projection<DomainEvent> = {
  name: 'reports',
  version: 6,
  schema: REPORT_MODEL_SCHEMA,
  indexes: REPORT_MODEL_INDEXES,
  eventTypes: REPORT_EVENT_TYPES,
  bind: bindReportModel,
  bulkLoad: bulkLoadReportModel,
};
