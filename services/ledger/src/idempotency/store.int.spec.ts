import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openServiceDb } from '../service-db.js';
import { removeDir, tempDataDir } from '../test-support/fixture.js';
import { IdempotencyStore } from './store.js';

let dir: string;
let db: ReturnType<typeof openServiceDb>;
let store: IdempotencyStore;
beforeEach(() => {
  dir = tempDataDir();
  db = openServiceDb(dir);
  store = new IdempotencyStore(db);
});
afterEach(() => {
  db.close();
  removeDir(dir);
});

const response = { status: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

describe('IdempotencyStore', () => {
  it('tells a concurrent request with the same key that the first is still running', () => {
    expect(store.claim('tok', 'k', 'fp')).toEqual({ kind: 'claimed' });
    expect(store.claim('tok', 'k', 'fp')).toEqual({ kind: 'in-progress' });
  });

  it('replays the stored response once the first request answered', () => {
    store.claim('tok', 'k', 'fp');
    store.store('tok', 'k', response);
    expect(store.claim('tok', 'k', 'fp')).toEqual({ kind: 'replay', response });
  });

  it('refuses another fingerprint under the same key, even while the first is running', () => {
    store.claim('tok', 'k', 'fp');
    expect(store.claim('tok', 'k', 'other')).toEqual({ kind: 'mismatch' });
  });

  it('frees a released claim for a retry, but never a stored response', () => {
    store.claim('tok', 'k', 'fp');
    store.release('tok', 'k');
    expect(store.claim('tok', 'k', 'other')).toEqual({ kind: 'claimed' });
    store.store('tok', 'k', response);
    store.release('tok', 'k');
    expect(store.claim('tok', 'k', 'other').kind).toBe('replay');
  });

  it('scopes keys per token', () => {
    store.claim('a', 'k', 'fp');
    expect(store.claim('b', 'k', 'other')).toEqual({ kind: 'claimed' });
  });
});
