import { z } from 'zod';
import { accept, assertNever, type Decider, type Decision, refuse } from '../decider.js';
import { domainError } from '../errors.js';
import { type EventsOf, occurredAtError, validatedDecision } from '../shared/event-schema.js';
import { isoInstantSchema } from '../shared/time.js';

/**
 * The customer stream only records that the customer's personal data was erased. The erasure
 * itself is the deletion of the customer's key in the application layer's key store: every sealed
 * copy in every case becomes unreadable while no event is rewritten.
 */
export const customerEventSchemas = {
  PersonalDataErased: z.strictObject({
    customerId: z.string().min(1),
    /** Why (e.g. the request reference); never personal data itself. */
    reason: z.string().min(1).max(500).nullable(),
    occurredAt: isoInstantSchema,
  }),
} as const;
export type CustomerEvent = EventsOf<typeof customerEventSchemas>;

export interface ErasePersonalData {
  readonly type: 'ErasePersonalData';
  readonly customerId: string;
  readonly reason?: string;
  readonly occurredAt: string;
}
export type CustomerCommand = ErasePersonalData;

export interface CustomerState {
  readonly erasedAt: string | null;
  readonly lastOccurredAt: string | null;
}

function decide(command: CustomerCommand, state: CustomerState): Decision<CustomerEvent> {
  const timeError = occurredAtError(command.occurredAt, state.lastOccurredAt);
  if (timeError) return refuse(timeError);
  if (state.erasedAt !== null) {
    return refuse(
      domainError(
        'LDG_PERSONAL_DATA_ALREADY_ERASED',
        `Personal data was already erased at ${state.erasedAt}`,
        undefined,
        {
          erasedAt: state.erasedAt,
        },
      ),
    );
  }
  const { customerId, occurredAt } = command;
  return accept({
    type: 'PersonalDataErased',
    data: { customerId, reason: command.reason ?? null, occurredAt },
  });
}

function evolve(_state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'PersonalDataErased':
      return { erasedAt: event.data.occurredAt, lastOccurredAt: event.data.occurredAt };
    default:
      return assertNever(event.type);
  }
}

export const customerDecider: Decider<CustomerCommand, CustomerEvent, CustomerState> = {
  initialState: { erasedAt: null, lastOccurredAt: null },
  evolve,
  decide: (command, state) => validatedDecision(customerEventSchemas, decide(command, state)),
};
