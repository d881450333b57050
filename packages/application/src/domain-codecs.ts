import {
  type CaseEvent,
  type CustomerEvent,
  currentSchemaVersion,
  type DomainEvent,
  isCaseEvent,
  isCustomerEvent,
  isPolicyEvent,
  isReconciliationEvent,
  isRmaUnitEvent,
  isSalesEvent,
  isSkuEvent,
  isVendorEvent,
  type PolicyEvent,
  parseEvent,
  type ReconciliationEvent,
  type RmaUnitEvent,
  type SalesEvent,
  type SkuEvent,
  type VendorEvent,
} from '@rma-ledger/domain';
import type { JsonValue, RecordedEvent } from '@rma-ledger/event-store';
import type { EventCodec } from './event-codec.js';

/** Decodes any stored domain event through the catalogue (upcasting old schema versions). */
export function decodeDomainEvent(recorded: RecordedEvent): DomainEvent {
  return parseEvent(recorded.type, recorded.metadata.schemaVersion, recorded.data);
}

function codecFor<E extends DomainEvent>(
  belongs: (event: DomainEvent) => event is E,
  aggregate: string,
): EventCodec<E> {
  return {
    decode(recorded) {
      const event = decodeDomainEvent(recorded);
      if (!belongs(event)) {
        throw new TypeError(
          `${recorded.type} in stream '${recorded.streamName}' is not a ${aggregate} event`,
        );
      }
      return event;
    },
    encode: (event) => ({
      type: event.type,
      data: event.data as unknown as JsonValue,
      schemaVersion: currentSchemaVersion(event.type),
    }),
    occurredAt: (event) => event.data.occurredAt,
  };
}

export const caseCodec = codecFor<CaseEvent>(isCaseEvent, 'case');
export const rmaUnitCodec = codecFor<RmaUnitEvent>(isRmaUnitEvent, 'RMA unit');
export const customerCodec = codecFor<CustomerEvent>(isCustomerEvent, 'customer');
export const vendorCodec = codecFor<VendorEvent>(isVendorEvent, 'vendor');
export const skuCodec = codecFor<SkuEvent>(isSkuEvent, 'SKU');
export const policyCodec = codecFor<PolicyEvent>(isPolicyEvent, 'policy');
export const salesCodec = codecFor<SalesEvent>(isSalesEvent, 'sales');
export const reconciliationCodec = codecFor<ReconciliationEvent>(isReconciliationEvent, 'reconciliation');
