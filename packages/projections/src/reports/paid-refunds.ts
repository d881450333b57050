import type { Database } from 'better-sqlite3';
import { type Period, toIso, toMs } from './time.js';

/** What the vendor credited on the RMA unit(s) of a refunded case. */
export interface CaseVendorCredit {
  /** The credited unit, or several joined by `+` when more than one unit of the case was credited. */
  readonly unitId: string;
  readonly amount: number;
  readonly currency: string;
}

/** A refund paid in the ledger, in the shape `reconcile` of `@rma-ledger/reconciliation` takes. */
export interface PaidRefund {
  readonly refundId: string;
  readonly caseId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paidAt: string;
  /** What finance typed when paying: the provider's refund id or the merchant refund request id. */
  readonly paymentRef: string;
  readonly vendorCredit: CaseVendorCredit | null;
}

interface RefundRow {
  refundId: string;
  caseId: string;
  orderId: string;
  amount: number;
  currency: string;
  paidAt: number;
  paymentRef: string;
}

interface CreditRow {
  caseId: string;
  unitId: string;
  amount: number;
  currency: string;
}

/**
 * The refunds paid in `[from, to)` (business time), oldest first, each with the vendor credits known
 * so far on its case's RMA units beside it: finance sees what the vendor recovered next to what the
 * customer was paid. Every refund of a case shows the same credit; reconciliation totals count each
 * unit once. Credits of several units in one currency are added up (their unit ids joined by `+`);
 * a case whose units were credited in different currencies shows the credits in the refund's
 * currency, or else those in the first currency by code (amounts of two currencies are never added).
 *
 * The ledger does not record which provider paid a refund; to reconcile one provider's report, pass
 * the period the report covers widened by the matching window.
 */
export function paidRefundsReport(db: Database, period: Period): PaidRefund[] {
  const range = { from: toMs(period.from), to: toMs(period.to) };
  const refunds = db
    .prepare(
      `SELECT r.refund_id AS refundId, r.case_id AS caseId, c.order_id AS orderId, r.amount, r.currency,
              r.paid_at AS paidAt, r.payment_ref AS paymentRef
       FROM refunds r JOIN cases c ON c.case_id = r.case_id
       WHERE r.paid_at >= @from AND r.paid_at < @to
       ORDER BY r.paid_at, r.refund_id`,
    )
    .all(range) as RefundRow[];
  const credits = db
    .prepare(
      `SELECT u.case_id AS caseId, d.unit_id AS unitId, d.credit_amount AS amount, d.credit_currency AS currency
       FROM units u JOIN dispatches d ON d.unit_id = u.unit_id
       WHERE d.response = 'credit'
         AND u.case_id IN (SELECT case_id FROM refunds WHERE paid_at >= @from AND paid_at < @to)
       ORDER BY u.case_id, d.credit_currency, d.unit_id`,
    )
    .all(range) as CreditRow[];
  const creditsByCase = new Map<string, Map<string, CaseVendorCredit>>();
  for (const credit of credits) {
    const byCurrency = creditsByCase.get(credit.caseId) ?? new Map<string, CaseVendorCredit>();
    creditsByCase.set(credit.caseId, byCurrency);
    const sum = byCurrency.get(credit.currency);
    byCurrency.set(credit.currency, {
      unitId: sum ? `${sum.unitId}+${credit.unitId}` : credit.unitId,
      amount: (sum?.amount ?? 0) + credit.amount,
      currency: credit.currency,
    });
  }
  return refunds.map((refund) => {
    const byCurrency = creditsByCase.get(refund.caseId);
    const vendorCredit = byCurrency?.get(refund.currency) ?? byCurrency?.values().next().value ?? null;
    return { ...refund, paidAt: toIso(refund.paidAt), vendorCredit };
  });
}
