import {
  type ApprovalContext,
  type CaseCommand,
  type CaseEvent,
  type CaseState,
  type ClosingResolution,
  caseDecider,
  caseStream,
  type Grade,
  type Money,
  type Resolution,
  receiptUnitId,
} from '@rma-ledger/domain';
import type { RecordedEvent } from '@rma-ledger/event-store';
import type { CommandContext, CommandOutcome } from './command-handler.js';
import { caseCodec } from './domain-codecs.js';
import { NotFoundError } from './errors.js';
import type { OpenedPersonalData } from './personal-data-vault.js';
import { loadStream } from './stream-reader.js';
import {
  type LedgerDeps,
  policyTerms,
  referenceInstant,
  skuDetails,
  type Timed,
  utcInstant,
  vendorTurnaroundDays,
  type WriteResult,
  writeResult,
} from './use-case-support.js';

export interface OpenCaseInput extends Timed {
  /** Default: a new uuid v4. */
  readonly caseId?: string;
  readonly orderId: string;
  readonly channel: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly purchasedAt: string;
  readonly reason: string;
  readonly resolution: Resolution;
  readonly customer: {
    readonly id: string;
    readonly name: string;
    readonly phone?: string;
    readonly email?: string;
    readonly address?: string;
  };
}

export interface CaseWriteResult extends WriteResult {
  readonly caseId: string;
}

export interface OpenCaseResult extends CaseWriteResult {
  readonly status: 'open' | 'approved';
  /** Set when the case was approved by rule on opening. */
  readonly promisedBy: string | null;
}

export interface ApproveCaseResult extends CaseWriteResult {
  readonly promisedBy: string | null;
}

export interface CustodyResult extends CaseWriteResult {
  readonly unitId: string;
  /** The write on `rma-unit-<unitId>`; null if it failed inline (the catch-up reactor completes it). */
  readonly unit: WriteResult | null;
}

export interface ReceiveItemResult extends CustodyResult {
  readonly receiptNo: number;
}

export interface RequestRefundResult extends CaseWriteResult {
  readonly refundId: string;
  /** `approved` when the rule approved it at once, `requested` when it waits for finance. */
  readonly refundStatus: 'requested' | 'approved';
}

export interface CaseView {
  readonly caseId: string;
  /** The `ETag`. */
  readonly revision: number;
  readonly state: CaseState;
  readonly customer: { readonly id: string; readonly personalData: OpenedPersonalData } | null;
}

/** The customer cycle: one stream per case. */
export class CaseUseCases {
  constructor(private readonly deps: LedgerDeps) {}

  async open(input: OpenCaseInput, context: CommandContext): Promise<OpenCaseResult> {
    const caseId = input.caseId ?? this.deps.newId();
    const { id: customerId, ...personal } = input.customer;
    const personalData = await this.deps.vault.seal(customerId, personal);
    // The fingerprint keeps a blinded stand-in for the personal data, never a plain hash of it.
    const fingerprinted = {
      ...input,
      customer: { id: customerId, personalData: await this.deps.vault.blind(customerId, personal) },
    };
    // Attributed and judged as of the opening, which an import may backdate.
    const asOf = referenceInstant(input.occurredAt);
    const sku = await skuDetails(this.deps.states, input.sku, asOf);
    const approval = await this.approvalContext(input.channel, sku?.vendorId ?? null, asOf);
    const outcome = await this.deps.handler.handle(
      {
        decider: caseDecider,
        codec: caseCodec,
        streamName: caseStream(caseId),
        operation: 'case.open',
        target: input.caseId === undefined ? 'cases' : caseStream(caseId),
        input: fingerprinted,
        occurredAt: input.occurredAt,
        build: (_state, occurredAt): CaseCommand => ({
          type: 'OpenCase',
          caseId,
          orderId: input.orderId,
          channel: input.channel,
          sku: input.sku,
          quantity: input.quantity,
          unitPrice: input.unitPrice,
          purchasedAt: utcInstant(input.purchasedAt),
          reason: input.reason,
          resolution: input.resolution,
          customer: { id: customerId, personalData },
          occurredAt,
          context: { ...approval, sku: sku && { vendorId: sku.vendorId, pmId: sku.pmId } },
        }),
      },
      context,
    );
    const opened = find(outcome, 'CaseOpened');
    return {
      ...this.result(opened?.data.caseId ?? caseId, outcome),
      status: find(outcome, 'CaseApproved') ? 'approved' : 'open',
      promisedBy: find(outcome, 'CustomerPromiseSet')?.data.promisedBy ?? null,
    };
  }

  async approve(
    caseId: string,
    input: Timed & { readonly promisedBy?: string },
    context: CommandContext,
  ): Promise<ApproveCaseResult> {
    const current = await this.load(caseId);
    const opened = current.state.opened;
    const approval = opened
      ? await this.approvalContext(opened.channel, opened.vendorId, referenceInstant(input.occurredAt))
      : { policy: null, vendorTurnaroundDays: null };
    const outcome = await this.run(caseId, 'case.approve', input, context, (_state, occurredAt) => ({
      type: 'ApproveCase',
      caseId,
      approverId: context.actor,
      ...(input.promisedBy === undefined ? {} : { promisedBy: utcInstant(input.promisedBy) }),
      occurredAt,
      context: approval,
    }));
    return {
      ...this.result(caseId, outcome),
      promisedBy: find(outcome, 'CustomerPromiseSet')?.data.promisedBy ?? null,
    };
  }

  async reject(caseId: string, input: Timed & { readonly reason: string }, context: CommandContext) {
    const outcome = await this.run(caseId, 'case.reject', input, context, (_state, occurredAt) => ({
      type: 'RejectCase',
      caseId,
      reason: input.reason,
      occurredAt,
    }));
    return this.result(caseId, outcome);
  }

  /**
   * The item is back: the case records the receipt under a unit id derived from the case and the
   * receipt number, and the unit enters RMA custody in the same call (see the process manager).
   */
  async receive(
    caseId: string,
    input: Timed & { readonly location?: string },
    context: CommandContext,
  ): Promise<ReceiveItemResult> {
    const outcome = await this.run(caseId, 'case.receive', input, context, (state, occurredAt) => ({
      type: 'ReceiveItem',
      caseId,
      unitId: receiptUnitId(caseId, state.units.length + 1),
      ...(input.location === undefined ? {} : { location: input.location }),
      occurredAt,
    }));
    const received = find(outcome, 'ItemReceived');
    if (!received) throw new Error(`ReceiveItem on case ${caseId} wrote no ItemReceived`);
    return {
      ...this.result(caseId, outcome),
      unitId: received.data.unitId,
      receiptNo: received.data.receiptNo,
      unit: await this.react(outcome, 'ItemReceived'),
    };
  }

  /** Grades a received unit (default: the first one not yet graded); the unit is graded too. */
  async inspect(
    caseId: string,
    input: Timed & { readonly grade: Grade; readonly notes?: string; readonly unitId?: string },
    context: CommandContext,
  ): Promise<CustodyResult> {
    const outcome = await this.run(caseId, 'case.inspect', input, context, (state, occurredAt) => ({
      type: 'InspectItem',
      caseId,
      unitId: input.unitId ?? (state.units.find((u) => u.grade === null) ?? state.units.at(-1))?.unitId ?? '',
      grade: input.grade,
      ...(input.notes === undefined ? {} : { notes: input.notes }),
      occurredAt,
    }));
    const inspected = find(outcome, 'ItemInspected');
    if (!inspected) throw new Error(`InspectItem on case ${caseId} wrote no ItemInspected`);
    return {
      ...this.result(caseId, outcome),
      unitId: inspected.data.unitId,
      unit: await this.react(outcome, 'ItemInspected'),
    };
  }

  async requestRefund(
    caseId: string,
    input: Timed & {
      readonly refundId?: string;
      readonly amount: Money;
      readonly beforeReturn?: boolean;
      readonly evidence?: string;
    },
    context: CommandContext,
  ): Promise<RequestRefundResult> {
    const refundId = input.refundId ?? this.deps.newId();
    const current = await this.load(caseId);
    const channel = current.state.opened?.channel;
    const refundApprovalLimit = channel
      ? ((await policyTerms(this.deps.states, channel, referenceInstant(input.occurredAt)))
          ?.refundApprovalLimit ?? null)
      : null;
    const outcome = await this.run(caseId, 'case.refund.request', input, context, (_state, occurredAt) => ({
      type: 'RequestRefund',
      caseId,
      refundId,
      amount: input.amount,
      beforeReturn: input.beforeReturn ?? false,
      ...(input.evidence === undefined ? {} : { evidence: input.evidence }),
      occurredAt,
      context: { refundApprovalLimit },
    }));
    return {
      ...this.result(caseId, outcome),
      refundId: find(outcome, 'RefundRequested')?.data.refundId ?? refundId,
      refundStatus: find(outcome, 'RefundApproved') ? 'approved' : 'requested',
    };
  }

  async approveRefund(caseId: string, refundId: string, input: Timed, context: CommandContext) {
    const outcome = await this.run(
      caseId,
      'case.refund.approve',
      { refundId, ...input },
      context,
      (_s, occurredAt) => ({
        type: 'ApproveRefund',
        caseId,
        refundId,
        approverId: context.actor,
        occurredAt,
      }),
    );
    return { ...this.result(caseId, outcome), refundId };
  }

  async rejectRefund(
    caseId: string,
    refundId: string,
    input: Timed & { readonly reason: string },
    context: CommandContext,
  ) {
    const outcome = await this.run(
      caseId,
      'case.refund.reject',
      { refundId, ...input },
      context,
      (_s, occurredAt) => ({
        type: 'RejectRefund',
        caseId,
        refundId,
        reason: input.reason,
        occurredAt,
      }),
    );
    return { ...this.result(caseId, outcome), refundId };
  }

  async payRefund(
    caseId: string,
    refundId: string,
    input: Timed & { readonly paymentRef: string },
    context: CommandContext,
  ) {
    const outcome = await this.run(
      caseId,
      'case.refund.pay',
      { refundId, ...input },
      context,
      (_s, occurredAt) => ({
        type: 'PayRefund',
        caseId,
        refundId,
        paymentRef: input.paymentRef,
        occurredAt,
      }),
    );
    return { ...this.result(caseId, outcome), refundId };
  }

  async ship(
    caseId: string,
    input: Timed & { readonly kind: 'replacement' | 'repaired'; readonly trackingNo?: string },
    context: CommandContext,
  ) {
    const outcome = await this.run(caseId, 'case.ship', input, context, (_state, occurredAt) => ({
      type: 'ShipToCustomer',
      caseId,
      kind: input.kind,
      ...(input.trackingNo === undefined ? {} : { trackingNo: input.trackingNo }),
      occurredAt,
    }));
    return this.result(caseId, outcome);
  }

  async compensate(
    caseId: string,
    input: Timed & { readonly amount: Money; readonly reason: string },
    context: CommandContext,
  ) {
    const outcome = await this.run(caseId, 'case.compensate', input, context, (_state, occurredAt) => ({
      type: 'PayCompensation',
      caseId,
      amount: input.amount,
      reason: input.reason,
      occurredAt,
    }));
    return this.result(caseId, outcome);
  }

  async close(
    caseId: string,
    input: Timed & { readonly resolution?: ClosingResolution },
    context: CommandContext,
  ) {
    const outcome = await this.run(caseId, 'case.close', input, context, (_state, occurredAt) => ({
      type: 'CloseCase',
      caseId,
      ...(input.resolution === undefined ? {} : { resolution: input.resolution }),
      occurredAt,
    }));
    return this.result(caseId, outcome);
  }

  /** The case now, or as of a business instant, with the customer's personal data opened (or erased). */
  async get(caseId: string, options: { readonly asOf?: Date } = {}): Promise<CaseView> {
    const loaded = await loadStream(this.deps.store, caseDecider, caseCodec, caseStream(caseId), options);
    const opened = loaded.state.opened;
    if (loaded.revision === null || !opened) throw new NotFoundError('case', caseId);
    return {
      caseId,
      revision: loaded.revision,
      state: loaded.state,
      customer: {
        id: opened.customer.id,
        personalData: await this.deps.vault.open(opened.customer.personalData),
      },
    };
  }

  /** Every event of the case as stored (data, metadata, hash), optionally up to a business instant. */
  async history(caseId: string, options: { readonly asOf?: Date } = {}): Promise<RecordedEvent[]> {
    const loaded = await loadStream(this.deps.store, caseDecider, caseCodec, caseStream(caseId), options);
    if (loaded.events.length === 0 && options.asOf === undefined) throw new NotFoundError('case', caseId);
    return loaded.events.map((e) => e.recorded);
  }

  private load(caseId: string) {
    return loadStream(this.deps.store, caseDecider, caseCodec, caseStream(caseId));
  }

  private async approvalContext(
    channel: string,
    vendorId: string | null,
    asOf?: Date,
  ): Promise<ApprovalContext> {
    return {
      policy: await policyTerms(this.deps.states, channel, asOf),
      vendorTurnaroundDays:
        vendorId === null ? null : await vendorTurnaroundDays(this.deps.states, vendorId, asOf),
    };
  }

  private run<Input extends Timed>(
    caseId: string,
    operation: string,
    input: Input,
    context: CommandContext,
    build: (state: CaseState, occurredAt: string) => CaseCommand,
  ): Promise<CommandOutcome<CaseEvent>> {
    return this.deps.handler.handle(
      {
        decider: caseDecider,
        codec: caseCodec,
        streamName: caseStream(caseId),
        operation,
        input,
        occurredAt: input.occurredAt,
        build,
      },
      context,
    );
  }

  private result(caseId: string, outcome: CommandOutcome<CaseEvent>): CaseWriteResult {
    return { caseId, ...writeResult(outcome) };
  }

  /** Runs the process manager on the command's events, also on a deduplicated retry (it is idempotent). */
  private async react(
    outcome: CommandOutcome<CaseEvent>,
    trigger: 'ItemReceived' | 'ItemInspected',
  ): Promise<WriteResult | null> {
    const recorded = outcome.events.find((e) => e.event.type === trigger)?.recorded;
    if (!recorded) return null;
    try {
      const reaction = await this.deps.processManager.react(recorded);
      return reaction && writeResult(reaction);
    } catch (error) {
      this.deps.onReactionError(error, recorded);
      return null;
    }
  }
}

function find<T extends CaseEvent['type']>(
  outcome: CommandOutcome<CaseEvent>,
  type: T,
): Extract<CaseEvent, { type: T }> | undefined {
  return outcome.events.find((e) => e.event.type === type)?.event as
    | Extract<CaseEvent, { type: T }>
    | undefined;
}
