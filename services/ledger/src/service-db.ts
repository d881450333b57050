import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** File in the data directory holding the service's own state: API tokens and idempotency records. */
export const SERVICE_DB_FILE = 'service.db';

/**
 * Opens (creating when needed) the service's SQLite file. WAL with `synchronous = FULL`: a token
 * or an idempotency record that was acknowledged survives a crash.
 */
export function openServiceDb(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, SERVICE_DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  return db;
}
