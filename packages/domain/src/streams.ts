/** Stream names, in one place: the prefix is the stream's category. */
export const STREAM_CATEGORIES = [
  'case',
  'rma-unit',
  'vendor',
  'sku',
  'policy',
  'sales',
  'customer',
  'reconciliation',
] as const;
export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

export const caseStream = (caseId: string): string => `case-${caseId}`;
export const rmaUnitStream = (unitId: string): string => `rma-unit-${unitId}`;
export const vendorStream = (vendorId: string): string => `vendor-${vendorId}`;
export const skuStream = (sku: string): string => `sku-${sku}`;
export const policyStream = (channel: string): string => `policy-${channel}`;
export const salesStream = (sku: string): string => `sales-${sku}`;
export const customerStream = (customerId: string): string => `customer-${customerId}`;
export const reconciliationStream = (runId: string): string => `reconciliation-${runId}`;

// Longest prefix first: `rma-unit-` must win over any shorter prefix it might share.
const BY_PREFIX_LENGTH = [...STREAM_CATEGORIES].sort((a, b) => b.length - a.length);

/** The category of a stream name, or null when it is not one of the domain's streams. */
export function streamCategory(streamName: string): StreamCategory | null {
  return BY_PREFIX_LENGTH.find((category) => streamName.startsWith(`${category}-`)) ?? null;
}

/** The id part of a stream name (`case-42` → `42`), or null when the category does not match. */
export function streamId(streamName: string, category: StreamCategory): string | null {
  const prefix = `${category}-`;
  return streamName.startsWith(prefix) && streamName.length > prefix.length
    ? streamName.slice(prefix.length)
    : null;
}

/**
 * The unit id of the n-th receipt (1-based) on a case. Deterministic, so a retried receipt or a
 * restarted process manager always targets the same RMA unit stream and never creates a second one.
 */
export function receiptUnitId(caseId: string, receiptNo: number): string {
  return `${caseId}-u${receiptNo}`;
}
