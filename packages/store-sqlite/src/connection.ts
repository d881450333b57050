import { StoreUnavailableError } from '@rma-ledger/event-store';
import Database from 'better-sqlite3';
import { migrate } from './schema.js';

/** How a connection to the store's file is opened. */
export interface ConnectionOptions {
  readonly path: string;
  readonly synchronous?: 'full' | 'normal';
  readonly busyTimeoutMs?: number;
}

/** Opens the file in WAL mode with the requested durability, migrated to the current schema. */
export function openDatabase(options: ConnectionOptions): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(options.path);
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    migrate(db, options.path);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof StoreUnavailableError) throw error;
    throw new StoreUnavailableError(`Cannot open the event store at ${options.path}: ${String(error)}`, {
      cause: error,
    });
  }
}
