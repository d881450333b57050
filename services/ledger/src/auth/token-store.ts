import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Role } from './roles.js';

export interface TokenRecord {
  readonly id: string;
  readonly name: string | null;
  readonly role: Role;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface CreatedToken extends TokenRecord {
  /** The bearer secret; shown once, never stored. */
  readonly token: string;
}

interface TokenRow {
  id: string;
  name: string | null;
  role: Role;
  created_at: string;
  revoked_at: string | null;
}

/**
 * API tokens, stored as the SHA-256 of the secret. A token is 256 random bits, so unlike a password
 * it cannot be guessed from a dictionary and a slow, salted hash would add nothing but latency on
 * every request; a plain SHA-256 still keeps a stolen database from yielding usable tokens, and
 * lets a request be authenticated by one indexed lookup.
 */
export class TokenStore {
  private readonly insert: Database.Statement<[string, string | null, Role, string, string]>;
  private readonly byHash: Database.Statement<[string], TokenRow>;
  private readonly all: Database.Statement<[], TokenRow>;
  private readonly revokeStatement: Database.Statement<[string, string]>;

  constructor(
    db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS api_tokens (
      id TEXT PRIMARY KEY,
      name TEXT,
      role TEXT NOT NULL,
      token_sha256 TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      revoked_at TEXT
    ) STRICT`);
    this.insert = db.prepare(
      'INSERT INTO api_tokens (id, name, role, token_sha256, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.byHash = db.prepare(
      'SELECT id, name, role, created_at, revoked_at FROM api_tokens WHERE token_sha256 = ?',
    );
    this.all = db.prepare(
      'SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY created_at, id',
    );
    this.revokeStatement = db.prepare(
      'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    );
  }

  create(role: Role, name?: string): CreatedToken {
    const id = `tok_${randomBytes(6).toString('hex')}`;
    const token = `ldg_${randomBytes(32).toString('base64url')}`;
    const createdAt = this.now().toISOString();
    this.insert.run(id, name ?? null, role, sha256(token), createdAt);
    return { id, name: name ?? null, role, createdAt, revokedAt: null, token };
  }

  /** The live token a bearer secret belongs to, or null when unknown or revoked. */
  authenticate(token: string): TokenRecord | null {
    const row = this.byHash.get(sha256(token));
    if (row === undefined || row.revoked_at !== null) return null;
    return toRecord(row);
  }

  list(): TokenRecord[] {
    return this.all.all().map(toRecord);
  }

  /** True when a live token was revoked; false when the id is unknown or already revoked. */
  revoke(id: string): boolean {
    return this.revokeStatement.run(this.now().toISOString(), id).changes === 1;
  }
}

function sha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function toRecord(row: TokenRow): TokenRecord {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at, revokedAt: row.revoked_at };
}
