import { currentSchemaVersion, type DomainEvent, parseEvent } from '@rma-ledger/domain';
import type { ParseEvent } from './projection.js';

/** The runner's parser for the ledger: the domain's catalogue validates and upcasts each event. */
export const parseDomainEvent: ParseEvent<DomainEvent> = (recorded) =>
  parseEvent(recorded.type, recorded.metadata.schemaVersion, recorded.data);

/**
 * A faster parser for rebuilds over a log only the ledger wrote: data already at the current
 * schema version is taken as stored (the domain validated it before the append, and the hash chain
 * shows it was not altered since); older versions still go through the catalogue's upcasters.
 */
export const parseStoredDomainEvent: ParseEvent<DomainEvent> = (recorded) =>
  recorded.metadata.schemaVersion === currentSchemaVersion(recorded.type)
    ? ({ type: recorded.type, data: recorded.data } as DomainEvent)
    : parseEvent(recorded.type, recorded.metadata.schemaVersion, recorded.data);
