import { assertNever } from '../decider.js';
import { type Grade, goesToVendor } from '../shared/grade.js';
import type { Money } from '../shared/money.js';
import type { RmaUnitEvent } from './events.js';

/** The custody states of kpis.md §3, plus `none` (no such unit) and `disposed`. */
export type CustodyState =
  | 'none'
  | 'awaiting-inspection'
  | 'awaiting-dispatch'
  | 'at-vendor'
  | 'awaiting-retest'
  | 'awaiting-disposition'
  | 'disposed';

export type Disposition = 'restocked' | 'returned-to-customer' | 'liquidated' | 'written-off';

/**
 * Why a unit awaits disposition. Only a unit graded `resellable` (never sent to a vendor) or whose
 * last retest passed may be sold again; the others can only be liquidated or written off.
 */
export type DispositionBasis =
  | 'resellable'
  | 'customer-damaged'
  | 'scrap'
  | 'retest-passed'
  | 'vendor-credited'
  | 'vendor-rejected';

export function isSellable(basis: DispositionBasis | null): boolean {
  return basis === 'resellable' || basis === 'retest-passed';
}

export interface UnitDispatch {
  readonly dispatchNo: number;
  readonly vendorDueAt: string;
  readonly dunnings: number;
}

export interface RmaUnitState {
  readonly custody: CustodyState;
  readonly unitId: string | null;
  readonly caseId: string | null;
  readonly sku: string | null;
  readonly vendorId: string | null;
  readonly pmId: string | null;
  readonly unitCost: Money | null;
  readonly grade: Grade | null;
  readonly dispatchCount: number;
  /** The latest dispatch (open while `at-vendor`). */
  readonly lastDispatch: UnitDispatch | null;
  /** Set while `awaiting-disposition` (and kept once disposed); null otherwise. */
  readonly dispositionBasis: DispositionBasis | null;
  readonly disposition: Disposition | null;
  readonly lastOccurredAt: string | null;
}

export const initialRmaUnitState: RmaUnitState = {
  custody: 'none',
  unitId: null,
  caseId: null,
  sku: null,
  vendorId: null,
  pmId: null,
  unitCost: null,
  grade: null,
  dispatchCount: 0,
  lastDispatch: null,
  dispositionBasis: null,
  disposition: null,
  lastOccurredAt: null,
};

function disposed(state: RmaUnitState, disposition: Disposition): RmaUnitState {
  return { ...state, custody: 'disposed', disposition };
}

function evolveData(state: RmaUnitState, event: RmaUnitEvent): RmaUnitState {
  switch (event.type) {
    case 'UnitEnteredCustody': {
      const { unitId, caseId, sku, vendorId, pmId, unitCost } = event.data;
      return { ...state, custody: 'awaiting-inspection', unitId, caseId, sku, vendorId, pmId, unitCost };
    }
    case 'UnitGraded': {
      const { grade } = event.data;
      if (goesToVendor(grade)) return { ...state, grade, custody: 'awaiting-dispatch' };
      // The grades that stay in house are exactly the graded bases.
      return {
        ...state,
        grade,
        custody: 'awaiting-disposition',
        dispositionBasis: grade as DispositionBasis,
      };
    }
    case 'UnitDispatchedToVendor':
      return {
        ...state,
        custody: 'at-vendor',
        dispatchCount: event.data.dispatchNo,
        lastDispatch: { dispatchNo: event.data.dispatchNo, vendorDueAt: event.data.vendorDueAt, dunnings: 0 },
      };
    case 'VendorDunned':
      return {
        ...state,
        lastDispatch: state.lastDispatch && { ...state.lastDispatch, dunnings: event.data.dunningNo },
      };
    case 'VendorReturnedRepaired':
    case 'VendorSentReplacement':
      return { ...state, custody: 'awaiting-retest' };
    case 'VendorIssuedCredit':
      return { ...state, custody: 'awaiting-disposition', dispositionBasis: 'vendor-credited' };
    case 'VendorRejectedClaim':
      return { ...state, custody: 'awaiting-disposition', dispositionBasis: 'vendor-rejected' };
    case 'RetestPassed':
      return { ...state, custody: 'awaiting-disposition', dispositionBasis: 'retest-passed' };
    case 'RetestFailed':
      return { ...state, custody: 'awaiting-dispatch' };
    case 'UnitRestocked':
      return disposed(state, 'restocked');
    case 'UnitReturnedToCustomer':
      return disposed(state, 'returned-to-customer');
    case 'UnitLiquidated':
      return disposed(state, 'liquidated');
    case 'UnitWrittenOff':
      return disposed(state, 'written-off');
    default:
      return assertNever(event);
  }
}

export function evolveRmaUnit(state: RmaUnitState, event: RmaUnitEvent): RmaUnitState {
  return { ...evolveData(state, event), lastOccurredAt: event.data.occurredAt };
}
