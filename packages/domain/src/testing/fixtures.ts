import type { OpenCase } from '../case/commands.js';
import type { CaseEvent, CaseOpenedData } from '../case/events.js';
import type { PolicyTerms } from '../catalogue/policy.js';
import type { SealedPersonalData } from '../shared/personal-data.js';

export const PURCHASED_AT = '2026-03-01T10:00:00.000Z';
export const OPENED_AT = '2026-03-05T10:00:00.000Z';

/** Business time `days` (may be fractional) after the case was opened. */
export function at(days: number): string {
  return new Date(Date.parse(OPENED_AT) + days * 86_400_000).toISOString();
}

export const sealed: SealedPersonalData = {
  alg: 'aes-256-gcm',
  keyId: 'cust-1',
  iv: 'AAAAAAAAAAAAAAAA',
  tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
  ciphertext: 'c2VhbGVk',
};

export const policy: PolicyTerms = {
  returnWindowDays: 14,
  exchangeWindowDays: 30,
  warrantyDays: 365,
  promiseDays: { refund: 7, exchange: 10, repair: 20 },
  autoApproveLimit: { amount: 50_000, currency: 'CNY' },
  refundApprovalLimit: { amount: 20_000, currency: 'CNY' },
  handlingDays: 3,
};

export function openCase(overrides: Partial<OpenCase> = {}): OpenCase {
  return {
    type: 'OpenCase',
    caseId: 'c-1',
    orderId: 'o-1',
    channel: 'tmall',
    sku: 'SKU-1',
    quantity: 2,
    unitPrice: { amount: 19_900, currency: 'CNY' },
    purchasedAt: PURCHASED_AT,
    reason: 'stopped working',
    resolution: 'refund',
    customer: { id: 'cust-1', personalData: sealed },
    occurredAt: OPENED_AT,
    context: {
      policy,
      sku: { vendorId: 'v-acme', pmId: 'pm-li' },
      vendorTurnaroundDays: 14,
    },
    ...overrides,
  };
}

export function caseOpened(overrides: Partial<CaseOpenedData> = {}): CaseEvent {
  return {
    type: 'CaseOpened',
    data: {
      caseId: 'c-1',
      orderId: 'o-1',
      channel: 'tmall',
      sku: 'SKU-1',
      quantity: 2,
      unitPrice: { amount: 19_900, currency: 'CNY' },
      purchasedAt: PURCHASED_AT,
      reason: 'stopped working',
      resolution: 'refund',
      customer: { id: 'cust-1', personalData: sealed },
      vendorId: 'v-acme',
      pmId: 'pm-li',
      occurredAt: OPENED_AT,
      ...overrides,
    },
  };
}

/** A case approved by a person at OPENED_AT, with a 7-day policy promise. */
export function approvedCase(overrides: Partial<CaseOpenedData> = {}): CaseEvent[] {
  return [
    caseOpened(overrides),
    { type: 'CaseApproved', data: { by: 'person', approverId: 'cs-1', occurredAt: OPENED_AT } },
    {
      type: 'CustomerPromiseSet',
      data: { promisedBy: at(7), basis: 'policy', promiseDays: 7, repairPlan: null, occurredAt: OPENED_AT },
    },
  ];
}
