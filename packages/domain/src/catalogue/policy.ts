import { z } from 'zod';
import { accept, assertNever, type Decider, type Decision, refuse } from '../decider.js';
import { type EventsOf, jsonEqual, occurredAtError, validatedDecision } from '../shared/event-schema.js';
import { moneySchema } from '../shared/money.js';
import { isoInstantSchema } from '../shared/time.js';
import { type PromiseConflict, promiseConflictSchema, promiseConflicts } from './promise-conflicts.js';

export const resolutionSchema = z.enum(['refund', 'exchange', 'repair']);
export type Resolution = z.infer<typeof resolutionSchema>;

/**
 * Days the merchant itself needs around a vendor repair (receiving, inspecting, dispatching,
 * retesting, shipping back) when a policy does not say: used to judge whether a repair promise
 * leaves room for the vendor's turnaround.
 */
export const DEFAULT_HANDLING_DAYS = 2;

const days = z.number().int().nonnegative();

/** A channel's customer policy: what cases are checked against. */
export const policyTermsSchema = z.strictObject({
  returnWindowDays: days,
  exchangeWindowDays: days,
  warrantyDays: days,
  promiseDays: z.strictObject({ refund: days, exchange: days, repair: days }),
  autoApproveLimit: moneySchema,
  refundApprovalLimit: moneySchema,
  handlingDays: days,
});
export type PolicyTerms = z.infer<typeof policyTermsSchema>;

export const policyEventSchemas = {
  ChannelPolicySet: policyTermsSchema.extend({
    channel: z.string().min(1),
    /** Vendors whose turnaround plus handling exceeds this policy's repair promise. */
    promiseConflicts: z.array(promiseConflictSchema),
    occurredAt: isoInstantSchema,
  }),
} as const;
export type PolicyEvent = EventsOf<typeof policyEventSchemas>;

export interface SetPolicy extends Omit<PolicyTerms, 'handlingDays'> {
  readonly type: 'SetPolicy';
  readonly channel: string;
  /** Default `DEFAULT_HANDLING_DAYS`. */
  readonly handlingDays?: number;
  readonly occurredAt: string;
  /** Every registered vendor's current turnaround, to flag promise conflicts. */
  readonly context: { readonly vendors: readonly { vendorId: string; turnaroundDays: number }[] };
}
export type PolicyCommand = SetPolicy;

export interface PolicyState {
  readonly channel: string | null;
  readonly terms: PolicyTerms | null;
  readonly lastOccurredAt: string | null;
}

function termsOf(source: PolicyTerms): PolicyTerms {
  return {
    returnWindowDays: source.returnWindowDays,
    exchangeWindowDays: source.exchangeWindowDays,
    warrantyDays: source.warrantyDays,
    promiseDays: {
      refund: source.promiseDays.refund,
      exchange: source.promiseDays.exchange,
      repair: source.promiseDays.repair,
    },
    autoApproveLimit: { amount: source.autoApproveLimit.amount, currency: source.autoApproveLimit.currency },
    refundApprovalLimit: {
      amount: source.refundApprovalLimit.amount,
      currency: source.refundApprovalLimit.currency,
    },
    handlingDays: source.handlingDays,
  };
}

function decide(command: PolicyCommand, state: PolicyState): Decision<PolicyEvent> {
  const timeError = occurredAtError(command.occurredAt, state.lastOccurredAt);
  if (timeError) return refuse(timeError);
  const terms = termsOf({ ...command, handlingDays: command.handlingDays ?? DEFAULT_HANDLING_DAYS });
  if (state.terms && jsonEqual(state.terms, terms)) return accept();
  const conflicts: PromiseConflict[] = promiseConflicts(
    command.context.vendors.map((v) => ({
      channel: command.channel,
      vendorId: v.vendorId,
      repairPromiseDays: terms.promiseDays.repair,
      turnaroundDays: v.turnaroundDays,
      handlingDays: terms.handlingDays,
    })),
  );
  return accept({
    type: 'ChannelPolicySet',
    data: { channel: command.channel, ...terms, promiseConflicts: conflicts, occurredAt: command.occurredAt },
  });
}

function evolve(_state: PolicyState, event: PolicyEvent): PolicyState {
  switch (event.type) {
    case 'ChannelPolicySet':
      return {
        channel: event.data.channel,
        terms: termsOf(event.data),
        lastOccurredAt: event.data.occurredAt,
      };
    default:
      return assertNever(event.type);
  }
}

export const policyDecider: Decider<PolicyCommand, PolicyEvent, PolicyState> = {
  initialState: { channel: null, terms: null, lastOccurredAt: null },
  evolve,
  decide: (command, state) => validatedDecision(policyEventSchemas, decide(command, state)),
};
