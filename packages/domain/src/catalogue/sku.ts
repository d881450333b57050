import { z } from 'zod';
import { accept, assertNever, type Decider, type Decision, refuse } from '../decider.js';
import { domainError } from '../errors.js';
import { type EventsOf, jsonEqual, occurredAtError, validatedDecision } from '../shared/event-schema.js';
import { type Money, moneySchema } from '../shared/money.js';
import { isoInstantSchema } from '../shared/time.js';

const sku = z.string().min(1);
const id = z.string().min(1);
const name = z.string().min(1).max(200);
const category = z.string().min(1).max(100);

export const afterSalesFlagLevelSchema = z.enum(['alert', 'delist']);
export type AfterSalesFlagLevel = z.infer<typeof afterSalesFlagLevelSchema>;

/** The half-open period `[from, to)` an after-sales ratio was computed over. */
export const periodSchema = z.strictObject({ from: isoInstantSchema, to: isoInstantSchema });
export type Period = z.infer<typeof periodSchema>;

export const skuEventSchemas = {
  SkuRegistered: z.strictObject({
    sku,
    name,
    vendorId: id,
    pmId: id,
    unitCost: moneySchema,
    category,
    occurredAt: isoInstantSchema,
  }),
  /** Vendor and/or PM changed; the previous attribution stays on the record. */
  SkuReassigned: z.strictObject({
    sku,
    vendorId: id,
    pmId: id,
    previousVendorId: id,
    previousPmId: id,
    occurredAt: isoInstantSchema,
  }),
  SkuDetailsChanged: z.strictObject({
    sku,
    name,
    unitCost: moneySchema,
    category,
    occurredAt: isoInstantSchema,
  }),
  SkuAfterSalesFlagRaised: z.strictObject({
    sku,
    level: afterSalesFlagLevelSchema,
    ratio: z.number().nonnegative(),
    period: periodSchema,
    occurredAt: isoInstantSchema,
  }),
  SkuAfterSalesFlagCleared: z.strictObject({
    sku,
    previousLevel: afterSalesFlagLevelSchema,
    ratio: z.number().nonnegative(),
    period: periodSchema,
    occurredAt: isoInstantSchema,
  }),
} as const;
export type SkuEvent = EventsOf<typeof skuEventSchemas>;

export interface SetSku {
  readonly type: 'SetSku';
  readonly sku: string;
  readonly name: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly unitCost: Money;
  readonly category: string;
  readonly occurredAt: string;
  readonly context: { readonly vendorRegistered: boolean };
}

export interface RaiseAfterSalesFlag {
  readonly type: 'RaiseAfterSalesFlag';
  readonly sku: string;
  readonly level: AfterSalesFlagLevel;
  readonly ratio: number;
  readonly period: Period;
  readonly occurredAt: string;
}

export interface ClearAfterSalesFlag {
  readonly type: 'ClearAfterSalesFlag';
  readonly sku: string;
  readonly ratio: number;
  readonly period: Period;
  readonly occurredAt: string;
}

export type SkuCommand = SetSku | RaiseAfterSalesFlag | ClearAfterSalesFlag;

export interface SkuDetails {
  readonly sku: string;
  readonly name: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly unitCost: Money;
  readonly category: string;
}

export interface SkuState {
  readonly details: SkuDetails | null;
  readonly flag: AfterSalesFlagLevel | null;
  readonly lastOccurredAt: string | null;
}

function decideSet(command: SetSku, state: SkuState): Decision<SkuEvent> {
  if (!command.context.vendorRegistered) {
    return refuse(
      domainError('LDG_VENDOR_NOT_FOUND', `Vendor ${command.vendorId} is not registered`, 'vendorId'),
    );
  }
  const { occurredAt } = command;
  const current = state.details;
  if (!current) {
    const { sku, name, vendorId, pmId, unitCost, category } = command;
    return accept({
      type: 'SkuRegistered',
      data: { sku, name, vendorId, pmId, unitCost, category, occurredAt },
    });
  }
  const events: SkuEvent[] = [];
  if (command.vendorId !== current.vendorId || command.pmId !== current.pmId) {
    events.push({
      type: 'SkuReassigned',
      data: {
        sku: current.sku,
        vendorId: command.vendorId,
        pmId: command.pmId,
        previousVendorId: current.vendorId,
        previousPmId: current.pmId,
        occurredAt,
      },
    });
  }
  if (
    command.name !== current.name ||
    command.category !== current.category ||
    !jsonEqual(command.unitCost, current.unitCost)
  ) {
    const { name, unitCost, category } = command;
    events.push({
      type: 'SkuDetailsChanged',
      data: { sku: current.sku, name, unitCost, category, occurredAt },
    });
  }
  return accept(...events);
}

function decide(command: SkuCommand, state: SkuState): Decision<SkuEvent> {
  const timeError = occurredAtError(command.occurredAt, state.lastOccurredAt);
  if (timeError) return refuse(timeError);
  if (command.type === 'SetSku') return decideSet(command, state);
  if (!state.details)
    return refuse(domainError('LDG_SKU_NOT_FOUND', `SKU ${command.sku} is not registered`, 'sku'));
  const { sku } = state.details;
  const { ratio, period, occurredAt } = command;
  switch (command.type) {
    case 'RaiseAfterSalesFlag':
      // The same level again is no news: the reactor may repeat itself safely.
      if (state.flag === command.level) return accept();
      return accept({
        type: 'SkuAfterSalesFlagRaised',
        data: { sku, level: command.level, ratio, period, occurredAt },
      });
    case 'ClearAfterSalesFlag':
      if (state.flag === null) return accept();
      return accept({
        type: 'SkuAfterSalesFlagCleared',
        data: { sku, previousLevel: state.flag, ratio, period, occurredAt },
      });
    default:
      return assertNever(command);
  }
}

function evolve(state: SkuState, event: SkuEvent): SkuState {
  const lastOccurredAt = event.data.occurredAt;
  switch (event.type) {
    case 'SkuRegistered': {
      const { sku, name, vendorId, pmId, unitCost, category } = event.data;
      return { ...state, details: { sku, name, vendorId, pmId, unitCost, category }, lastOccurredAt };
    }
    case 'SkuReassigned':
      return {
        ...state,
        details: state.details && { ...state.details, vendorId: event.data.vendorId, pmId: event.data.pmId },
        lastOccurredAt,
      };
    case 'SkuDetailsChanged': {
      const { name, unitCost, category } = event.data;
      return {
        ...state,
        details: state.details && { ...state.details, name, unitCost, category },
        lastOccurredAt,
      };
    }
    case 'SkuAfterSalesFlagRaised':
      return { ...state, flag: event.data.level, lastOccurredAt };
    case 'SkuAfterSalesFlagCleared':
      return { ...state, flag: null, lastOccurredAt };
    default:
      return assertNever(event);
  }
}

export const skuDecider: Decider<SkuCommand, SkuEvent, SkuState> = {
  initialState: { details: null, flag: null, lastOccurredAt: null },
  evolve,
  decide: (command, state) => validatedDecision(skuEventSchemas, decide(command, state)),
};
