import { createHash } from 'node:crypto';
import type { OpenCaseInput } from '@rma-ledger/application';
import {
  type Grade,
  gradeSchema,
  type Money,
  personalDataSchema,
  resolutionSchema,
} from '@rma-ledger/domain';
import { CellError } from './errors.js';
import type { CasesSection, ImportMapping, RefundSheet } from './mapping.js';
import type { PurchaseIndex } from './purchase-lookup.js';
import type { Cell } from './readers/table.js';
import type { FieldOrigins, RowLocation } from './row-errors.js';
import type { FieldReader, RowReader } from './rows.js';

type Cells = readonly Cell[];

/** Every ledger call one case row makes, in order, each with the mapping fields that fed it. */
export interface CasePlan {
  readonly caseId: string;
  readonly location: RowLocation;
  readonly open: { readonly input: OpenCaseInput; readonly origins: FieldOrigins };
  readonly decision: {
    readonly kind: 'approved' | 'rejected';
    readonly at: string;
    readonly reason: string;
    readonly origins: FieldOrigins;
  } | null;
  /** One receipt per unit of the line, each inspected when a grade is mapped. */
  readonly receipts: readonly {
    readonly at: string;
    readonly location: string | null;
    readonly inspection: { readonly grade: Grade; readonly at: string } | null;
    readonly origins: FieldOrigins;
  }[];
  readonly refunds: readonly PlannedRefund[];
  readonly close: { readonly at: string; readonly origins: FieldOrigins } | null;
}

export interface PlannedRefund {
  readonly amount: Money;
  readonly requestedAt: string;
  readonly paidAt: string | null;
  readonly paymentRef: string | null;
  readonly location: RowLocation;
  readonly origins: FieldOrigins;
}

/** The case-row fields compiled against the master sheet's header. */
export type CaseReaders = { readonly [K in keyof CasesSection['fields']]-?: FieldReader | null };

export function caseReaders(reader: RowReader, fields: CasesSection['fields']): CaseReaders {
  const compiled: Record<string, FieldReader | null> = {};
  for (const name of Object.keys(CASE_FIELD_NAMES) as (keyof CaseReaders)[]) {
    compiled[name] = reader.field(name, fields[name]);
  }
  return compiled as unknown as CaseReaders;
}

const CASE_FIELD_NAMES: Record<keyof CaseReaders, true> = {
  caseId: true,
  orderId: true,
  channel: true,
  sku: true,
  skuName: true,
  quantity: true,
  unitPrice: true,
  currency: true,
  purchasedAt: true,
  openedAt: true,
  reason: true,
  resolution: true,
  customerId: true,
  customerName: true,
  customerPhone: true,
  customerEmail: true,
  customerAddress: true,
  decision: true,
  decidedAt: true,
  rejectionReason: true,
  receivedAt: true,
  receivedLocation: true,
  inspectedAt: true,
  grade: true,
  refundAmount: true,
  refundRequestedAt: true,
  refundPaidAt: true,
  paymentRef: true,
  closedAt: true,
};

/** Refund rows of a joined sheet, by the join key, with the reader of their sheet. */
export interface JoinedRefunds {
  readonly sheet: RefundSheet;
  readonly reader: RowReader;
  /** The master sheet's join column. */
  readonly masterKey: FieldReader;
  readonly rows: Map<string, { line: number; cells: Cells }[]>;
  readonly fields: {
    readonly amount: FieldReader | null;
    readonly requestedAt: FieldReader | null;
    readonly paidAt: FieldReader | null;
    readonly paymentRef: FieldReader | null;
  };
}

const iso = (instant: number): string => new Date(instant).toISOString();

/**
 * Reads a case row into its plan. Throws `CellError` for an unreadable cell; returns null when the
 * purchase lookup finds no purchase for the row.
 */
export function planCase(
  reader: RowReader,
  mapping: ImportMapping,
  fields: CaseReaders,
  cells: Cells,
  location: RowLocation,
  identity: string,
  lookup: PurchaseIndex | null,
  joined: readonly JoinedRefunds[],
): CasePlan | null {
  const text = (f: FieldReader | null) => (f === null ? null : reader.text(f, cells));
  const required = (f: FieldReader | null, name: string) => {
    if (f === null) throw new CellError('LDG_IMPORT_VALUE_MISSING', name, `${name} is not mapped`);
    return reader.requiredText(f, cells);
  };
  const openedAt = reader.instant(fields.openedAt!, cells);
  const quantity = reader.integer(fields.quantity!, cells);
  const currency = text(fields.currency) ?? mapping.currency!;
  const unitPrice = reader.money(fields.unitPrice!, cells, currency);
  const resolution = resolutionSchema.safeParse(required(fields.resolution, 'resolution'));
  if (!resolution.success) throw unmapped('resolution', text(fields.resolution), resolutionSchema.options);

  let orderId: string;
  let purchasedAt: number;
  let purchaseOrigin = fields.purchasedAt;
  if (lookup) {
    const purchase = lookup.take(cells, quantity, openedAt);
    if (purchase === null) return null;
    ({ orderId, purchasedAt } = purchase);
    purchaseOrigin = null;
  } else {
    orderId = required(fields.orderId, 'orderId');
    purchasedAt = reader.instant(fields.purchasedAt!, cells);
  }

  const customerId = required(fields.customerId, 'customerId');
  const personal = {
    name: required(fields.customerName, 'customerName'),
    ...optional('phone', text(fields.customerPhone)),
    ...optional('email', text(fields.customerEmail)),
    ...optional('address', text(fields.customerAddress)),
  };
  const personalCheck = personalDataSchema.safeParse(personal);
  if (!personalCheck.success) {
    const key = String(personalCheck.error.issues[0]?.path[0] ?? 'name');
    const field = `customer${key[0]!.toUpperCase()}${key.slice(1)}`;
    throw new CellError(
      'LDG_IMPORT_VALUE_INVALID',
      field,
      `${field}: ${personalCheck.error.issues[0]?.message}`,
    );
  }

  const caseId =
    text(fields.caseId) ?? `imp-${createHash('sha256').update(identity).digest('hex').slice(0, 24)}`;
  const plan: CasePlan = {
    caseId,
    location,
    open: {
      input: {
        caseId,
        orderId,
        channel: required(fields.channel, 'channel'),
        sku: required(fields.sku, 'sku'),
        quantity,
        unitPrice,
        purchasedAt: iso(purchasedAt),
        reason: required(fields.reason, 'reason'),
        resolution: resolution.data,
        customer: { id: customerId, ...personal },
        occurredAt: iso(openedAt),
      },
      origins: {
        caseId: fields.caseId,
        orderId: lookup ? null : fields.orderId,
        channel: fields.channel,
        sku: fields.sku,
        quantity: fields.quantity,
        unitPrice: fields.unitPrice,
        purchasedAt: purchaseOrigin,
        reason: fields.reason,
        resolution: fields.resolution,
        customer: fields.customerId,
        occurredAt: fields.openedAt,
      },
    },
    decision: null,
    receipts: [],
    refunds: [],
    close: null,
  };

  // Each step happens at its own date, or at the previous step's when the sheet has none.
  let last = openedAt;
  let lastOrigin = fields.openedAt;
  const at = (f: FieldReader | null): { at: string; origin: FieldReader | null } => {
    const instant = reader.optionalInstant(f, cells);
    if (instant !== null) {
      last = instant;
      lastOrigin = f;
    }
    return { at: iso(last), origin: lastOrigin };
  };

  const decision = text(fields.decision);
  let decisionPlan: CasePlan['decision'] = null;
  if (decision !== null) {
    if (decision !== 'approved' && decision !== 'rejected') {
      throw unmapped('decision', decision, ['approved', 'rejected']);
    }
    const decided = at(fields.decidedAt);
    decisionPlan = {
      kind: decision,
      at: decided.at,
      reason: text(fields.rejectionReason) ?? 'rejected',
      origins: {
        occurredAt: decided.origin,
        promisedBy: fields.decision,
        reason: fields.rejectionReason,
      },
    };
  }

  const receipts: CasePlan['receipts'][number][] = [];
  if (fields.receivedAt !== null && reader.text(fields.receivedAt, cells) !== null) {
    const received = at(fields.receivedAt);
    const gradeText = text(fields.grade);
    let inspection: { grade: Grade; at: string } | null = null;
    let inspectedOrigin: FieldReader | null = null;
    if (gradeText !== null) {
      const grade = gradeSchema.safeParse(gradeText);
      if (!grade.success) throw unmapped('grade', gradeText, gradeSchema.options);
      const inspected = at(fields.inspectedAt);
      inspection = { grade: grade.data, at: inspected.at };
      inspectedOrigin = inspected.origin;
    }
    for (let unit = 0; unit < quantity; unit += 1) {
      receipts.push({
        at: received.at,
        location: text(fields.receivedLocation),
        inspection,
        origins: {
          occurredAt: received.origin,
          location: fields.receivedLocation,
          grade: fields.grade,
          inspectedAt: inspectedOrigin,
        },
      });
    }
  }

  const refunds: PlannedRefund[] = [];
  const lineTotal = { amount: unitPrice.amount * quantity, currency };
  const rowRefund = refundFrom(
    reader,
    cells,
    location,
    {
      amount: fields.refundAmount,
      requestedAt: fields.refundRequestedAt,
      paidAt: fields.refundPaidAt,
      paymentRef: fields.paymentRef,
    },
    lineTotal,
    currency,
    () => ({ at: iso(last), origin: lastOrigin }),
  );
  if (rowRefund) refunds.push(rowRefund);
  for (const join of joined) {
    const key = reader.text(join.masterKey, cells);
    const rows = key === null ? undefined : join.rows.get(key);
    if (key !== null) join.rows.delete(key);
    for (const row of rows ?? []) {
      const refund = refundFrom(
        join.reader,
        row.cells,
        { sheet: join.reader.table.sheet, row: row.line },
        join.fields,
        lineTotal,
        currency,
        () => ({ at: iso(last), origin: lastOrigin }),
      );
      if (refund) refunds.push(refund);
    }
  }
  // Refunds are paid in date order; the case moves on from the last of them.
  refunds.sort((a, b) => (a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : 0));
  for (const refund of refunds) {
    const latest = Date.parse(refund.paidAt ?? refund.requestedAt);
    if (latest > last) last = latest;
  }

  let close: CasePlan['close'] = null;
  if (fields.closedAt !== null && reader.text(fields.closedAt, cells) !== null) {
    const closed = at(fields.closedAt);
    close = { at: closed.at, origins: { occurredAt: closed.origin, resolution: null } };
  }
  return { ...plan, decision: decisionPlan, receipts, refunds, close };
}

function refundFrom(
  reader: RowReader,
  cells: Cells,
  location: RowLocation,
  fields: JoinedRefunds['fields'],
  lineTotal: Money,
  currency: string,
  previous: () => { at: string; origin: FieldReader | null },
): PlannedRefund | null {
  const present = (f: FieldReader | null) => f !== null && reader.text(f, cells) !== null;
  if (!present(fields.amount) && !present(fields.requestedAt) && !present(fields.paidAt)) return null;
  const amount = present(fields.amount) ? reader.money(fields.amount!, cells, currency) : lineTotal;
  const paid = reader.optionalInstant(fields.paidAt, cells);
  const requested = reader.optionalInstant(fields.requestedAt, cells);
  const before = previous();
  const requestedAt =
    requested !== null
      ? new Date(requested).toISOString()
      : paid !== null
        ? new Date(paid).toISOString()
        : before.at;
  const paymentRef = fields.paymentRef === null ? null : reader.text(fields.paymentRef, cells);
  if (paid !== null && paymentRef === null) {
    throw new CellError(
      'LDG_IMPORT_VALUE_MISSING',
      'paymentRef',
      'A paid refund needs its payment reference',
    );
  }
  return {
    amount,
    requestedAt,
    paidAt: paid === null ? null : new Date(paid).toISOString(),
    paymentRef,
    location,
    origins: {
      amount: fields.amount,
      occurredAt: requested !== null ? fields.requestedAt : paid !== null ? fields.paidAt : before.origin,
      paidAt: fields.paidAt,
      paymentRef: fields.paymentRef,
    },
  };
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null ? {} : ({ [key]: value } as Record<K, string>);
}

function unmapped(field: string, value: string | null, allowed: readonly string[]): CellError {
  return new CellError(
    'LDG_IMPORT_VALUE_UNMAPPED',
    field,
    `'${value ?? ''}' is not one of ${allowed.join(', ')}: add it to the field's value map`,
  );
}
