import { type CaseEvent, type DomainEvent, streamId } from '@rma-ledger/domain';
import type { RecordedEvent } from '@rma-ledger/event-store';
import type { Database } from 'better-sqlite3';
import type { BulkLoad, Projection } from '../projection.js';
import { toIso, toIsoOrNull, toMs } from '../reports/time.js';

/** The read model's name: its file is `case-list.<n>.db`. */
export const CASE_LIST_MODEL = 'case-list';

const CASE_EVENT_TYPES = [
  'CaseOpened',
  'CaseApproved',
  'CaseRejected',
  'CustomerPromiseSet',
  'ItemReceived',
  'ItemInspected',
  'RefundRequested',
  'RefundApproved',
  'RefundRejected',
  'RefundPaid',
  'ShippedToCustomer',
  'CompensationPaid',
  'CaseClosed',
] as const satisfies readonly CaseEvent['type'][];

export type CaseListStatus = 'open' | 'approved' | 'rejected' | 'closed';

/**
 * One row per case. Every case event moves `revision` (the case stream's, as in the case's ETag);
 * times are business time (`occurredAt`) as epoch milliseconds. The indexes serve the list's
 * filters, each ordered newest first with the case id breaking ties, which is the paging key.
 */
const CASE_LIST_SCHEMA = `
CREATE TABLE case_list (
  case_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  vendor_id TEXT NOT NULL,
  pm_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'closed')),
  resolution TEXT NOT NULL,
  closed_with TEXT,
  opened_at INTEGER NOT NULL,
  promised_by INTEGER,
  closed_at INTEGER,
  updated_at INTEGER NOT NULL,
  revision INTEGER NOT NULL
) WITHOUT ROWID;
`;

const CASE_LIST_INDEXES = `
CREATE INDEX IF NOT EXISTS case_list_by_opened ON case_list (opened_at, case_id);
CREATE INDEX IF NOT EXISTS case_list_by_status ON case_list (status, opened_at, case_id);
CREATE INDEX IF NOT EXISTS case_list_by_pm ON case_list (pm_id, opened_at, case_id);
CREATE INDEX IF NOT EXISTS case_list_by_vendor ON case_list (vendor_id, opened_at, case_id);
CREATE INDEX IF NOT EXISTS case_list_by_sku ON case_list (sku, opened_at, case_id);
`;

function bindCaseList(db: Database): (event: DomainEvent, recorded: RecordedEvent) => void {
  const open = db.prepare(
    `INSERT INTO case_list (case_id, order_id, channel, sku, quantity, vendor_id, pm_id, status, resolution,
       opened_at, updated_at, revision)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
  );
  const touch = db.prepare('UPDATE case_list SET updated_at = ?, revision = ? WHERE case_id = ?');
  const setStatus = db.prepare(
    'UPDATE case_list SET status = ?, updated_at = ?, revision = ? WHERE case_id = ?',
  );
  const promise = db.prepare(
    'UPDATE case_list SET promised_by = ?, updated_at = ?, revision = ? WHERE case_id = ?',
  );
  const close = db.prepare(
    `UPDATE case_list SET status = 'closed', closed_with = ?, closed_at = ?, updated_at = ?, revision = ?
     WHERE case_id = ?`,
  );

  return (event, recorded) => {
    const caseId = streamId(recorded.streamName, 'case');
    if (caseId === null) return;
    const at = toMs(event.data.occurredAt);
    const revision = recorded.revision;
    switch (event.type) {
      case 'CaseOpened': {
        const d = event.data;
        open.run(
          d.caseId,
          d.orderId,
          d.channel,
          d.sku,
          d.quantity,
          d.vendorId,
          d.pmId,
          d.resolution,
          at,
          at,
          revision,
        );
        return;
      }
      case 'CaseApproved':
        setStatus.run('approved', at, revision, caseId);
        return;
      case 'CaseRejected':
        setStatus.run('rejected', at, revision, caseId);
        return;
      case 'CustomerPromiseSet':
        promise.run(toMs(event.data.promisedBy), at, revision, caseId);
        return;
      case 'CaseClosed':
        close.run(event.data.resolution, at, at, revision, caseId);
        return;
      default:
        touch.run(at, revision, caseId);
    }
  };
}

/** A case_list row, as `bindCaseList` keeps it. */
interface CaseRow {
  readonly caseId: string;
  readonly orderId: string;
  readonly channel: string;
  readonly sku: string;
  readonly quantity: number;
  readonly vendorId: string;
  readonly pmId: string;
  status: CaseListStatus;
  readonly resolution: string;
  closedWith: string | null;
  readonly openedAt: number;
  promisedBy: number | null;
  closedAt: number | null;
  updatedAt: number;
  revision: number;
}

/** The same rows as `bindCaseList`, kept in memory and inserted in key order at the end. */
function bulkLoadCaseList(db: Database): BulkLoad<DomainEvent> {
  const rows = new Map<string, CaseRow>();
  const insert = db.prepare(
    `INSERT INTO case_list (case_id, order_id, channel, sku, quantity, vendor_id, pm_id, status, resolution,
       closed_with, opened_at, promised_by, closed_at, updated_at, revision)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    apply(event, recorded) {
      const caseId = streamId(recorded.streamName, 'case');
      if (caseId === null) return;
      const at = toMs(event.data.occurredAt);
      const revision = recorded.revision;
      if (event.type === 'CaseOpened') {
        const d = event.data;
        if (rows.has(d.caseId)) throw new Error(`UNIQUE constraint failed: case_list.case_id (${d.caseId})`);
        rows.set(d.caseId, {
          caseId: d.caseId,
          orderId: d.orderId,
          channel: d.channel,
          sku: d.sku,
          quantity: d.quantity,
          vendorId: d.vendorId,
          pmId: d.pmId,
          status: 'open',
          resolution: d.resolution,
          closedWith: null,
          openedAt: at,
          promisedBy: null,
          closedAt: null,
          updatedAt: at,
          revision,
        });
        return;
      }
      const row = rows.get(caseId);
      if (row === undefined) return;
      row.updatedAt = at;
      row.revision = revision;
      switch (event.type) {
        case 'CaseApproved':
          row.status = 'approved';
          return;
        case 'CaseRejected':
          row.status = 'rejected';
          return;
        case 'CustomerPromiseSet':
          row.promisedBy = toMs(event.data.promisedBy);
          return;
        case 'CaseClosed':
          row.status = 'closed';
          row.closedWith = event.data.resolution;
          row.closedAt = at;
          return;
      }
    },
    finish() {
      for (const key of [...rows.keys()].sort()) {
        const r = rows.get(key)!;
        insert.run(
          r.caseId,
          r.orderId,
          r.channel,
          r.sku,
          r.quantity,
          r.vendorId,
          r.pmId,
          r.status,
          r.resolution,
          r.closedWith,
          r.openedAt,
          r.promisedBy,
          r.closedAt,
          r.updatedAt,
          r.revision,
        );
      }
      rows.clear();
    },
  };
}

export const caseListProjection: Projection<DomainEvent> = {
  name: CASE_LIST_MODEL,
  version: 1,
  schema: CASE_LIST_SCHEMA,
  indexes: CASE_LIST_INDEXES,
  eventTypes: CASE_EVENT_TYPES,
  bind: bindCaseList,
  bulkLoad: bulkLoadCaseList,
};

/** A case as listed. Times are ISO-8601 UTC. */
export interface CaseListItem {
  readonly caseId: string;
  readonly orderId: string;
  readonly channel: string;
  readonly sku: string;
  readonly quantity: number;
  readonly vendorId: string;
  readonly pmId: string;
  readonly status: CaseListStatus;
  /** The resolution the customer asked for. */
  readonly resolution: string;
  /** How the case was closed; null while it is not. */
  readonly closedWith: string | null;
  readonly openedAt: string;
  readonly promisedBy: string | null;
  readonly closedAt: string | null;
  /** Business time of the case's latest event. */
  readonly updatedAt: string;
  /** The case stream's revision: the `ETag` of `GET /cases/{caseId}` is `W/"<revision>"`. */
  readonly revision: number;
}

export interface CaseListFilter {
  readonly status?: CaseListStatus;
  readonly pm?: string;
  readonly vendor?: string;
  readonly sku?: string;
}

/** Where the previous page ended: the last case listed (newest first). */
export interface CaseListCursor {
  readonly openedAt: number;
  readonly caseId: string;
}

export interface CaseListPage {
  readonly items: CaseListItem[];
  /** Pass it back as `after` for the next page; null on the last page. */
  readonly next: CaseListCursor | null;
}

interface Row {
  caseId: string;
  orderId: string;
  channel: string;
  sku: string;
  quantity: number;
  vendorId: string;
  pmId: string;
  status: CaseListStatus;
  resolution: string;
  closedWith: string | null;
  openedAt: number;
  promisedBy: number | null;
  closedAt: number | null;
  updatedAt: number;
  revision: number;
}

const FILTER_COLUMNS = { status: 'status', pm: 'pm_id', vendor: 'vendor_id', sku: 'sku' } as const;

/**
 * Cases matching every given filter, newest opened first (ties by case id, descending), at most
 * `limit`, starting after `after`. Keyset paging: a page never repeats or skips a case that was
 * listed before, whatever is opened in between.
 */
export function listCases(
  db: Database,
  query: CaseListFilter & { readonly limit: number; readonly after?: CaseListCursor },
): CaseListPage {
  const where: string[] = [];
  const params: Record<string, string | number> = { limit: query.limit + 1 };
  for (const [key, column] of Object.entries(FILTER_COLUMNS)) {
    const value = query[key as keyof CaseListFilter];
    if (value === undefined) continue;
    where.push(`${column} = @${key}`);
    params[key] = value;
  }
  if (query.after) {
    where.push('(opened_at < @afterOpenedAt OR (opened_at = @afterOpenedAt AND case_id < @afterCaseId))');
    params.afterOpenedAt = query.after.openedAt;
    params.afterCaseId = query.after.caseId;
  }
  const rows = db
    .prepare(
      `SELECT case_id AS caseId, order_id AS orderId, channel, sku, quantity, vendor_id AS vendorId,
              pm_id AS pmId, status, resolution, closed_with AS closedWith, opened_at AS openedAt,
              promised_by AS promisedBy, closed_at AS closedAt, updated_at AS updatedAt, revision
       FROM case_list ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
       ORDER BY opened_at DESC, case_id DESC
       LIMIT @limit`,
    )
    .all(params) as Row[];
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({
      ...row,
      openedAt: toIso(row.openedAt),
      promisedBy: toIsoOrNull(row.promisedBy),
      closedAt: toIsoOrNull(row.closedAt),
      updatedAt: toIso(row.updatedAt),
    })),
    next: more && last ? { openedAt: last.openedAt, caseId: last.caseId } : null,
  };
}
