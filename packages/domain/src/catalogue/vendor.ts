import { z } from 'zod';
import { accept, assertNever, type Decider, type Decision, refuse } from '../decider.js';
import { type EventsOf, occurredAtError, validatedDecision } from '../shared/event-schema.js';
import { isoInstantSchema } from '../shared/time.js';
import { promiseConflictSchema, promiseConflicts } from './promise-conflicts.js';

const vendorId = z.string().min(1);
const name = z.string().min(1).max(200);
const turnaroundDays = z.number().int().nonnegative();
/** Channels whose repair promise is shorter than this vendor's turnaround plus their handling. */
const conflicts = z.array(promiseConflictSchema);

export const vendorEventSchemas = {
  VendorRegistered: z.strictObject({
    vendorId,
    name,
    turnaroundDays,
    promiseConflicts: conflicts,
    occurredAt: isoInstantSchema,
  }),
  VendorAgreementChanged: z.strictObject({
    vendorId,
    turnaroundDays,
    previousTurnaroundDays: turnaroundDays,
    promiseConflicts: conflicts,
    occurredAt: isoInstantSchema,
  }),
  VendorRenamed: z.strictObject({ vendorId, name, previousName: name, occurredAt: isoInstantSchema }),
} as const;
export type VendorEvent = EventsOf<typeof vendorEventSchemas>;

/** A channel's repair promise as the vendor's agreement is checked against it. */
export interface ChannelRepairPromise {
  readonly channel: string;
  readonly repairPromiseDays: number;
  readonly handlingDays: number;
}

export interface SetVendor {
  readonly type: 'SetVendor';
  readonly vendorId: string;
  readonly name: string;
  readonly agreement: { readonly turnaroundDays: number };
  readonly occurredAt: string;
  /** Every channel policy in force, to flag promise conflicts. */
  readonly context: { readonly policies: readonly ChannelRepairPromise[] };
}
export type VendorCommand = SetVendor;

export interface VendorState {
  readonly vendorId: string | null;
  readonly name: string | null;
  readonly turnaroundDays: number | null;
  readonly lastOccurredAt: string | null;
}

function decide(command: VendorCommand, state: VendorState): Decision<VendorEvent> {
  const timeError = occurredAtError(command.occurredAt, state.lastOccurredAt);
  if (timeError) return refuse(timeError);
  const { occurredAt } = command;
  const days = command.agreement.turnaroundDays;
  const conflictsNow = () =>
    promiseConflicts(
      command.context.policies.map((p) => ({
        channel: p.channel,
        vendorId: command.vendorId,
        repairPromiseDays: p.repairPromiseDays,
        turnaroundDays: days,
        handlingDays: p.handlingDays,
      })),
    );
  if (state.vendorId === null || state.name === null || state.turnaroundDays === null) {
    return accept({
      type: 'VendorRegistered',
      data: {
        vendorId: command.vendorId,
        name: command.name,
        turnaroundDays: days,
        promiseConflicts: conflictsNow(),
        occurredAt,
      },
    });
  }
  const events: VendorEvent[] = [];
  if (command.name !== state.name) {
    events.push({
      type: 'VendorRenamed',
      data: { vendorId: state.vendorId, name: command.name, previousName: state.name, occurredAt },
    });
  }
  if (days !== state.turnaroundDays) {
    events.push({
      type: 'VendorAgreementChanged',
      data: {
        vendorId: state.vendorId,
        turnaroundDays: days,
        previousTurnaroundDays: state.turnaroundDays,
        promiseConflicts: conflictsNow(),
        occurredAt,
      },
    });
  }
  return accept(...events);
}

function evolve(state: VendorState, event: VendorEvent): VendorState {
  const lastOccurredAt = event.data.occurredAt;
  switch (event.type) {
    case 'VendorRegistered':
      return {
        vendorId: event.data.vendorId,
        name: event.data.name,
        turnaroundDays: event.data.turnaroundDays,
        lastOccurredAt,
      };
    case 'VendorAgreementChanged':
      return { ...state, turnaroundDays: event.data.turnaroundDays, lastOccurredAt };
    case 'VendorRenamed':
      return { ...state, name: event.data.name, lastOccurredAt };
    default:
      return assertNever(event);
  }
}

export const vendorDecider: Decider<VendorCommand, VendorEvent, VendorState> = {
  initialState: { vendorId: null, name: null, turnaroundDays: null, lastOccurredAt: null },
  evolve,
  decide: (command, state) => validatedDecision(vendorEventSchemas, decide(command, state)),
};
