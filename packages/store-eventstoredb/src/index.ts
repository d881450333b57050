export { UnreadableEventError } from './errors.js';
export { type EventStoreDbEventStoreOptions, openEventStoreDbEventStore } from './eventstoredb-store.js';
