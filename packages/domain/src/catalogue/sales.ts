import { z } from 'zod';
import { accept, assertNever, type Decider, type Decision, refuse } from '../decider.js';
import { domainError } from '../errors.js';
import { type EventsOf, occurredAtError, validatedDecision } from '../shared/event-schema.js';
import { isoDateSchema, isoInstantSchema } from '../shared/time.js';

export const salesEventSchemas = {
  /** Units of a SKU sold on one calendar day; several records for one day add up. */
  SalesRecorded: z.strictObject({
    sku: z.string().min(1),
    quantity: z.number().int().positive(),
    soldOn: isoDateSchema,
    occurredAt: isoInstantSchema,
  }),
} as const;
export type SalesEvent = EventsOf<typeof salesEventSchemas>;

export interface RecordSales {
  readonly type: 'RecordSales';
  readonly sku: string;
  readonly quantity: number;
  /** `YYYY-MM-DD`. */
  readonly soldOn: string;
  readonly occurredAt: string;
  readonly context: { readonly skuRegistered: boolean };
}
export type SalesCommand = RecordSales;

export interface SalesState {
  readonly unitsSold: number;
  readonly lastOccurredAt: string | null;
}

function decide(command: SalesCommand, state: SalesState): Decision<SalesEvent> {
  const timeError = occurredAtError(command.occurredAt, state.lastOccurredAt);
  if (timeError) return refuse(timeError);
  if (!command.context.skuRegistered) {
    return refuse(domainError('LDG_SKU_NOT_FOUND', `SKU ${command.sku} is not registered`, 'sku'));
  }
  const { sku, quantity, soldOn, occurredAt } = command;
  return accept({ type: 'SalesRecorded', data: { sku, quantity, soldOn, occurredAt } });
}

function evolve(state: SalesState, event: SalesEvent): SalesState {
  switch (event.type) {
    case 'SalesRecorded':
      return { unitsSold: state.unitsSold + event.data.quantity, lastOccurredAt: event.data.occurredAt };
    default:
      return assertNever(event.type);
  }
}

export const salesDecider: Decider<SalesCommand, SalesEvent, SalesState> = {
  initialState: { unitsSold: 0, lastOccurredAt: null },
  evolve,
  decide: (command, state) => validatedDecision(salesEventSchemas, decide(command, state)),
};
