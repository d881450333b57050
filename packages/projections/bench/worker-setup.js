// @ts-check
/**
 * The rebuild bench's worker setup: a worker thread opens the bench's log and the bench's
 * projections from here. Plain JavaScript, because the bench runs the built packages and a
 * worker thread loads this module as it is.
 */
import {
  afterSalesFlagProjection,
  caseListProjection,
  DEFAULT_AFTER_SALES_FLAG_CONFIG,
  parseDomainEvent,
  parseStoredDomainEvent,
  reportModelProjection,
} from '@rma-ledger/projections';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';

/** @param {unknown} data `{ path, parse }` from the bench, which runs the same projections */
export default function setup(data) {
  const { path, parse } = /** @type {{ path: string, parse: 'stored' | 'checked' }} */ (data);
  return {
    store: openSqliteEventStore({ path }),
    projections: [
      reportModelProjection,
      afterSalesFlagProjection(DEFAULT_AFTER_SALES_FLAG_CONFIG, () => {}),
      caseListProjection,
    ],
    parse: parse === 'stored' ? parseStoredDomainEvent : parseDomainEvent,
  };
}
