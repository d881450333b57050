import type { DomainEvent } from '@rma-ledger/domain';
import type { Database } from 'better-sqlite3';
import type { BulkLoad } from '../projection.js';
import { FILL_CYCLE_CASES } from './cycle-cases.js';
import type { CustodyState } from './report-model.js';
import { applyReportEvent, type ReportModelWrites } from './report-model-events.js';

interface CaseRow {
  readonly caseId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly vendorId: string;
  readonly pmId: string;
  readonly openedAt: number;
  promisedBy: number | null;
  promiseSetAt: number | null;
  firstReceivedAt: number | null;
  firstDispatchedAt: number | null;
  firstDueAt: number | null;
  readonly orderId: string;
}

interface RefundRow {
  readonly refundId: string;
  readonly caseId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paidAt: number;
  caseReceivedAt: number | null;
  readonly paymentRef: string;
}

interface UnitRow {
  readonly unitId: string;
  readonly caseId: string;
  readonly sku: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly unitCost: number;
  readonly currency: string;
  readonly enteredAt: number;
}

interface StateRow {
  readonly unitId: string;
  readonly state: CustodyState;
  readonly fromAt: number;
  toAt: number | null;
}

interface DispatchRow {
  readonly unitId: string;
  readonly dispatchNo: number;
  readonly caseId: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly dispatchedAt: number;
  readonly dueAt: number;
  respondedAt: number | null;
  response: string | null;
  creditAmount: number | null;
  creditCurrency: string | null;
}

interface CycleUnitRow {
  readonly caseId: string;
  readonly unitId: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly firstDispatchedAt: number;
  completedAt: number | null;
  promisedBy: number | null;
  promiseSetAt: number | null;
  firstDueAt: number;
}

/** A table's rows by primary key; inserting a key twice fails as the table's constraint would. */
class Rows<R> {
  readonly byKey = new Map<string, R>();
  constructor(private readonly table: string) {}

  insert(key: string, row: R): void {
    if (this.byKey.has(key)) throw new Error(`UNIQUE constraint failed: ${this.table} (${key})`);
    this.byKey.set(key, row);
  }

  /** Takes the rows out in key order, so that the final inserts append to each B-tree. */
  *drain(): Generator<R> {
    const keys = [...this.byKey.keys()].sort();
    for (const key of keys) yield this.byKey.get(key)!;
    this.byKey.clear();
  }
}

/** Rows per INSERT when writing a bulk load: fewer calls into SQLite. */
const ROWS_PER_INSERT = 64;

const key = (...parts: (string | number)[]) => parts.join('\u0000');

/**
 * The report model's bulk load: the same rows `bindReportModel` writes, kept in memory and
 * inserted at the end; `cycle_cases`, which is a function of `cycle_units`, is then computed in
 * one statement. Which event makes which change is `applyReportEvent`'s, shared with
 * `bindReportModel`; this is only how each change is made in memory, and each must leave the rows
 * its SQL twin would: the rebuilt-equals-live tests compare the two.
 */
export function bulkLoadReportModel(db: Database): BulkLoad<DomainEvent> {
  const skus = new Rows<[string, string, number]>('skus');
  const assignments: [string, number, number, string, string][] = [];
  const assignmentSeq = new Map<string, number>();
  const sales = new Map<string, [string, number, number]>();
  const cases = new Rows<CaseRow>('cases');
  const promises = new Map<string, [string, number, number]>();
  const refunds = new Rows<RefundRow>('refunds');
  const refundsByCase = new Map<string, RefundRow[]>();
  const units = new Rows<UnitRow>('units');
  const states: StateRow[] = [];
  const currentState = new Map<string, StateRow>();
  const dispatches = new Rows<DispatchRow>('dispatches');
  const cycleUnits = new Map<string, Map<string, CycleUnitRow>>();
  const dunnings = new Rows<[string, number, number, string, string, number]>('dunnings');
  const retests = new Rows<[string, number, string, string, number, number]>('retests');
  const disposals = new Rows<
    [string, string, number, string, string, string | null, number | null, number | null]
  >('disposals');

  const assign = (sku: string, at: number, vendorId: string, pmId: string) => {
    const k = key(sku, at);
    const seq = assignmentSeq.get(k) ?? 0;
    assignmentSeq.set(k, seq + 1);
    assignments.push([sku, at, seq, vendorId, pmId]);
  };
  const endState = (unitId: string, at: number) => {
    const current = currentState.get(unitId);
    if (current === undefined) return;
    current.toAt = at;
    currentState.delete(unitId);
  };
  const startState = (unitId: string, state: CustodyState, at: number) => {
    // the unit's own id string, rather than one more copy per state
    const row: StateRow = {
      unitId: units.byKey.get(unitId)?.unitId ?? unitId,
      state,
      fromAt: at,
      toAt: null,
    };
    states.push(row);
    currentState.set(unitId, row);
  };
  const moveTo = (unitId: string, state: CustodyState, at: number) => {
    endState(unitId, at);
    startState(unitId, state, at);
  };
  const complete = (unitId: string, at: number) => {
    const unit = units.byKey.get(unitId);
    if (unit === undefined) return;
    const row = cycleUnits.get(unit.caseId)?.get(unitId);
    if (row !== undefined && row.completedAt === null) row.completedAt = at;
  };
  const respond = (
    unitId: string,
    dispatchNo: number,
    at: number,
    response: string,
    amount: number | null,
    currency: string | null,
  ) => {
    const row = dispatches.byKey.get(key(unitId, dispatchNo));
    if (row === undefined || row.respondedAt !== null) return;
    row.respondedAt = at;
    row.response = response;
    row.creditAmount = amount;
    row.creditCurrency = currency;
  };
  const retest = (unitId: string, dispatchNo: number, at: number, passed: number) => {
    const unit = units.byKey.get(unitId);
    if (unit !== undefined)
      retests.insert(key(unitId, dispatchNo), [unitId, dispatchNo, unit.vendorId, unit.pmId, at, passed]);
  };
  const dispose = (
    unitId: string,
    kind: string,
    at: number,
    chargedPm: string | null,
    currency: string | null,
    amount: number | null,
    loss: number | null,
  ) => {
    endState(unitId, at);
    const unit = units.byKey.get(unitId);
    if (unit !== undefined)
      disposals.insert(unitId, [
        unitId,
        kind,
        at,
        unit.vendorId,
        chargedPm ?? unit.pmId,
        currency,
        amount,
        loss,
      ]);
  };
  /** As `dispatch` in `bindReportModel`: the case's earliest dispatch, and the unit's first. */
  const dispatch = (unit: UnitRow, dispatchNo: number, at: number, dueAt: number) => {
    const { unitId, caseId, vendorId, pmId } = unit;
    dispatches.insert(key(unitId, dispatchNo), {
      unitId,
      dispatchNo,
      caseId,
      vendorId,
      pmId,
      dispatchedAt: at,
      dueAt,
      respondedAt: null,
      response: null,
      creditAmount: null,
      creditCurrency: null,
    });
    const c = cases.byKey.get(caseId);
    if (c === undefined) return;
    let caseUnits = cycleUnits.get(caseId);
    if (c.firstDispatchedAt === null || c.firstDispatchedAt > at) {
      c.firstDispatchedAt = at;
      c.firstDueAt = dueAt;
      for (const row of caseUnits?.values() ?? []) row.firstDueAt = dueAt;
    }
    if (caseUnits === undefined) {
      caseUnits = new Map();
      cycleUnits.set(caseId, caseUnits);
    }
    if (!caseUnits.has(unitId)) {
      caseUnits.set(unitId, {
        caseId,
        unitId,
        vendorId,
        pmId,
        firstDispatchedAt: at,
        completedAt: null,
        promisedBy: c.promisedBy,
        promiseSetAt: c.promiseSetAt,
        firstDueAt: c.firstDueAt!,
      });
    }
  };

  const writes: ReportModelWrites = {
    registerSku: (sku, name, at) => skus.insert(sku, [sku, name, at]),
    assignSku: assign,
    addSales: (sku, soldOn, quantity) => {
      const k = key(sku, soldOn);
      const row = sales.get(k);
      if (row) row[2] += quantity;
      else sales.set(k, [sku, soldOn, quantity]);
    },
    openCase: (caseId, c, at) =>
      cases.insert(caseId, {
        caseId,
        sku: c.sku,
        quantity: c.quantity,
        vendorId: c.vendorId,
        pmId: c.pmId,
        openedAt: at,
        promisedBy: null,
        promiseSetAt: null,
        firstReceivedAt: null,
        firstDispatchedAt: null,
        firstDueAt: null,
        orderId: c.orderId,
      }),
    setPromise: (caseId, promisedBy, at) => {
      const c = cases.byKey.get(caseId);
      if (c !== undefined) {
        c.promisedBy = promisedBy;
        c.promiseSetAt = at;
      }
      promises.set(key(caseId, at), [caseId, at, promisedBy]);
      for (const row of cycleUnits.get(caseId)?.values() ?? []) {
        row.promisedBy = promisedBy;
        row.promiseSetAt = at;
      }
    },
    receive: (caseId, at) => {
      const c = cases.byKey.get(caseId);
      if (c !== undefined && c.firstReceivedAt === null) c.firstReceivedAt = at;
      for (const refund of refundsByCase.get(caseId) ?? []) {
        if (refund.caseReceivedAt === null) refund.caseReceivedAt = at;
      }
    },
    payRefund: (caseId, r, at) => {
      const refund: RefundRow = {
        refundId: r.refundId,
        caseId,
        amount: r.amount.amount,
        currency: r.amount.currency,
        paidAt: at,
        caseReceivedAt: cases.byKey.get(caseId)?.firstReceivedAt ?? null,
        paymentRef: r.paymentRef,
      };
      refunds.insert(r.refundId, refund);
      const ofCase = refundsByCase.get(caseId);
      if (ofCase) ofCase.push(refund);
      else refundsByCase.set(caseId, [refund]);
    },
    enterCustody: (u, at) => {
      units.insert(u.unitId, {
        unitId: u.unitId,
        caseId: u.caseId,
        sku: u.sku,
        vendorId: u.vendorId,
        pmId: u.pmId,
        unitCost: u.unitCost.amount,
        currency: u.unitCost.currency,
        enteredAt: at,
      });
      startState(u.unitId, 'awaiting-inspection', at);
    },
    moveTo,
    dispatch: (unitId, dispatchNo, at, dueAt) => {
      const unit = units.byKey.get(unitId);
      if (unit !== undefined) dispatch(unit, dispatchNo, at, dueAt);
    },
    dun: (unitId, dispatchNo, dunningNo, at) => {
      const unit = units.byKey.get(unitId);
      if (unit !== undefined)
        dunnings.insert(key(unitId, dispatchNo, dunningNo), [
          unitId,
          dispatchNo,
          dunningNo,
          unit.vendorId,
          unit.pmId,
          at,
        ]);
    },
    respond,
    retest,
    complete,
    dispose,
  };
  const apply = (event: DomainEvent, recorded: { readonly streamName: string }): void =>
    applyReportEvent(writes, event, recorded.streamName);

  /** Inserts the rows, as `values` gives them (all as wide as `sql`'s one row), many to a statement. */
  const insertAll = <R>(sql: string, rows: Iterable<R>, values: (row: R) => unknown[]) => {
    const tuple = sql.slice(sql.lastIndexOf('('));
    const many = db.prepare(`${sql}${`, ${tuple}`.repeat(ROWS_PER_INSERT - 1)}`);
    const one = db.prepare(sql);
    let chunk: unknown[] = [];
    let count = 0;
    for (const row of rows) {
      chunk.push(...values(row));
      if (++count === ROWS_PER_INSERT) {
        many.run(chunk);
        chunk = [];
        count = 0;
      }
    }
    const width = chunk.length / Math.max(count, 1);
    for (let i = 0; i < count; i++) one.run(chunk.slice(i * width, (i + 1) * width));
  };
  const asIs = (row: unknown[]) => row;

  /** Each table's rows in key order, each table let go of once written. */
  const finish = () => {
    insertAll('INSERT INTO skus (sku, name, registered_at) VALUES (?, ?, ?)', skus.drain(), asIs);
    insertAll(
      'INSERT INTO sku_assignments (sku, from_at, seq, vendor_id, pm_id) VALUES (?, ?, ?, ?, ?)',
      assignments,
      asIs,
    );
    insertAll(
      'INSERT INTO sales_daily (sku, sold_on, quantity) VALUES (?, ?, ?)',
      [...sales.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])),
      asIs,
    );
    sales.clear();
    insertAll(
      `INSERT INTO cases (case_id, sku, quantity, vendor_id, pm_id, opened_at, promised_by, promise_set_at,
         first_received_at, first_dispatched_at, first_due_at, order_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      cases.drain(),
      (c) => [
        c.caseId,
        c.sku,
        c.quantity,
        c.vendorId,
        c.pmId,
        c.openedAt,
        c.promisedBy,
        c.promiseSetAt,
        c.firstReceivedAt,
        c.firstDispatchedAt,
        c.firstDueAt,
        c.orderId,
      ],
    );
    insertAll(
      'INSERT INTO case_promises (case_id, set_at, promised_by) VALUES (?, ?, ?)',
      [...promises.keys()].sort(),
      (k) => promises.get(k)!,
    );
    promises.clear();
    insertAll(
      `INSERT INTO refunds (refund_id, case_id, amount, currency, paid_at, case_received_at, payment_ref)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      refunds.drain(),
      (r) => [r.refundId, r.caseId, r.amount, r.currency, r.paidAt, r.caseReceivedAt, r.paymentRef],
    );
    refundsByCase.clear();
    insertAll(
      `INSERT INTO units (unit_id, case_id, sku, vendor_id, pm_id, unit_cost, currency, entered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      units.drain(),
      (u) => [u.unitId, u.caseId, u.sku, u.vendorId, u.pmId, u.unitCost, u.currency, u.enteredAt],
    );
    insertAll('INSERT INTO unit_states (unit_id, state, from_at, to_at) VALUES (?, ?, ?, ?)', states, (r) => [
      r.unitId,
      r.state,
      r.fromAt,
      r.toAt,
    ]);
    states.length = 0;
    currentState.clear();
    insertAll(
      `INSERT INTO dispatches (unit_id, dispatch_no, case_id, vendor_id, pm_id, dispatched_at, due_at,
         responded_at, response, credit_amount, credit_currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      dispatches.drain(),
      (d) => [
        d.unitId,
        d.dispatchNo,
        d.caseId,
        d.vendorId,
        d.pmId,
        d.dispatchedAt,
        d.dueAt,
        d.respondedAt,
        d.response,
        d.creditAmount,
        d.creditCurrency,
      ],
    );
    insertAll(
      `INSERT INTO cycle_units (case_id, unit_id, vendor_id, pm_id, first_dispatched_at, completed_at,
         promised_by, promise_set_at, first_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      (function* () {
        for (const caseId of [...cycleUnits.keys()].sort()) yield* cycleUnits.get(caseId)!.values();
      })(),
      (u) => [
        u.caseId,
        u.unitId,
        u.vendorId,
        u.pmId,
        u.firstDispatchedAt,
        u.completedAt,
        u.promisedBy,
        u.promiseSetAt,
        u.firstDueAt,
      ],
    );
    cycleUnits.clear();
    db.exec(FILL_CYCLE_CASES);
    insertAll(
      'INSERT INTO dunnings (unit_id, dispatch_no, dunning_no, vendor_id, pm_id, at) VALUES (?, ?, ?, ?, ?, ?)',
      dunnings.drain(),
      asIs,
    );
    insertAll(
      'INSERT INTO retests (unit_id, dispatch_no, vendor_id, pm_id, at, passed) VALUES (?, ?, ?, ?, ?, ?)',
      retests.drain(),
      asIs,
    );
    insertAll(
      `INSERT INTO disposals (unit_id, kind, at, vendor_id, pm_id, currency, amount, loss)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      disposals.drain(),
      asIs,
    );
  };

  return { apply, finish };
}
