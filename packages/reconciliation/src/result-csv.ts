import type { ReconciliationRow } from './reconcile.js';

/** The column order of the result CSV: part of the contract, append new columns at the end only. */
export const RESULT_CSV_COLUMNS = [
  'category',
  'matched_by',
  'ledger_refund_id',
  'case_id',
  'order_id',
  'ledger_amount_minor',
  'ledger_currency',
  'paid_at',
  'payment_ref',
  'provider',
  'provider_refund_id',
  'original_payment_id',
  'provider_order_id',
  'merchant_refund_id',
  'provider_amount_minor',
  'provider_currency',
  'provider_occurred_at',
  'provider_status',
  'provider_line',
  'difference_minor',
  'vendor_credit_unit_id',
  'vendor_credit_amount_minor',
  'vendor_credit_currency',
  'note',
] as const;

type Cell = string | number | null | undefined;

/**
 * Text from a provider's file is untrusted: a cell starting with `=`, `+`, `-`, `@` or a control
 * character would run as a formula in a spreadsheet, so it gets a leading apostrophe. Numbers are
 * written as they are.
 */
function textCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function cell(value: Cell): string {
  return typeof value === 'number' ? String(value) : textCell(value);
}

function toCells(row: ReconciliationRow): Cell[] {
  const { ledger, provider } = row;
  const credit = ledger?.vendorCredit;
  return [
    row.category,
    row.matchedBy,
    ledger?.refundId,
    ledger?.caseId,
    ledger?.orderId,
    ledger?.amount,
    ledger?.currency,
    ledger?.paidAt,
    ledger?.paymentRef,
    provider?.provider,
    provider?.providerRefundId,
    provider?.originalPaymentId,
    provider?.orderId,
    provider?.merchantRefundId,
    provider?.amount,
    provider?.currency,
    provider?.occurredAt,
    provider?.status,
    provider?.line,
    row.difference,
    credit?.unitId,
    credit?.amount,
    credit?.currency,
    row.note,
  ];
}

/** The rows as RFC 4180 CSV (CRLF, UTF-8 without BOM), header first, in the order given. */
export function writeResultCsv(rows: readonly ReconciliationRow[]): string {
  const lines = [RESULT_CSV_COLUMNS.join(','), ...rows.map((row) => toCells(row).map(cell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
