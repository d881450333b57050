import { assertNever } from '../decider.js';
import type { Grade } from '../shared/grade.js';
import { type Money, multiplyMoney } from '../shared/money.js';
import type { CaseEvent, CaseOpenedData, ClosingResolution } from './events.js';

export type CaseStatus = 'none' | 'open' | 'approved' | 'rejected' | 'closed';
export type RefundStatus = 'requested' | 'approved' | 'rejected' | 'paid';

export interface CaseUnit {
  readonly unitId: string;
  readonly receiptNo: number;
  readonly receivedAt: string;
  readonly grade: Grade | null;
}

export interface CaseRefund {
  readonly refundId: string;
  readonly amount: Money;
  readonly beforeReturn: boolean;
  readonly status: RefundStatus;
}

export interface CaseState {
  readonly status: CaseStatus;
  readonly opened: CaseOpenedData | null;
  readonly approvedAt: string | null;
  readonly promisedBy: string | null;
  readonly units: readonly CaseUnit[];
  readonly refunds: readonly CaseRefund[];
  readonly closedWith: ClosingResolution | null;
  readonly lastOccurredAt: string | null;
}

export const initialCaseState: CaseState = {
  status: 'none',
  opened: null,
  approvedAt: null,
  promisedBy: null,
  units: [],
  refunds: [],
  closedWith: null,
  lastOccurredAt: null,
};

/** What the customer paid for the order line: unit price × quantity. */
export function lineAmount(opened: Pick<CaseOpenedData, 'unitPrice' | 'quantity'>): Money {
  return multiplyMoney(opened.unitPrice, opened.quantity);
}

/** Refunds that still count against the line: every one requested and not rejected. */
export function committedRefundAmount(state: CaseState): number {
  return state.refunds.filter((r) => r.status !== 'rejected').reduce((sum, r) => sum + r.amount.amount, 0);
}

export function paidRefundAmount(state: CaseState): number {
  return state.refunds.filter((r) => r.status === 'paid').reduce((sum, r) => sum + r.amount.amount, 0);
}

function setRefundStatus(state: CaseState, refundId: string, status: RefundStatus): readonly CaseRefund[] {
  return state.refunds.map((r) => (r.refundId === refundId ? { ...r, status } : r));
}

function evolveData(state: CaseState, event: CaseEvent): CaseState {
  switch (event.type) {
    case 'CaseOpened':
      return { ...state, status: 'open', opened: event.data };
    case 'CaseApproved':
      return { ...state, status: 'approved', approvedAt: event.data.occurredAt };
    case 'CaseRejected':
      return { ...state, status: 'rejected' };
    case 'CustomerPromiseSet':
      return { ...state, promisedBy: event.data.promisedBy };
    case 'ItemReceived': {
      const { unitId, receiptNo, occurredAt } = event.data;
      return {
        ...state,
        units: [...state.units, { unitId, receiptNo, receivedAt: occurredAt, grade: null }],
      };
    }
    case 'ItemInspected':
      return {
        ...state,
        units: state.units.map((u) =>
          u.unitId === event.data.unitId ? { ...u, grade: event.data.grade } : u,
        ),
      };
    case 'RefundRequested': {
      const { refundId, amount, beforeReturn } = event.data;
      return {
        ...state,
        refunds: [...state.refunds, { refundId, amount, beforeReturn, status: 'requested' }],
      };
    }
    case 'RefundApproved':
      return { ...state, refunds: setRefundStatus(state, event.data.refundId, 'approved') };
    case 'RefundRejected':
      return { ...state, refunds: setRefundStatus(state, event.data.refundId, 'rejected') };
    case 'RefundPaid':
      return { ...state, refunds: setRefundStatus(state, event.data.refundId, 'paid') };
    case 'ShippedToCustomer':
    case 'CompensationPaid':
      return state;
    case 'CaseClosed':
      return { ...state, status: 'closed', closedWith: event.data.resolution };
    default:
      return assertNever(event);
  }
}

export function evolveCase(state: CaseState, event: CaseEvent): CaseState {
  return { ...evolveData(state, event), lastOccurredAt: event.data.occurredAt };
}
