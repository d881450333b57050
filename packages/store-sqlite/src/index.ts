export { SCHEMA_VERSION } from './schema.js';
export {
  openSqliteEventStore,
  type SqliteEventStore,
  type SqliteEventStoreOptions,
  type SqliteSettings,
} from './sqlite-event-store.js';
