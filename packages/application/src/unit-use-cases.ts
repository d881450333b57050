import {
  type Money,
  type RmaUnitCommand,
  type RmaUnitEvent,
  type RmaUnitState,
  rmaUnitDecider,
  rmaUnitStream,
  type VendorOutcome,
} from '@rma-ledger/domain';
import type { RecordedEvent } from '@rma-ledger/event-store';
import type { CommandContext, CommandOutcome } from './command-handler.js';
import { rmaUnitCodec } from './domain-codecs.js';
import { NotFoundError } from './errors.js';
import { loadStream } from './stream-reader.js';
import {
  type LedgerDeps,
  referenceInstant,
  skuDetails,
  type Timed,
  vendorTurnaroundDays,
  type WriteResult,
  writeResult,
} from './use-case-support.js';

export interface UnitWriteResult extends WriteResult {
  readonly unitId: string;
}

export interface DispatchResult extends UnitWriteResult {
  readonly vendorDueAt: string;
}

export interface UnitView {
  readonly unitId: string;
  /** The `ETag`. */
  readonly revision: number;
  readonly state: RmaUnitState;
}

/** The vendor-return cycle: one stream per RMA unit. Units are created by the process manager only. */
export class UnitUseCases {
  constructor(private readonly deps: LedgerDeps) {}

  /** Sends the unit to the vendor it is attributed to; the due date follows that vendor's agreement at the dispatch. */
  async dispatch(unitId: string, input: Timed & { readonly vendorRef?: string }, context: CommandContext) {
    const vendorId = (await this.load(unitId)).state.vendorId;
    const turnaroundDays =
      vendorId === null
        ? null
        : await vendorTurnaroundDays(this.deps.states, vendorId, referenceInstant(input.occurredAt));
    if (vendorId !== null && turnaroundDays === null) throw new NotFoundError('vendor', vendorId);
    const outcome = await this.run(unitId, 'unit.dispatch', input, context, (_state, occurredAt) => ({
      type: 'DispatchToVendor',
      unitId,
      ...(input.vendorRef === undefined ? {} : { vendorRef: input.vendorRef }),
      occurredAt,
      // Without a unit the domain refuses before it looks at the turnaround.
      context: { turnaroundDays: turnaroundDays ?? 0 },
    }));
    const dispatched = outcome.events.find((e) => e.event.type === 'UnitDispatchedToVendor')?.event;
    if (dispatched?.type !== 'UnitDispatchedToVendor')
      throw new Error(`Dispatch of ${unitId} wrote no dispatch`);
    return {
      ...this.result(unitId, outcome),
      vendorDueAt: dispatched.data.vendorDueAt,
    } satisfies DispatchResult;
  }

  async dun(unitId: string, input: Timed & { readonly note: string }, context: CommandContext) {
    const outcome = await this.run(unitId, 'unit.dun', input, context, (_state, occurredAt) => ({
      type: 'DunVendor',
      unitId,
      note: input.note,
      occurredAt,
    }));
    return this.result(unitId, outcome);
  }

  async recordVendorResponse(
    unitId: string,
    input: Timed & { readonly outcome: VendorOutcome; readonly creditAmount?: Money },
    context: CommandContext,
  ) {
    const outcome = await this.run(unitId, 'unit.vendor-return', input, context, (_state, occurredAt) => ({
      type: 'RecordVendorResponse',
      unitId,
      outcome: input.outcome,
      ...(input.creditAmount === undefined ? {} : { creditAmount: input.creditAmount }),
      occurredAt,
    }));
    return this.result(unitId, outcome);
  }

  async recordRetest(
    unitId: string,
    input: Timed & { readonly passed: boolean; readonly notes?: string },
    context: CommandContext,
  ) {
    const outcome = await this.run(unitId, 'unit.retest', input, context, (_state, occurredAt) => ({
      type: 'RecordRetest',
      unitId,
      passed: input.passed,
      ...(input.notes === undefined ? {} : { notes: input.notes }),
      occurredAt,
    }));
    return this.result(unitId, outcome);
  }

  async restock(unitId: string, input: Timed & { readonly location?: string }, context: CommandContext) {
    const outcome = await this.run(unitId, 'unit.restock', input, context, (_state, occurredAt) => ({
      type: 'Restock',
      unitId,
      ...(input.location === undefined ? {} : { location: input.location }),
      occurredAt,
    }));
    return this.result(unitId, outcome);
  }

  async returnToCustomer(unitId: string, input: Timed, context: CommandContext) {
    const outcome = await this.run(
      unitId,
      'unit.return-to-customer',
      input,
      context,
      (_state, occurredAt) => ({
        type: 'ReturnToCustomer',
        unitId,
        occurredAt,
      }),
    );
    return this.result(unitId, outcome);
  }

  async liquidate(unitId: string, input: Timed & { readonly recovered: Money }, context: CommandContext) {
    const outcome = await this.run(unitId, 'unit.liquidate', input, context, (_state, occurredAt) => ({
      type: 'Liquidate',
      unitId,
      recovered: input.recovered,
      occurredAt,
    }));
    return this.result(unitId, outcome);
  }

  /** Charged to the SKU's PM in force at the write-off (or the unit's PM at entry, if the SKU is gone). */
  async writeOff(
    unitId: string,
    input: Timed & { readonly amount?: Money; readonly reason: string },
    context: CommandContext,
  ) {
    const unit = (await this.load(unitId)).state;
    const sku =
      unit.sku === null
        ? null
        : await skuDetails(this.deps.states, unit.sku, referenceInstant(input.occurredAt));
    const pmId = sku?.pmId ?? unit.pmId ?? '';
    const outcome = await this.run(unitId, 'unit.write-off', input, context, (_state, occurredAt) => ({
      type: 'WriteOff',
      unitId,
      ...(input.amount === undefined ? {} : { amount: input.amount }),
      reason: input.reason,
      occurredAt,
      context: { pmId },
    }));
    return this.result(unitId, outcome);
  }

  async get(unitId: string, options: { readonly asOf?: Date } = {}): Promise<UnitView> {
    const loaded = await loadStream(
      this.deps.store,
      rmaUnitDecider,
      rmaUnitCodec,
      rmaUnitStream(unitId),
      options,
    );
    if (loaded.revision === null) throw new NotFoundError('rma-unit', unitId);
    return { unitId, revision: loaded.revision, state: loaded.state };
  }

  async history(unitId: string, options: { readonly asOf?: Date } = {}): Promise<RecordedEvent[]> {
    const loaded = await loadStream(
      this.deps.store,
      rmaUnitDecider,
      rmaUnitCodec,
      rmaUnitStream(unitId),
      options,
    );
    if (loaded.events.length === 0 && options.asOf === undefined) throw new NotFoundError('rma-unit', unitId);
    return loaded.events.map((e) => e.recorded);
  }

  private load(unitId: string) {
    return loadStream(this.deps.store, rmaUnitDecider, rmaUnitCodec, rmaUnitStream(unitId));
  }

  private run<Input extends Timed>(
    unitId: string,
    operation: string,
    input: Input,
    context: CommandContext,
    build: (state: RmaUnitState, occurredAt: string) => RmaUnitCommand,
  ): Promise<CommandOutcome<RmaUnitEvent>> {
    return this.deps.handler.handle(
      {
        decider: rmaUnitDecider,
        codec: rmaUnitCodec,
        streamName: rmaUnitStream(unitId),
        operation,
        input,
        occurredAt: input.occurredAt,
        build,
      },
      context,
    );
  }

  private result(unitId: string, outcome: CommandOutcome<RmaUnitEvent>): UnitWriteResult {
    return { unitId, ...writeResult(outcome) };
  }
}
