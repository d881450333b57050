import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '@rma-ledger/event-store';
import { openEventStoreDbEventStore } from '@rma-ledger/store-eventstoredb';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { type Config, ConfigError } from './config.js';

/** The embedded store's file in the data directory. */
export const EVENTS_DB_FILE = 'events.db';

/**
 * Opens the configured event store. EventStoreDB connects lazily, so an unreachable cluster shows
 * on `/ready` (and in the first command) rather than stopping the start.
 */
export async function openEventStore(
  config: Pick<Config, 'store' | 'data' | 'eventStoreDbUrl'>,
  /** `normal` trades the last commits before a power loss for speed (bulk loads such as the demo). */
  durability: 'full' | 'normal' = 'full',
): Promise<EventStore> {
  if (config.store === 'eventstoredb') {
    // loadConfig guarantees the URL for this store and its scheme; the client parses the rest.
    try {
      return openEventStoreDbEventStore({ connectionString: config.eventStoreDbUrl! });
    } catch (error) {
      throw new ConfigError([`LEDGER_EVENTSTOREDB_URL: ${(error as Error).message}`]);
    }
  }
  mkdirSync(config.data, { recursive: true });
  return openSqliteEventStore({ path: join(config.data, EVENTS_DB_FILE), synchronous: durability });
}
