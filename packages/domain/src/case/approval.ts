import { DEFAULT_HANDLING_DAYS, type PolicyTerms, type Resolution } from '../catalogue/policy.js';
import type { Money } from '../shared/money.js';
import { addDays, daysBetween, isBefore } from '../shared/time.js';
import type { ApprovalContext } from './commands.js';
import type { CaseEvent, CaseOpenedData, RepairPlan } from './events.js';

/** The rule recorded on a case approved without a person. Stable: reports group by it. */
export const AUTO_APPROVAL_RULE = 'policy-window-and-auto-approve-limit';
/** The rule recorded on a refund approved without finance. */
export const REFUND_AUTO_APPROVAL_RULE = 'refund-within-approval-limit';

export function windowDays(policy: PolicyTerms, resolution: Resolution): number {
  switch (resolution) {
    case 'refund':
      return policy.returnWindowDays;
    case 'exchange':
      return policy.exchangeWindowDays;
    case 'repair':
      return policy.warrantyDays;
  }
}

/** Inside the window for the resolution since purchase, and the line within the limit in its currency. */
export function qualifiesForAutoApproval(
  policy: PolicyTerms | null,
  opened: Pick<CaseOpenedData, 'resolution' | 'purchasedAt' | 'occurredAt'>,
  line: Money,
): boolean {
  if (!policy) return false;
  const windowEnd = addDays(opened.purchasedAt, windowDays(policy, opened.resolution));
  if (isBefore(windowEnd, opened.occurredAt)) return false;
  const limit = policy.autoApproveLimit;
  return limit.currency === line.currency && line.amount <= limit.amount;
}

function repairPlan(
  opened: Pick<CaseOpenedData, 'resolution' | 'vendorId'>,
  promiseDays: number,
  context: ApprovalContext,
): RepairPlan | null {
  if (opened.resolution !== 'repair' || context.vendorTurnaroundDays === null) return null;
  const turnaroundDays = context.vendorTurnaroundDays;
  const handlingDays = context.policy?.handlingDays ?? DEFAULT_HANDLING_DAYS;
  const plannedHeadroomDays = promiseDays - turnaroundDays - handlingDays;
  return {
    vendorId: opened.vendorId,
    promiseDays,
    turnaroundDays,
    handlingDays,
    plannedHeadroomDays,
    shorterThanVendorCycle: plannedHeadroomDays < 0,
  };
}

/**
 * The customer promise made at approval: an explicit date when a person set one, otherwise the
 * policy's promise days for the resolution. The caller has checked that one of the two exists.
 */
export function promiseEvent(
  opened: Pick<CaseOpenedData, 'resolution' | 'vendorId'>,
  approvedAt: string,
  context: ApprovalContext,
  explicitPromisedBy: string | undefined,
): Extract<CaseEvent, { type: 'CustomerPromiseSet' }> {
  if (explicitPromisedBy !== undefined) {
    const promiseDays = daysBetween(approvedAt, explicitPromisedBy);
    return {
      type: 'CustomerPromiseSet',
      data: {
        promisedBy: explicitPromisedBy,
        basis: 'explicit',
        promiseDays,
        repairPlan: repairPlan(opened, promiseDays, context),
        occurredAt: approvedAt,
      },
    };
  }
  if (!context.policy) throw new Error('A policy promise needs a policy');
  const promiseDays = context.policy.promiseDays[opened.resolution];
  return {
    type: 'CustomerPromiseSet',
    data: {
      promisedBy: addDays(approvedAt, promiseDays),
      basis: 'policy',
      promiseDays,
      repairPlan: repairPlan(opened, promiseDays, context),
      occurredAt: approvedAt,
    },
  };
}
