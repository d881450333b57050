import type { PolicyTerms, Resolution } from '../catalogue/policy.js';
import type { Grade } from '../shared/grade.js';
import type { Money } from '../shared/money.js';
import type { SealedPersonalData } from '../shared/personal-data.js';
import type { ClosingResolution } from './events.js';

interface CaseCommandBase {
  readonly caseId: string;
  /** Business time, ISO-8601 UTC. */
  readonly occurredAt: string;
}

/** What the approval needs from other streams, as in force at the moment of the command. */
export interface ApprovalContext {
  /** The channel's policy, or null when the channel has none. */
  readonly policy: PolicyTerms | null;
  /** The turnaround of the SKU's vendor agreement, or null when unknown. */
  readonly vendorTurnaroundDays: number | null;
}

export interface OpenCase extends CaseCommandBase {
  readonly type: 'OpenCase';
  readonly orderId: string;
  readonly channel: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly purchasedAt: string;
  readonly reason: string;
  readonly resolution: Resolution;
  readonly customer: { readonly id: string; readonly personalData: SealedPersonalData };
  readonly context: ApprovalContext & {
    /** The SKU as registered now, or null when it is not in the catalogue. */
    readonly sku: { readonly vendorId: string; readonly pmId: string } | null;
  };
}

export interface ApproveCase extends CaseCommandBase {
  readonly type: 'ApproveCase';
  readonly approverId: string;
  /** An explicit promise; without it the channel policy's promise days apply. */
  readonly promisedBy?: string;
  readonly context: ApprovalContext;
}

export interface RejectCase extends CaseCommandBase {
  readonly type: 'RejectCase';
  readonly reason: string;
}

export interface ReceiveItem extends CaseCommandBase {
  readonly type: 'ReceiveItem';
  /** Deterministic (see `receiptUnitId`), so a retried receipt cannot create a second unit. */
  readonly unitId: string;
  readonly location?: string;
}

export interface InspectItem extends CaseCommandBase {
  readonly type: 'InspectItem';
  readonly unitId: string;
  readonly grade: Grade;
  readonly notes?: string;
}

export interface RequestRefund extends CaseCommandBase {
  readonly type: 'RequestRefund';
  readonly refundId: string;
  readonly amount: Money;
  /**
   * The caller's claim that nothing came back yet; refused once a unit was received. A refund
   * requested while nothing was received is recorded as one before return even without the claim.
   */
  readonly beforeReturn: boolean;
  /** Required for a refund before return. */
  readonly evidence?: string;
  /** Compared with the case's committed refund total, this refund included. */
  readonly context: { readonly refundApprovalLimit: Money | null };
}

export interface ApproveRefund extends CaseCommandBase {
  readonly type: 'ApproveRefund';
  readonly refundId: string;
  readonly approverId: string;
}

export interface RejectRefund extends CaseCommandBase {
  readonly type: 'RejectRefund';
  readonly refundId: string;
  readonly reason: string;
}

export interface PayRefund extends CaseCommandBase {
  readonly type: 'PayRefund';
  readonly refundId: string;
  readonly paymentRef: string;
}

export interface ShipToCustomer extends CaseCommandBase {
  readonly type: 'ShipToCustomer';
  readonly kind: 'replacement' | 'repaired';
  readonly trackingNo?: string;
}

export interface PayCompensation extends CaseCommandBase {
  readonly type: 'PayCompensation';
  readonly amount: Money;
  readonly reason: string;
}

export interface CloseCase extends CaseCommandBase {
  readonly type: 'CloseCase';
  /** Default: the requested resolution, or `rejected` / `withdrawn` for a case never approved. */
  readonly resolution?: ClosingResolution;
}

export type CaseCommand =
  | OpenCase
  | ApproveCase
  | RejectCase
  | ReceiveItem
  | InspectItem
  | RequestRefund
  | ApproveRefund
  | RejectRefund
  | PayRefund
  | ShipToCustomer
  | PayCompensation
  | CloseCase;
