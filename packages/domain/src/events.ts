import type { z } from 'zod';
import { type CaseEvent, caseEventSchemas } from './case/events.js';
import { upcastCaseOpenedV1 } from './case/upcasters.js';
import { type PolicyEvent, policyEventSchemas } from './catalogue/policy.js';
import { type SalesEvent, salesEventSchemas } from './catalogue/sales.js';
import { type SkuEvent, skuEventSchemas } from './catalogue/sku.js';
import { type VendorEvent, vendorEventSchemas } from './catalogue/vendor.js';
import { type CustomerEvent, customerEventSchemas } from './customer/customer.js';
import { type ReconciliationEvent, reconciliationEventSchemas } from './reconciliation/events.js';
import { type RmaUnitEvent, rmaUnitEventSchemas } from './rma-unit/events.js';

export type DomainEvent =
  | CaseEvent
  | RmaUnitEvent
  | CustomerEvent
  | VendorEvent
  | SkuEvent
  | PolicyEvent
  | SalesEvent
  | ReconciliationEvent;
export type DomainEventType = DomainEvent['type'];

/** Turns the data of version n into the data of version n + 1. */
export type Upcaster = (data: unknown) => unknown;

export interface EventCatalogueEntry {
  /** The current schema version: what new events are written with. */
  readonly version: number;
  readonly schema: z.ZodType;
  /** Keyed by the version they upcast from: `{ 1: v1 → v2, 2: v2 → v3 }`. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
}

const schemasByType = {
  ...caseEventSchemas,
  ...rmaUnitEventSchemas,
  ...customerEventSchemas,
  ...vendorEventSchemas,
  ...skuEventSchemas,
  ...policyEventSchemas,
  ...salesEventSchemas,
  ...reconciliationEventSchemas,
} as const satisfies Record<DomainEventType, z.ZodType>;

/** Every event type whose schema changed since version 1, and how to bring old data up to date. */
const versioned: Partial<Record<DomainEventType, Omit<EventCatalogueEntry, 'schema'>>> = {
  CaseOpened: { version: 2, upcasters: { 1: upcastCaseOpenedV1 } },
};

export const EVENT_CATALOGUE: Readonly<Record<DomainEventType, EventCatalogueEntry>> = Object.fromEntries(
  Object.entries(schemasByType as Record<string, z.ZodType>).map(
    ([type, schema]): [string, EventCatalogueEntry] => [
      type,
      { schema, ...(versioned[type as DomainEventType] ?? { version: 1, upcasters: {} }) },
    ],
  ),
) as Record<DomainEventType, EventCatalogueEntry>;

export class EventSchemaError extends Error {
  readonly code = 'LDG_EVENT_SCHEMA';
  constructor(
    readonly eventType: string,
    readonly schemaVersion: number,
    message: string,
  ) {
    super(`${eventType} v${schemaVersion}: ${message}`);
    this.name = 'EventSchemaError';
  }
}

export function isDomainEventType(type: string): type is DomainEventType {
  return Object.hasOwn(EVENT_CATALOGUE, type);
}

function entryOf(type: string): EventCatalogueEntry {
  if (!isDomainEventType(type)) throw new EventSchemaError(type, 0, 'unknown event type');
  return EVENT_CATALOGUE[type];
}

/** The schema version new events of this type are written with. */
export function currentSchemaVersion(type: DomainEventType | string): number {
  return entryOf(type).version;
}

/**
 * Reads stored event data: upcasts it step by step from the version it was written with to the
 * current one, then validates it. Throws `EventSchemaError` for an unknown type or version, or for
 * data that does not match.
 */
export function parseEvent(type: string, schemaVersion: number, data: unknown): DomainEvent {
  const entry = entryOf(type);
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > entry.version) {
    throw new EventSchemaError(type, schemaVersion, `unknown schema version (current is ${entry.version})`);
  }
  let current = data;
  for (let version = schemaVersion; version < entry.version; version++) {
    const upcast = entry.upcasters[version];
    if (!upcast) throw new EventSchemaError(type, version, `no upcaster to v${version + 1}`);
    try {
      current = upcast(current);
    } catch (error) {
      throw new EventSchemaError(type, version, `upcast failed: ${(error as Error).message}`);
    }
  }
  const result = entry.schema.safeParse(current);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new EventSchemaError(type, schemaVersion, `invalid data: ${detail}`);
  }
  return { type, data: result.data } as DomainEvent;
}

function hasTypeIn<M extends Record<string, unknown>>(schemas: M) {
  return (event: DomainEvent): boolean => Object.hasOwn(schemas, event.type);
}

export const isCaseEvent = hasTypeIn(caseEventSchemas) as (e: DomainEvent) => e is CaseEvent;
export const isRmaUnitEvent = hasTypeIn(rmaUnitEventSchemas) as (e: DomainEvent) => e is RmaUnitEvent;
export const isCustomerEvent = hasTypeIn(customerEventSchemas) as (e: DomainEvent) => e is CustomerEvent;
export const isVendorEvent = hasTypeIn(vendorEventSchemas) as (e: DomainEvent) => e is VendorEvent;
export const isSkuEvent = hasTypeIn(skuEventSchemas) as (e: DomainEvent) => e is SkuEvent;
export const isPolicyEvent = hasTypeIn(policyEventSchemas) as (e: DomainEvent) => e is PolicyEvent;
export const isSalesEvent = hasTypeIn(salesEventSchemas) as (e: DomainEvent) => e is SalesEvent;
export const isReconciliationEvent = hasTypeIn(reconciliationEventSchemas) as (
  e: DomainEvent,
) => e is ReconciliationEvent;
