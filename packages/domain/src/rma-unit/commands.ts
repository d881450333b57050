import type { Grade } from '../shared/grade.js';
import type { Money } from '../shared/money.js';

interface UnitCommandBase {
  readonly unitId: string;
  /** Business time, ISO-8601 UTC. */
  readonly occurredAt: string;
}

export interface EnterCustody extends UnitCommandBase {
  readonly type: 'EnterCustody';
  readonly caseId: string;
  readonly sku: string;
  /** The SKU's attribution and unit cost as registered at entry. */
  readonly vendorId: string;
  readonly pmId: string;
  readonly unitCost: Money;
  readonly location?: string;
}

export interface RecordGrade extends UnitCommandBase {
  readonly type: 'RecordGrade';
  readonly grade: Grade;
}

export interface DispatchToVendor extends UnitCommandBase {
  readonly type: 'DispatchToVendor';
  readonly vendorRef?: string;
  /** The vendor agreement's turnaround in force now. */
  readonly context: { readonly turnaroundDays: number };
}

export interface DunVendor extends UnitCommandBase {
  readonly type: 'DunVendor';
  readonly note: string;
}

export type VendorOutcome = 'repaired' | 'replaced' | 'credited' | 'rejected';

export interface RecordVendorResponse extends UnitCommandBase {
  readonly type: 'RecordVendorResponse';
  readonly outcome: VendorOutcome;
  /** Required for `credited`, refused otherwise. */
  readonly creditAmount?: Money;
}

export interface RecordRetest extends UnitCommandBase {
  readonly type: 'RecordRetest';
  readonly passed: boolean;
  readonly notes?: string;
}

export interface Restock extends UnitCommandBase {
  readonly type: 'Restock';
  readonly location?: string;
}

export interface ReturnToCustomer extends UnitCommandBase {
  readonly type: 'ReturnToCustomer';
}

export interface Liquidate extends UnitCommandBase {
  readonly type: 'Liquidate';
  readonly recovered: Money;
}

export interface WriteOff extends UnitCommandBase {
  readonly type: 'WriteOff';
  /** Default: the unit cost. */
  readonly amount?: Money;
  readonly reason: string;
  /** The SKU's PM in force now, who is charged. */
  readonly context: { readonly pmId: string };
}

export type RmaUnitCommand =
  | EnterCustody
  | RecordGrade
  | DispatchToVendor
  | DunVendor
  | RecordVendorResponse
  | RecordRetest
  | Restock
  | ReturnToCustomer
  | Liquidate
  | WriteOff;
