import type Database from 'better-sqlite3';

/** The first response to a request with an idempotency key, replayed to every retry. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type Claim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'mismatch' };

interface Row {
  fingerprint: string;
  status: number | null;
  headers: string | null;
  body: string | null;
}

/**
 * Idempotency keys of the HTTP layer, scoped per token: key → (request fingerprint, response).
 * A key is claimed (status NULL) before the handler runs, so a concurrent retry is told to wait
 * instead of running the command twice; the response is stored once the handler has answered.
 */
export class IdempotencyStore {
  private readonly insert: Database.Statement<[string, string, string, string]>;
  private readonly select: Database.Statement<[string, string], Row>;
  private readonly complete: Database.Statement<[number, string, string, string, string]>;
  private readonly remove: Database.Statement<[string, string]>;

  constructor(
    db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS http_idempotency (
      scope TEXT NOT NULL,
      key TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      status INTEGER,
      headers TEXT,
      body TEXT,
      created_at TEXT NOT NULL,
      PRIMARY KEY (scope, key)
    ) STRICT`);
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO http_idempotency (scope, key, fingerprint, created_at) VALUES (?, ?, ?, ?)',
    );
    this.select = db.prepare(
      'SELECT fingerprint, status, headers, body FROM http_idempotency WHERE scope = ? AND key = ?',
    );
    this.complete = db.prepare(
      'UPDATE http_idempotency SET status = ?, headers = ?, body = ? WHERE scope = ? AND key = ?',
    );
    this.remove = db.prepare('DELETE FROM http_idempotency WHERE scope = ? AND key = ? AND status IS NULL');
  }

  /** Claims the key for this request, or says what the first request with it did. */
  claim(scope: string, key: string, fingerprint: string): Claim {
    if (this.insert.run(scope, key, fingerprint, this.now().toISOString()).changes === 1) {
      return { kind: 'claimed' };
    }
    const row = this.select.get(scope, key);
    if (row === undefined) return this.claim(scope, key, fingerprint);
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.status === null) return { kind: 'in-progress' };
    return {
      kind: 'replay',
      response: { status: row.status, headers: JSON.parse(row.headers ?? '{}'), body: row.body ?? '' },
    };
  }

  /** Stores the response of a claimed key. */
  store(scope: string, key: string, response: StoredResponse): void {
    this.complete.run(response.status, JSON.stringify(response.headers), response.body, scope, key);
  }

  /** Gives up a claim whose request produced no response worth replaying (a 5xx, a conflict). */
  release(scope: string, key: string): void {
    this.remove.run(scope, key);
  }
}
