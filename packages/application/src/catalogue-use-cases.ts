import {
  type AfterSalesFlagLevel,
  accept,
  type Decider,
  type Money,
  type Period,
  type PolicyTerms,
  policyDecider,
  policyStream,
  type RecordSales,
  type SalesEvent,
  type SalesState,
  type SkuCommand,
  salesDecider,
  salesStream,
  skuDecider,
  skuStream,
  vendorDecider,
  vendorStream,
} from '@rma-ledger/domain';
import type { CommandContext } from './command-handler.js';
import { policyCodec, salesCodec, skuCodec, vendorCodec } from './domain-codecs.js';
import { NotFoundError } from './errors.js';
import {
  type LedgerDeps,
  skuDetails,
  type Timed,
  utcInstant,
  vendorTurnaroundDays,
  type WriteResult,
  writeResult,
} from './use-case-support.js';

export interface PutVendorInput extends Timed {
  readonly name: string;
  readonly agreement: { readonly turnaroundDays: number };
}

export interface PutSkuInput extends Timed {
  readonly name: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly unitCost: Money;
  readonly category: string;
}

export interface SalesLineInput {
  readonly sku: string;
  readonly quantity: number;
  /** A calendar day `YYYY-MM-DD`, or an instant (its UTC day counts). */
  readonly soldAt: string;
}

export interface RecordSalesDaysInput {
  /** One entry per calendar day, in time order. */
  readonly days: readonly {
    readonly quantity: number;
    /** `YYYY-MM-DD`. */
    readonly soldOn: string;
    /** When the day's sales are recorded (ISO-8601 with offset), e.g. its last sale. */
    readonly occurredAt: string;
  }[];
}

/** The domain's sales decider over a list of days, each decided on the state the previous left. */
const salesDaysDecider: Decider<readonly RecordSales[], SalesEvent, SalesState> = {
  initialState: salesDecider.initialState,
  evolve: salesDecider.evolve,
  decide(commands, state) {
    const events: SalesEvent[] = [];
    let current = state;
    for (const command of commands) {
      const decision = salesDecider.decide(command, current);
      if (!decision.ok) return decision;
      for (const event of decision.events) {
        events.push(event);
        current = salesDecider.evolve(current, event);
      }
    }
    return accept(...events);
  },
};

export interface RecordSalesInput extends Timed {
  readonly lines: readonly SalesLineInput[];
}

export interface PutPolicyInput extends Timed, Omit<PolicyTerms, 'handlingDays'> {
  /** Days of in-house handling around a vendor repair; default the domain's. */
  readonly handlingDays?: number;
}

/** A change of a SKU's after-sales flag, as the flag reactor decides it. */
export interface AfterSalesFlagInput {
  readonly ratio: number;
  /** The window the ratio was computed over. */
  readonly period: Period;
  /** The evaluation instant (business time). */
  readonly occurredAt: string;
}

/** Vendors, SKUs, sales and channel policies (admin). PUTs are upserts: an unchanged body writes nothing. */
export class CatalogueUseCases {
  constructor(private readonly deps: LedgerDeps) {}

  async putVendor(vendorId: string, input: PutVendorInput, context: CommandContext): Promise<WriteResult> {
    const policies = await this.deps.directory.channelRepairPromises();
    const outcome = await this.deps.handler.handle(
      {
        decider: vendorDecider,
        codec: vendorCodec,
        streamName: vendorStream(vendorId),
        operation: 'vendor.put',
        input,
        occurredAt: input.occurredAt,
        build: (_state, occurredAt) => ({
          type: 'SetVendor' as const,
          vendorId,
          name: input.name,
          agreement: { turnaroundDays: input.agreement.turnaroundDays },
          occurredAt,
          context: { policies },
        }),
      },
      context,
    );
    return writeResult(outcome);
  }

  async putSku(sku: string, input: PutSkuInput, context: CommandContext): Promise<WriteResult> {
    const vendorRegistered = (await vendorTurnaroundDays(this.deps.states, input.vendorId)) !== null;
    const outcome = await this.deps.handler.handle(
      {
        decider: skuDecider,
        codec: skuCodec,
        streamName: skuStream(sku),
        operation: 'sku.put',
        input,
        occurredAt: input.occurredAt,
        build: (_state, occurredAt) => ({
          type: 'SetSku' as const,
          sku,
          name: input.name,
          vendorId: input.vendorId,
          pmId: input.pmId,
          unitCost: input.unitCost,
          category: input.category,
          occurredAt,
          context: { vendorRegistered },
        }),
      },
      context,
    );
    return writeResult(outcome);
  }

  /** Records that a SKU crossed an after-sales threshold; the same level again writes nothing. */
  raiseAfterSalesFlag(
    sku: string,
    input: AfterSalesFlagInput & { readonly level: AfterSalesFlagLevel },
    context: CommandContext,
  ): Promise<WriteResult> {
    return this.changeFlag(sku, `sku.flag.raise.${input.level}`, input, context, (occurredAt) => ({
      type: 'RaiseAfterSalesFlag',
      sku,
      level: input.level,
      ratio: input.ratio,
      period: input.period,
      occurredAt,
    }));
  }

  /** Records that a flagged SKU fell back under the thresholds; an unflagged SKU writes nothing. */
  clearAfterSalesFlag(
    sku: string,
    input: AfterSalesFlagInput,
    context: CommandContext,
  ): Promise<WriteResult> {
    return this.changeFlag(sku, 'sku.flag.clear', input, context, (occurredAt) => ({
      type: 'ClearAfterSalesFlag',
      sku,
      ratio: input.ratio,
      period: input.period,
      occurredAt,
    }));
  }

  /**
   * The reactor evaluates a midnight that may lie before a later edit of the same SKU (it trails
   * the log), and a stream refuses business time that goes backwards: the flag event then takes
   * the SKU's last business time, while `period` still names the window evaluated.
   */
  private async changeFlag(
    sku: string,
    operation: string,
    input: AfterSalesFlagInput,
    context: CommandContext,
    command: (occurredAt: string) => SkuCommand,
  ): Promise<WriteResult> {
    const outcome = await this.deps.handler.handle(
      {
        decider: skuDecider,
        codec: skuCodec,
        streamName: skuStream(sku),
        operation,
        input,
        occurredAt: input.occurredAt,
        build: (state, occurredAt) =>
          command(
            state.lastOccurredAt !== null && state.lastOccurredAt > occurredAt
              ? state.lastOccurredAt
              : occurredAt,
          ),
      },
      context,
    );
    return writeResult(outcome);
  }

  /**
   * One append per line (each SKU has its own sales stream). Every SKU is checked before anything
   * is written; with an idempotency key each line gets `<key>#<n>`, so a retried batch writes
   * every line once.
   */
  async recordSales(input: RecordSalesInput, context: CommandContext): Promise<WriteResult[]> {
    for (const line of input.lines) {
      if ((await skuDetails(this.deps.states, line.sku)) === null) throw new NotFoundError('sku', line.sku);
    }
    const results: WriteResult[] = [];
    for (const [index, line] of input.lines.entries()) {
      const lineContext: CommandContext =
        context.idempotencyKey === undefined
          ? context
          : { ...context, idempotencyKey: `${context.idempotencyKey}#${index}` };
      const outcome = await this.deps.handler.handle(
        {
          decider: salesDecider,
          codec: salesCodec,
          streamName: salesStream(line.sku),
          operation: `sales.record#${index}`,
          target: 'sales',
          input,
          occurredAt: input.occurredAt,
          build: (_state, occurredAt) => ({
            type: 'RecordSales' as const,
            sku: line.sku,
            quantity: line.quantity,
            soldOn: calendarDay(line.soldAt),
            occurredAt,
            context: { skuRegistered: true },
          }),
        },
        lineContext,
      );
      results.push(writeResult(outcome));
    }
    return results;
  }

  /**
   * Several days of one SKU's sales in one decision and one append (bulk imports): each day is a
   * `RecordSales` the domain decides in turn, so the days are written all together or not at all,
   * with one stream read and one commit instead of one per day. Days must be in time order.
   */
  async recordSalesDays(
    sku: string,
    input: RecordSalesDaysInput,
    context: CommandContext,
  ): Promise<WriteResult> {
    if ((await skuDetails(this.deps.states, sku)) === null) throw new NotFoundError('sku', sku);
    const outcome = await this.deps.handler.handle(
      {
        decider: salesDaysDecider,
        codec: salesCodec,
        streamName: salesStream(sku),
        operation: 'sales.record-days',
        target: 'sales',
        input: { sku, ...input },
        // The last day is the latest (the domain refuses one out of order): it bounds them all.
        occurredAt: input.days.at(-1)?.occurredAt,
        build: () =>
          input.days.map((day) => ({
            type: 'RecordSales' as const,
            sku,
            quantity: day.quantity,
            soldOn: day.soldOn,
            occurredAt: utcInstant(day.occurredAt),
            context: { skuRegistered: true },
          })),
      },
      context,
    );
    return writeResult(outcome);
  }

  async putPolicy(channel: string, input: PutPolicyInput, context: CommandContext): Promise<WriteResult> {
    const vendors = await this.deps.directory.vendorTurnarounds();
    const { occurredAt: _occurredAt, ...terms } = input;
    const outcome = await this.deps.handler.handle(
      {
        decider: policyDecider,
        codec: policyCodec,
        streamName: policyStream(channel),
        operation: 'policy.put',
        input,
        occurredAt: input.occurredAt,
        build: (_state, occurredAt) => ({
          type: 'SetPolicy' as const,
          channel,
          ...terms,
          occurredAt,
          context: { vendors },
        }),
      },
      context,
    );
    return writeResult(outcome);
  }
}

function calendarDay(soldAt: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(soldAt)) return soldAt;
  return utcInstant(soldAt).slice(0, 10);
}
