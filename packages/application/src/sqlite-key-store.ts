import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { CustomerErasedError } from './errors.js';
import type { KeyStore } from './key-store.js';

export interface SqliteKeyStoreOptions {
  /** A file (e.g. `<data dir>/keys.db`) or `:memory:`. */
  readonly path: string;
  /**
   * Optional 32-byte master key: when given, customer keys are stored wrapped (AES-256-GCM, the
   * customer id as additional data), so a copy of the key file alone opens nothing.
   */
  readonly masterKey?: Buffer;
}

interface KeyRow {
  readonly key: Buffer | null;
  readonly wrapped: number;
  readonly destroyed_at: string | null;
}

interface NewKey {
  readonly customerId: string;
  readonly stored: Buffer;
  readonly wrapped: 0 | 1;
}

const WRAP_IV_BYTES = 12;
const WRAP_TAG_BYTES = 16;

/** The key store on its own small SQLite file: WAL, synchronous FULL, secure delete. */
export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly masterKey: Buffer | undefined;
  private readonly select: Database.Statement<[string], KeyRow>;
  private readonly insert: Database.Statement<[string, Buffer, number, string]>;
  private readonly tombstone: Database.Statement<[{ customerId: string; now: string }]>;
  private readonly insertAll: Database.Transaction<(keys: readonly NewKey[]) => void>;
  /** New keys waiting for the next group commit. */
  private pending: NewKey[] = [];
  private committed: Promise<void> | undefined;

  constructor(options: SqliteKeyStoreOptions) {
    if (options.masterKey !== undefined && options.masterKey.length !== 32) {
      throw new RangeError('The key store master key must be 32 bytes');
    }
    this.masterKey = options.masterKey;
    this.db = new Database(options.path);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // Overwrite a destroyed key's bytes instead of leaving them in free pages.
    this.db.pragma('secure_delete = ON');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS customer_keys (
        customer_id TEXT PRIMARY KEY,
        key BLOB,
        wrapped INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        destroyed_at TEXT,
        CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
      ) STRICT;
    `);
    this.select = this.db.prepare(
      'SELECT key, wrapped, destroyed_at FROM customer_keys WHERE customer_id = ?',
    );
    this.insert = this.db.prepare(
      'INSERT INTO customer_keys (customer_id, key, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    this.tombstone = this.db.prepare(`
      INSERT INTO customer_keys (customer_id, key, wrapped, created_at, destroyed_at) VALUES (@customerId, NULL, 0, @now, @now)
      ON CONFLICT (customer_id) DO UPDATE SET key = NULL, destroyed_at = coalesce(destroyed_at, @now)
    `);
    this.insertAll = this.db.transaction((keys) => {
      const now = nowIso();
      for (const { customerId, stored, wrapped } of keys) this.insert.run(customerId, stored, wrapped, now);
    });
  }

  async getKey(customerId: string): Promise<Buffer | null> {
    const row = this.select.get(customerId);
    return row?.key ? this.unwrap(customerId, row) : null;
  }

  async createKey(customerId: string): Promise<Buffer> {
    const existing = this.select.get(customerId);
    if (existing === undefined) {
      await this.insertNew(customerId);
      return this.createdKey(customerId, this.select.get(customerId));
    }
    return this.createdKey(customerId, existing);
  }

  /**
   * Queues a fresh key and resolves once it is on disk. New customers arriving together (concurrent
   * requests) share one commit, so one fsync; concurrent first uses of one customer race on the
   * primary key, and whichever insert won is everyone's key.
   */
  private insertNew(customerId: string): Promise<void> {
    const fresh = randomBytes(32);
    const wrapped = this.masterKey !== undefined;
    this.pending.push({
      customerId,
      stored: wrapped ? this.wrap(customerId, fresh) : fresh,
      wrapped: wrapped ? 1 : 0,
    });
    this.committed ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const keys = this.pending;
        this.pending = [];
        this.committed = undefined;
        try {
          this.insertAll(keys);
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    return this.committed;
  }

  private createdKey(customerId: string, row: KeyRow | undefined): Buffer {
    if (!row?.key) throw new CustomerErasedError(customerId);
    return this.unwrap(customerId, row);
  }

  async destroyKey(customerId: string): Promise<void> {
    this.tombstone.run({ customerId, now: nowIso() });
    // Old pages holding the key may linger in the WAL until a checkpoint; do it now.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async isDestroyed(customerId: string): Promise<boolean> {
    return (this.select.get(customerId)?.destroyed_at ?? null) !== null;
  }

  async close(): Promise<void> {
    // Keys already handed out are written before the file closes.
    await this.committed?.catch(() => {});
    if (this.db.open) this.db.close();
  }

  private wrap(customerId: string, key: Buffer): Buffer {
    const iv = randomBytes(WRAP_IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey!, iv);
    cipher.setAAD(Buffer.from(customerId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
  }

  private unwrap(customerId: string, row: KeyRow): Buffer {
    const stored = row.key!;
    if (row.wrapped === 0) return stored;
    if (this.masterKey === undefined) {
      throw new Error(`The key of customer '${customerId}' is wrapped; configure the key store's master key`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, stored.subarray(0, WRAP_IV_BYTES));
    decipher.setAAD(Buffer.from(customerId, 'utf8'));
    decipher.setAuthTag(stored.subarray(WRAP_IV_BYTES, WRAP_IV_BYTES + WRAP_TAG_BYTES));
    return Buffer.concat([
      decipher.update(stored.subarray(WRAP_IV_BYTES + WRAP_TAG_BYTES)),
      decipher.final(),
    ]);
  }
}

function nowIso(): string {
  return new Date().toISOString();
}
