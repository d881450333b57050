import type { CommandContext, Ledger, WriteResult } from '@rma-ledger/application';
import type { CasePlan } from './case-plan.js';
import { type FieldOrigins, type RowLocation, rowError } from './row-errors.js';
import type { RowError } from './summary.js';

/** A step of a case row the ledger refused. */
export class StepRefused extends Error {
  constructor(readonly error: RowError) {
    super(error.message);
    this.name = 'StepRefused';
  }
}

export interface PlanOutcome {
  /** Commands that appended events. */
  readonly written: number;
  readonly commands: number;
}

/**
 * Runs a case row's plan through the ledger's use cases, step by step. With `keyPrefix`, each step
 * carries the idempotency key `<keyPrefix>:<step>`: a re-run of a row returns the first result of
 * every step already written and writes only the missing ones.
 */
export async function runPlan(
  ledger: Ledger,
  plan: CasePlan,
  context: CommandContext,
  keyPrefix: string | null,
): Promise<PlanOutcome> {
  let written = 0;
  let commands = 0;
  const step = async <T extends WriteResult>(
    name: string,
    origins: FieldOrigins,
    location: RowLocation,
    call: (context: CommandContext) => Promise<T>,
  ): Promise<T> => {
    const stepContext = keyPrefix === null ? context : { ...context, idempotencyKey: `${keyPrefix}:${name}` };
    try {
      const result = await call(stepContext);
      commands += 1;
      if (!result.deduplicated && result.events.length > 0) written += 1;
      return result;
    } catch (error) {
      const refusal = rowError(error, location, origins);
      if (refusal === null) throw error;
      throw new StepRefused({ ...refusal, message: `${name}: ${refusal.message}` });
    }
  };
  const { caseId, location } = plan;

  const opened = await step('open', plan.open.origins, location, (c) =>
    ledger.cases.open(plan.open.input, c),
  );
  const decision = plan.decision;
  if (decision?.kind === 'approved' && opened.status !== 'approved') {
    await step('approve', decision.origins, location, (c) =>
      ledger.cases.approve(caseId, { occurredAt: decision.at }, c),
    );
  }
  if (decision?.kind === 'rejected') {
    await step('reject', decision.origins, location, (c) =>
      ledger.cases.reject(caseId, { occurredAt: decision.at, reason: decision.reason }, c),
    );
  }
  for (const [index, receipt] of plan.receipts.entries()) {
    const received = await step(`receive:${index + 1}`, receipt.origins, location, (c) =>
      ledger.cases.receive(
        caseId,
        { occurredAt: receipt.at, ...(receipt.location === null ? {} : { location: receipt.location }) },
        c,
      ),
    );
    const inspection = receipt.inspection;
    if (inspection) {
      const origins = {
        ...receipt.origins,
        occurredAt: receipt.origins.inspectedAt ?? receipt.origins.occurredAt,
      };
      await step(`inspect:${index + 1}`, origins, location, (c) =>
        ledger.cases.inspect(
          caseId,
          { occurredAt: inspection.at, grade: inspection.grade, unitId: received.unitId },
          c,
        ),
      );
    }
  }
  for (const [index, refund] of plan.refunds.entries()) {
    const refundId = `${caseId}-r${index + 1}`;
    const name = `refund:${index + 1}`;
    // With nothing received the ledger takes it as a refund before return, which needs evidence:
    // the imported record the refund comes from.
    const evidence =
      plan.receipts.length === 0 ? { evidence: `Imported record: ${rowName(refund.location)}` } : {};
    const requested = await step(name, refund.origins, refund.location, (c) =>
      ledger.cases.requestRefund(
        caseId,
        { refundId, amount: refund.amount, occurredAt: refund.requestedAt, ...evidence },
        c,
      ),
    );
    const { paidAt, paymentRef } = refund;
    if (paidAt === null || paymentRef === null) continue;
    const paidOrigins = { ...refund.origins, occurredAt: refund.origins.paidAt };
    if (requested.refundStatus === 'requested') {
      await step(`${name}:approve`, paidOrigins, refund.location, (c) =>
        ledger.cases.approveRefund(caseId, refundId, { occurredAt: paidAt }, c),
      );
    }
    await step(`${name}:pay`, paidOrigins, refund.location, (c) =>
      ledger.cases.payRefund(caseId, refundId, { occurredAt: paidAt, paymentRef }, c),
    );
  }
  const close = plan.close;
  if (close) {
    await step('close', close.origins, location, (c) =>
      ledger.cases.close(caseId, { occurredAt: close.at }, c),
    );
  }
  return { written, commands };
}

function rowName(location: RowLocation): string {
  return location.sheet === null ? `row ${location.row}` : `sheet ${location.sheet}, row ${location.row}`;
}
