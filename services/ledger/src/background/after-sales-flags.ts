import { type CommandContext, DomainRejectedError, type Ledger } from '@rma-ledger/application';
import type { EventStore } from '@rma-ledger/event-store';
import {
  type AfterSalesFlagChange,
  type AfterSalesFlagConfig,
  type AfterSalesFlagWriter,
  startAfterSalesFlagReactor,
} from '@rma-ledger/projections';
import type { Supervisor } from './supervisor.js';

export const AFTER_SALES_FLAGS_TASK = 'after-sales-flags';
const ACTOR = 'system:after-sales-flags';

/**
 * Each flag change goes through the Ledger's raise/clear commands under the change's own
 * idempotency key, so a change handed over twice (a crash, a restart) is written once. A change
 * the domain refuses is reported and skipped: retrying it could never succeed.
 */
export function ledgerFlagWriter(
  ledger: Ledger,
  onRejected: (error: DomainRejectedError, change: AfterSalesFlagChange) => void,
): AfterSalesFlagWriter {
  const context = (change: AfterSalesFlagChange): CommandContext => ({
    actor: ACTOR,
    correlationId: change.idempotencyKey,
    idempotencyKey: change.idempotencyKey,
  });
  const tolerant = async (change: AfterSalesFlagChange, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      if (!(error instanceof DomainRejectedError)) throw error;
      onRejected(error, change);
    }
  };
  return {
    raise: (c) =>
      tolerant(c, () =>
        ledger.catalogue.raiseAfterSalesFlag(
          c.sku,
          { level: c.level, ratio: c.ratio, period: c.period, occurredAt: c.occurredAt },
          context(c),
        ),
      ),
    clear: (c) =>
      tolerant(c, () =>
        ledger.catalogue.clearAfterSalesFlag(
          c.sku,
          { ratio: c.ratio, period: c.period, occurredAt: c.occurredAt },
          context(c),
        ),
      ),
  };
}

/**
 * Runs the SKU after-sales flag reactor (kpis.md §6) under the supervisor, its state in the
 * read-model directory; a restarted run resumes from its checkpoint and writes what was pending.
 */
export function superviseAfterSalesFlags(
  supervisor: Supervisor,
  deps: {
    readonly store: EventStore;
    readonly directory: string;
    readonly write: AfterSalesFlagWriter;
    readonly config?: AfterSalesFlagConfig;
  },
): void {
  supervisor.supervise(AFTER_SALES_FLAGS_TASK, ({ failed, caughtUp }) => {
    const reactor = startAfterSalesFlagReactor({ ...deps, onFailure: failed });
    deps.store
      .headPosition()
      .then((head) => (head === null ? undefined : reactor.waitFor(head)))
      .then(caughtUp, failed);
    return reactor;
  });
}
