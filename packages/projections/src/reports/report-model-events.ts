import { type DomainEvent, goesToVendor, type Money } from '@rma-ledger/domain';
import type { CustodyState } from './report-model.js';

const CASE_PREFIX = 'case-'.length;
const UNIT_PREFIX = 'rma-unit-'.length;

/**
 * Every change the report model makes, in the model's own terms. Two implementations: row by row
 * in SQL as events arrive (`bindReportModel`), and in memory for a new model's bulk load
 * (`bulkLoadReportModel`). `applyReportEvent` is the one place that says which event makes which
 * change, so the two cannot drift apart on that; each implementation only says how.
 */
export interface ReportModelWrites {
  registerSku(sku: string, name: string, at: number): void;
  /** The SKU's vendor and PM from `at` on. */
  assignSku(sku: string, at: number, vendorId: string, pmId: string): void;
  addSales(sku: string, soldOn: number, quantity: number): void;
  openCase(caseId: string, opened: OpenedCase, at: number): void;
  setPromise(caseId: string, promisedBy: number, at: number): void;
  /** The case's item came in; only the first receipt counts. */
  receive(caseId: string, at: number): void;
  payRefund(caseId: string, refund: PaidRefund, at: number): void;
  /** The unit enters custody, awaiting inspection. */
  enterCustody(unit: UnitInCustody, at: number): void;
  /** A new custody state ends the unit's current one. */
  moveTo(unitId: string, state: CustodyState, at: number): void;
  dispatch(unitId: string, dispatchNo: number, at: number, dueAt: number): void;
  dun(unitId: string, dispatchNo: number, dunningNo: number, at: number): void;
  /** The vendor's answer to a dispatch; only the first counts. */
  respond(
    unitId: string,
    dispatchNo: number,
    at: number,
    response: 'repaired' | 'replacement' | 'credit' | 'rejected',
    amount: number | null,
    currency: string | null,
  ): void;
  retest(unitId: string, dispatchNo: number, at: number, passed: 0 | 1): void;
  /** The unit's vendor cycle is complete; later completions change nothing. */
  complete(unitId: string, at: number): void;
  /** The unit leaves custody; `chargedPm` overrides the unit's PM (a write-off's). */
  dispose(
    unitId: string,
    kind: 'restocked' | 'returned-to-customer' | 'liquidated' | 'written-off',
    at: number,
    chargedPm: string | null,
    currency: string | null,
    amount: number | null,
    loss: number | null,
  ): void;
}

export interface OpenedCase {
  readonly sku: string;
  readonly quantity: number;
  readonly vendorId: string;
  readonly pmId: string;
  readonly orderId: string;
}

export interface PaidRefund {
  readonly refundId: string;
  readonly amount: Money;
  readonly paymentRef: string;
}

export interface UnitInCustody {
  readonly unitId: string;
  readonly caseId: string;
  readonly sku: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly unitCost: Money;
}

/**
 * What an event changes in the report model; events the model does not follow change nothing.
 * Event data goes to the writes as it is (the interfaces above are its shapes): this runs for
 * every event of a rebuild, so it allocates nothing of its own.
 */
export function applyReportEvent(w: ReportModelWrites, event: DomainEvent, streamName: string): void {
  const at = Date.parse(event.data.occurredAt);
  switch (event.type) {
    case 'SkuRegistered':
      w.registerSku(event.data.sku, event.data.name, at);
      w.assignSku(event.data.sku, at, event.data.vendorId, event.data.pmId);
      return;
    case 'SkuReassigned':
      w.assignSku(event.data.sku, at, event.data.vendorId, event.data.pmId);
      return;
    case 'SalesRecorded':
      w.addSales(event.data.sku, Date.parse(event.data.soldOn), event.data.quantity);
      return;
    case 'CaseOpened':
      w.openCase(streamName.slice(CASE_PREFIX), event.data, at);
      return;
    case 'CustomerPromiseSet':
      w.setPromise(streamName.slice(CASE_PREFIX), Date.parse(event.data.promisedBy), at);
      return;
    case 'ItemReceived':
      w.receive(streamName.slice(CASE_PREFIX), at);
      return;
    case 'RefundPaid':
      w.payRefund(streamName.slice(CASE_PREFIX), event.data, at);
      return;
    case 'UnitEnteredCustody':
      w.enterCustody(event.data, at);
      return;
    case 'UnitGraded':
      w.moveTo(
        streamName.slice(UNIT_PREFIX),
        goesToVendor(event.data.grade) ? 'awaiting-dispatch' : 'awaiting-disposition',
        at,
      );
      return;
    case 'UnitDispatchedToVendor': {
      const unitId = streamName.slice(UNIT_PREFIX);
      w.dispatch(unitId, event.data.dispatchNo, at, Date.parse(event.data.vendorDueAt));
      w.moveTo(unitId, 'at-vendor', at);
      return;
    }
    case 'VendorDunned':
      w.dun(streamName.slice(UNIT_PREFIX), event.data.dispatchNo, event.data.dunningNo, at);
      return;
    case 'VendorReturnedRepaired':
    case 'VendorSentReplacement': {
      const unitId = streamName.slice(UNIT_PREFIX);
      const response = event.type === 'VendorReturnedRepaired' ? 'repaired' : 'replacement';
      w.respond(unitId, event.data.dispatchNo, at, response, null, null);
      w.moveTo(unitId, 'awaiting-retest', at);
      return;
    }
    case 'VendorIssuedCredit': {
      const unitId = streamName.slice(UNIT_PREFIX);
      const { amount } = event.data;
      w.respond(unitId, event.data.dispatchNo, at, 'credit', amount.amount, amount.currency);
      w.complete(unitId, at);
      w.moveTo(unitId, 'awaiting-disposition', at);
      return;
    }
    case 'VendorRejectedClaim': {
      const unitId = streamName.slice(UNIT_PREFIX);
      w.respond(unitId, event.data.dispatchNo, at, 'rejected', null, null);
      w.complete(unitId, at);
      w.moveTo(unitId, 'awaiting-disposition', at);
      return;
    }
    case 'RetestPassed': {
      const unitId = streamName.slice(UNIT_PREFIX);
      w.retest(unitId, event.data.dispatchNo, at, 1);
      w.complete(unitId, at);
      w.moveTo(unitId, 'awaiting-disposition', at);
      return;
    }
    case 'RetestFailed': {
      const unitId = streamName.slice(UNIT_PREFIX);
      w.retest(unitId, event.data.dispatchNo, at, 0);
      w.moveTo(unitId, 'awaiting-dispatch', at);
      return;
    }
    case 'UnitRestocked':
      w.dispose(streamName.slice(UNIT_PREFIX), 'restocked', at, null, null, null, null);
      return;
    case 'UnitReturnedToCustomer':
      w.dispose(streamName.slice(UNIT_PREFIX), 'returned-to-customer', at, null, null, null, null);
      return;
    case 'UnitLiquidated': {
      const unitId = streamName.slice(UNIT_PREFIX);
      const { recovered, loss } = event.data;
      w.complete(unitId, at);
      w.dispose(unitId, 'liquidated', at, null, recovered.currency, recovered.amount, loss.amount);
      return;
    }
    case 'UnitWrittenOff': {
      const unitId = streamName.slice(UNIT_PREFIX);
      const { chargedToPmId, amount } = event.data;
      w.complete(unitId, at);
      w.dispose(unitId, 'written-off', at, chargedToPmId, amount.currency, amount.amount, null);
      return;
    }
  }
}
