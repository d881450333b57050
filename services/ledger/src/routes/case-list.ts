import { closingResolutionSchema, resolutionSchema } from '@rma-ledger/domain';
import type { EventStore } from '@rma-ledger/event-store';
import { CASE_LIST_MODEL, type CaseListCursor, listCases } from '@rma-ledger/projections';
import { z } from 'zod';
import { anyRole } from '../auth/roles.js';
import type { TypedApp } from '../http/typed.js';
import { caughtUp, type ReportReader } from '../reports.js';
import { idSchema } from '../schemas/common.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** The cursor is opaque to clients: base64url of `[openedAtMs, caseId]`, the last case of a page. */
export function encodeCursor(cursor: CaseListCursor): string {
  return Buffer.from(JSON.stringify([cursor.openedAt, cursor.caseId])).toString('base64url');
}

function decodeCursor(text: string): CaseListCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string'
    ) {
      return { openedAt: value[0], caseId: value[1] };
    }
  } catch {
    // not JSON: refused below like any other malformed cursor
  }
  return null;
}

const statusSchema = z.enum(['open', 'approved', 'rejected', 'closed']);

const listQuery = z.strictObject({
  status: statusSchema.optional(),
  pm: idSchema.optional().describe('PM the case is attributed to (the SKU’s PM when it was opened)'),
  vendor: idSchema.optional().describe('Vendor the case is attributed to'),
  sku: idSchema.optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`Cases per page, 1 to ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}`),
  cursor: z
    .string()
    .max(400)
    .transform((text, ctx) => {
      const cursor = decodeCursor(text);
      if (cursor === null) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
        return z.NEVER;
      }
      return cursor;
    })
    .optional()
    .describe('`nextCursor` of the previous page; absent for the first page'),
});

const instant = z.string().describe('ISO-8601 UTC');
const caseSummarySchema = z
  .object({
    caseId: z.string(),
    orderId: z.string(),
    channel: z.string(),
    sku: z.string(),
    quantity: z.number().int(),
    vendorId: z.string(),
    pmId: z.string(),
    status: statusSchema,
    resolution: resolutionSchema.describe('The resolution asked for'),
    closedWith: closingResolutionSchema.nullable().describe('How the case was closed; null while open'),
    openedAt: instant,
    promisedBy: instant.nullable(),
    closedAt: instant.nullable(),
    updatedAt: instant.describe('Business time of the case’s latest event'),
    revision: z
      .number()
      .int()
      .describe('The case stream’s revision, as in the `ETag` of `GET /cases/{caseId}`'),
  })
  .meta({ id: 'CaseSummary' });

const pageSchema = z.object({
  items: z.array(caseSummarySchema),
  nextCursor: z
    .string()
    .nullable()
    .describe('Send it as `?cursor=` (with the same filters) for the next page; null on the last page'),
});

export function registerCaseListRoute(app: TypedApp, reader: ReportReader, store: EventStore): void {
  app.get(
    '/cases',
    {
      config: { auth: anyRole },
      schema: {
        tags: ['customer cycle'],
        summary: 'List cases, newest opened first, filtered by status, PM, vendor and SKU',
        description:
          'Filters combine (AND). Keyset paging: follow `nextCursor` until it is null; a page never repeats or skips a case because of cases opened meanwhile. Served from the `case-list` read model once it has caught up with the log (so it includes your own writes).',
        querystring: listQuery,
        response: { 200: pageSchema },
      },
    },
    async (request) => {
      const { cursor, ...query } = request.query;
      await caughtUp(reader, store);
      const page = reader.read(CASE_LIST_MODEL, (db) =>
        listCases(db, { ...query, ...(cursor === undefined ? {} : { after: cursor }) }),
      );
      return {
        items: page.items as z.input<typeof caseSummarySchema>[],
        nextCursor: page.next === null ? null : encodeCursor(page.next),
      };
    },
  );
}
