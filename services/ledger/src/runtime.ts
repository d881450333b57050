import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger, SqliteKeyStore } from '@rma-ledger/application';
import type { DomainEvent } from '@rma-ledger/domain';
import type { EventStore } from '@rma-ledger/event-store';
import { parseDomainEvent } from '@rma-ledger/projections';
import type Database from 'better-sqlite3';
import { TokenStore } from './auth/token-store.js';
import { SupervisedProjections } from './background/supervised-projections.js';
import { Supervisor, type SupervisorOptions } from './background/supervisor.js';
import type { Config } from './config.js';
import { IdempotencyStore } from './idempotency/store.js';
import { READ_MODEL_PROJECTIONS, READ_MODEL_WORKER_SETUP, type StoreSettings } from './read-models.js';
import { openServiceDb } from './service-db.js';
import { openEventStore } from './stores.js';

/** The personal-data keys, kept apart from the log so erasing one really erases the data. */
export const KEYS_DB_FILE = 'keys.db';

/** The read models (rebuildable from the log at any time). */
export const READ_MODELS_DIR = 'read-models';

/** Everything the service runs on, opened from the configuration and closed together. */
export interface Runtime {
  readonly store: EventStore;
  readonly ledger: Ledger;
  /** The read models behind the reports and the case list, fed from the log in the background and restarted on failure. */
  readonly projections: SupervisedProjections<DomainEvent>;
  /** Keeps every background subscription running; `/ready` reports its tasks. */
  readonly background: Supervisor;
  readonly db: Database.Database;
  readonly tokens: TokenStore;
  readonly idempotency: IdempotencyStore;
  close(): Promise<void>;
}

export interface RuntimeEvents {
  /** An inline custody reaction failed; the reactor will complete it. */
  readonly onReactionError?: (error: unknown) => void;
  /** A projection stopped on an error; it keeps answering from its last good state until restarted. */
  readonly onProjectionFailure?: (projection: string, error: Error) => void;
  /** About once a second while a read model is built from the first event: the log position reached. */
  readonly onProjectionBuildProgress?: (projection: string, position: number) => void;
  /** How background tasks are restarted, and who hears of their failures and recoveries. */
  readonly background?: SupervisorOptions;
  /** The embedded store's durability; default `full`. */
  readonly durability?: 'full' | 'normal';
  /** A store opened by the caller (tests) instead of the configured one; closed with the runtime. */
  readonly store?: EventStore;
}

export async function openRuntime(
  /** Without `projectionThreads`, read models are built in this thread. */
  config: StoreSettings & Partial<Pick<Config, 'projectionThreads'>>,
  events: RuntimeEvents = {},
): Promise<Runtime> {
  const store = events.store ?? (await openEventStore(config, events.durability));
  let db: Database.Database | undefined;
  let keys: SqliteKeyStore | undefined;
  const background = new Supervisor(events.background);
  let projections: SupervisedProjections<DomainEvent>;
  try {
    db = openServiceDb(config.data);
    keys = new SqliteKeyStore({ path: join(config.data, KEYS_DB_FILE) });
    const directory = join(config.data, READ_MODELS_DIR);
    mkdirSync(directory, { recursive: true });
    projections = new SupervisedProjections<DomainEvent>(background, {
      store,
      directory,
      projections: READ_MODEL_PROJECTIONS,
      parse: parseDomainEvent,
      // Threads open the configured store: not a store the caller opened itself.
      ...(config.projectionThreads && !events.store
        ? {
            workers: {
              setup: READ_MODEL_WORKER_SETUP,
              data: { store: config.store, data: config.data, eventStoreDbUrl: config.eventStoreDbUrl },
              threads: config.projectionThreads,
            },
          }
        : {}),
      ...(events.onProjectionFailure ? { onFailure: events.onProjectionFailure } : {}),
      ...(events.onProjectionBuildProgress ? { onBuildProgress: events.onProjectionBuildProgress } : {}),
    });
  } catch (error) {
    await background.stop();
    await keys?.close();
    db?.close();
    await store.close();
    throw error;
  }
  const openedKeys = keys;
  const openedDb = db;
  return {
    store,
    ledger: new Ledger({
      store,
      keys: openedKeys,
      ...(events.onReactionError ? { onReactionError: events.onReactionError } : {}),
    }),
    projections,
    background,
    db: openedDb,
    tokens: new TokenStore(openedDb),
    idempotency: new IdempotencyStore(openedDb),
    close: async () => {
      // The runner commits what it was given and its checkpoint before the store goes away.
      await background.stop();
      await store.close();
      await openedKeys.close();
      openedDb.close();
    },
  };
}
