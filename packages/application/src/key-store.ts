/**
 * Where the per-customer personal-data keys live: outside the event log, so destroying a key makes
 * every event sealed with it unreadable without rewriting the log (crypto-shredding). Works with
 * any event-store adapter.
 */
export interface KeyStore {
  /** The customer's 32-byte key; null when it was never created or was destroyed. */
  getKey(customerId: string): Promise<Buffer | null>;
  /** The customer's key, created on first use. Throws `CustomerErasedError` once it was destroyed. */
  createKey(customerId: string): Promise<Buffer>;
  /** Destroys the key for good, leaving a tombstone. Idempotent; also tombstones a never-created key. */
  destroyKey(customerId: string): Promise<void>;
  /** True when the key was destroyed (erased), as opposed to never created. */
  isDestroyed(customerId: string): Promise<boolean>;
  close(): Promise<void>;
}
