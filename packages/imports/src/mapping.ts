import { z } from 'zod';
import { compileDateFormat } from './dates.js';
import { ImportError } from './errors.js';

const columnName = z.string().trim().min(1);

/**
 * Where a field's text comes from: a column name (shorthand), or an object with a column and/or a
 * constant `value`, a `default` for empty cells, a value `map` (e.g. resolution words) and
 * `absolute` (drop a minus sign: credit notes write quantities negative).
 */
export const fieldSpecSchema = z.union([
  columnName,
  z
    .strictObject({
      column: columnName.optional(),
      value: z.string().optional(),
      default: z.string().optional(),
      map: z.record(z.string(), z.string()).optional(),
      absolute: z.boolean().optional(),
    })
    .refine((spec) => (spec.column === undefined) !== (spec.value === undefined), {
      message: 'Give exactly one of column and value',
    }),
]);
export type FieldSpec = z.infer<typeof fieldSpecSchema>;

export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | ColumnTest;

export interface ColumnTest {
  readonly column: string;
  readonly equals?: string | undefined;
  readonly in?: readonly string[] | undefined;
  readonly matches?: string | undefined;
  readonly empty?: boolean | undefined;
  readonly lessThan?: number | undefined;
  readonly greaterThan?: number | undefined;
  readonly ignoreCase?: boolean | undefined;
}

const TESTS = ['equals', 'in', 'matches', 'empty', 'lessThan', 'greaterThan'] as const;

const columnTestSchema = z
  .strictObject({
    column: columnName,
    equals: z.string().optional(),
    in: z.array(z.string()).min(1).optional(),
    matches: z.string().refine(isRegExp, { message: 'Not a valid regular expression' }).optional(),
    empty: z.boolean().optional(),
    lessThan: z.number().optional(),
    greaterThan: z.number().optional(),
    ignoreCase: z.boolean().optional(),
  })
  .refine((test) => TESTS.filter((name) => test[name] !== undefined).length === 1, {
    message: `Give exactly one test of ${TESTS.join(', ')}`,
  });

/** A test on a row: column tests combined with `all`, `any` and `not`. */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
    columnTestSchema,
  ]),
);

/** Rows matching `when` are skipped and counted under `reason` (not errors). */
const skipRuleSchema = z.strictObject({ reason: z.string().trim().min(1), when: conditionSchema });
export type SkipRule = z.infer<typeof skipRuleSchema>;

const rowSelection = {
  /** Rows not matching it are skipped under `excludedReason` (a file mixing sales and credits). */
  include: conditionSchema.optional(),
  excludedReason: z.string().trim().min(1).optional(),
  /** Skip rules of this import only, after the mapping-wide ones. */
  skip: z.array(skipRuleSchema).default([]),
};

const salesSectionSchema = z.strictObject({
  /** XLSX: the sheet holding the sales lines; default the first. */
  sheet: z.string().min(1).optional(),
  ...rowSelection,
  fields: z.strictObject({
    sku: fieldSpecSchema,
    quantity: fieldSpecSchema,
    soldAt: fieldSpecSchema,
    /** Names SKUs registered by `registerUnknownSkus`. */
    skuName: fieldSpecSchema.optional(),
  }),
});

const caseFieldsSchema = z.strictObject({
  /** Default: derived from the row (see docs/import.md). */
  caseId: fieldSpecSchema.optional(),
  /** Required unless `purchaseLookup` finds the order. */
  orderId: fieldSpecSchema.optional(),
  channel: fieldSpecSchema,
  sku: fieldSpecSchema,
  skuName: fieldSpecSchema.optional(),
  quantity: fieldSpecSchema,
  unitPrice: fieldSpecSchema,
  /** Default: the mapping's `currency`. */
  currency: fieldSpecSchema.optional(),
  /** Required unless `purchaseLookup` finds the purchase. */
  purchasedAt: fieldSpecSchema.optional(),
  openedAt: fieldSpecSchema,
  reason: fieldSpecSchema,
  /** `refund`, `exchange` or `repair` after the value map. */
  resolution: fieldSpecSchema,
  customerId: fieldSpecSchema,
  customerName: fieldSpecSchema,
  customerPhone: fieldSpecSchema.optional(),
  customerEmail: fieldSpecSchema.optional(),
  customerAddress: fieldSpecSchema.optional(),
  /** `approved`, `rejected` or empty (still open) after the value map. */
  decision: fieldSpecSchema.optional(),
  decidedAt: fieldSpecSchema.optional(),
  rejectionReason: fieldSpecSchema.optional(),
  receivedAt: fieldSpecSchema.optional(),
  receivedLocation: fieldSpecSchema.optional(),
  inspectedAt: fieldSpecSchema.optional(),
  /** `resellable`, `repairable`, `defective`, `customer-damaged` or `scrap` after the value map. */
  grade: fieldSpecSchema.optional(),
  /** Without it, a row with a refund date refunds the whole line (unit price × quantity). */
  refundAmount: fieldSpecSchema.optional(),
  refundRequestedAt: fieldSpecSchema.optional(),
  refundPaidAt: fieldSpecSchema.optional(),
  paymentRef: fieldSpecSchema.optional(),
  closedAt: fieldSpecSchema.optional(),
});
export type CaseFields = z.infer<typeof caseFieldsSchema>;

/** A second sheet of refunds, joined to the master sheet's rows by a key column on each side. */
const refundSheetSchema = z.strictObject({
  sheet: z.string().min(1),
  masterColumn: columnName,
  column: columnName,
  fields: z.strictObject({
    amount: fieldSpecSchema.optional(),
    requestedAt: fieldSpecSchema.optional(),
    paidAt: fieldSpecSchema.optional(),
    paymentRef: fieldSpecSchema.optional(),
  }),
});
export type RefundSheet = z.infer<typeof refundSheetSchema>;

/**
 * A credit row that does not name its order: the order and purchase date come from the latest
 * earlier row of the same file matching `candidates`, agreeing on the `match` columns, with
 * enough quantity left (each match uses up the quantity it credits).
 */
const purchaseLookupSchema = z.strictObject({
  candidates: conditionSchema,
  match: z.array(columnName).min(1),
  quantity: columnName,
  fields: z.strictObject({ orderId: fieldSpecSchema, purchasedAt: fieldSpecSchema }),
  /** Purchases older than this before the credit are not considered (and are forgotten). */
  withinDays: z.number().int().positive().default(365),
  notFoundReason: z.string().trim().min(1).default('purchase not in the file'),
});
export type PurchaseLookup = z.infer<typeof purchaseLookupSchema>;

const casesSectionSchema = z
  .strictObject({
    /** XLSX: the master sheet (one case per row); default the first. */
    sheet: z.string().min(1).optional(),
    ...rowSelection,
    /** Columns whose values identify a case row; default the whole row's content. */
    key: z.array(columnName).min(1).optional(),
    fields: caseFieldsSchema,
    refundSheets: z.array(refundSheetSchema).default([]),
    purchaseLookup: purchaseLookupSchema.optional(),
  })
  .refine(
    (cases) =>
      cases.purchaseLookup !== undefined ||
      (cases.fields.orderId !== undefined && cases.fields.purchasedAt !== undefined),
    { message: 'Map fields.orderId and fields.purchasedAt, or give a purchaseLookup', path: ['fields'] },
  );

const timeZoneSchema = z.string().refine(isTimeZone, { message: 'Not an IANA time zone' });

export const mappingSchema = z
  .strictObject({
    version: z.literal(1),
    name: z.string().optional(),
    /** `auto`: a zip archive is XLSX, anything else CSV. */
    format: z.enum(['auto', 'csv', 'xlsx']).default('auto'),
    csv: z
      .strictObject({
        delimiter: z.string().length(1).default(','),
        encoding: z.enum(['auto', 'utf-8', 'gbk']).default('auto'),
      })
      .default({ delimiter: ',', encoding: 'auto' }),
    /** 1-based number of the header row (rows above it are framing). */
    headerRow: z.number().int().positive().default(1),
    dates: z
      .strictObject({
        /** `ISO`, or tokens `YYYY MM M DD D HH H mm ss` with literals, e.g. `DD/MM/YYYY HH:mm`. */
        format: z.string().min(1).default('ISO'),
        /** The zone of date-times written without an offset. */
        timeZone: timeZoneSchema.default('UTC'),
      })
      .default({ format: 'ISO', timeZone: 'UTC' }),
    numbers: z
      .strictObject({
        decimalSeparator: z.enum(['.', ',']).default('.'),
        thousandsSeparator: z.enum(['', ',', '.', ' ', "'"]).default(''),
      })
      .refine((numbers) => numbers.decimalSeparator !== numbers.thousandsSeparator, {
        message: 'The decimal and thousands separators must differ',
      })
      .default({ decimalSeparator: '.', thousandsSeparator: '' }),
    /** ISO-4217 currency of amounts when no currency column is mapped. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'currency must be an ISO-4217 code')
      .optional(),
    /** Applies to both imports, before each import's own rules. */
    skip: z.array(skipRuleSchema).default([]),
    sales: salesSectionSchema.optional(),
    cases: casesSectionSchema.optional(),
  })
  .superRefine((mapping, context) => {
    if (!mapping.sales && !mapping.cases) {
      context.addIssue({ code: 'custom', message: 'Give a sales or a cases section (or both)', path: [] });
    }
    if (mapping.cases && mapping.cases.fields.currency === undefined && mapping.currency === undefined) {
      context.addIssue({
        code: 'custom',
        message: 'Amounts need a currency: map cases.fields.currency or set currency',
        path: ['currency'],
      });
    }
    try {
      compileDateFormat(mapping.dates.format);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message, path: ['dates', 'format'] });
    }
  });

export type ImportMapping = z.infer<typeof mappingSchema>;
export type MappingInput = z.input<typeof mappingSchema>;
export type SalesSection = NonNullable<ImportMapping['sales']>;
export type CasesSection = NonNullable<ImportMapping['cases']>;

/** Validates a mapping (parsed JSON); every problem is listed in the error's `issues`. */
export function parseMapping(json: unknown): ImportMapping {
  const result = mappingSchema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new ImportError(
    'LDG_IMPORT_MAPPING_INVALID',
    `The mapping is invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    issues,
  );
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
