import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '@rma-ledger/event-store';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustomerErasedError } from './errors.js';
import { PersonalDataKeyMissingError, PersonalDataVault } from './personal-data-vault.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

const ann = { name: 'Ann Lee', phone: '+86 138 0000 0000', email: 'ann@example.com', address: '1 Bund Rd' };

describe('PersonalDataVault on the SQLite key store', () => {
  let dir: string;
  let path: string;
  let keys: SqliteKeyStore;
  let vault: PersonalDataVault;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rma-keys-'));
    path = join(dir, 'keys.db');
    keys = new SqliteKeyStore({ path });
    vault = new PersonalDataVault(keys);
  });
  afterEach(async () => {
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seals personal data so that it opens again, with no plaintext in the sealed form', async () => {
    const sealed = await vault.seal('cust-1', ann);
    expect(sealed).toMatchObject({ alg: 'aes-256-gcm', keyId: 'cust-1' });
    expect(JSON.stringify(sealed)).not.toContain('Ann');
    expect(await vault.open(sealed)).toEqual({ status: 'available', data: ann });
  });

  it('uses a fresh IV for every seal of the same data', async () => {
    const first = await vault.seal('cust-1', ann);
    const second = await vault.seal('cust-1', ann);
    expect(second.iv).not.toBe(first.iv);
    expect(second.ciphertext).not.toBe(first.ciphertext);
  });

  it('refuses a sealed blob relabelled as another customer (the customer id is authenticated)', async () => {
    const sealed = await vault.seal('cust-1', ann);
    await vault.seal('cust-2', { name: 'Bo' });
    await expect(vault.open({ ...sealed, keyId: 'cust-2' })).rejects.toThrow();
  });

  it('reads as erased once the key is destroyed, also after reopening the file', async () => {
    const sealed = await vault.seal('cust-1', ann);
    const other = await vault.seal('cust-2', { name: 'Bo' });
    const destroyedKey = (await keys.getKey('cust-1'))!;
    await vault.erase('cust-1');
    await vault.erase('cust-1');
    expect(await vault.open(sealed)).toEqual({ status: 'erased' });
    for (const file of [path, `${path}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(destroyedKey)).toBe(false);
    }

    await keys.close();
    keys = new SqliteKeyStore({ path });
    vault = new PersonalDataVault(keys);
    expect(await vault.open(sealed)).toEqual({ status: 'erased' });
    expect(await vault.open(other)).toEqual({ status: 'available', data: { name: 'Bo' } });
    expect(await keys.isDestroyed('cust-1')).toBe(true);
    await keys.close();
    expect(readFileSync(path).includes(destroyedKey)).toBe(false);
  });

  it('refuses to seal new data for an erased customer', async () => {
    await vault.seal('cust-1', ann);
    await vault.erase('cust-1');
    await expect(vault.seal('cust-1', ann)).rejects.toBeInstanceOf(CustomerErasedError);
  });

  it('tells an erased key from one that never existed', async () => {
    const sealed = await vault.seal('cust-1', ann);
    const elsewhere = new PersonalDataVault(new SqliteKeyStore({ path: ':memory:' }));
    await expect(elsewhere.open(sealed)).rejects.toBeInstanceOf(PersonalDataKeyMissingError);
    expect(await keys.isDestroyed('cust-1')).toBe(false);
    expect(await keys.isDestroyed('never-seen')).toBe(false);
  });

  it('keeps keys wrapped by the master key, so the key file alone opens nothing', async () => {
    const masterKey = Buffer.alloc(32, 7);
    await keys.close();
    rmSync(path, { force: true });
    keys = new SqliteKeyStore({ path, masterKey });
    vault = new PersonalDataVault(keys);
    const sealed = await vault.seal('cust-1', ann);
    const dataKey = await keys.getKey('cust-1');
    await keys.close();

    expect(readFileSync(path).includes(dataKey!)).toBe(false);
    keys = new SqliteKeyStore({ path });
    await expect(new PersonalDataVault(keys).open(sealed)).rejects.toThrow(/master key/);
    await keys.close();
    keys = new SqliteKeyStore({ path, masterKey });
    expect(await new PersonalDataVault(keys).open(sealed)).toEqual({ status: 'available', data: ann });
  });

  it('gives concurrent first uses of one customer the same key', async () => {
    const [a, b, c] = await Promise.all([
      keys.createKey('cust-1'),
      keys.createKey('cust-1'),
      keys.createKey('cust-1'),
    ]);

    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(await keys.getKey('cust-1')).toEqual(a);
  });

  it('writes keys of customers arriving together in one commit, and nothing for a known customer', async () => {
    const walFrames = () => {
      // A passive checkpoint from another connection reports the frames written since the last reset.
      const other = new Database(path);
      try {
        const [row] = other.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
        return row!.log;
      } finally {
        other.close();
      }
    };
    await keys.createKey('cust-0');
    const afterOne = walFrames();

    await Promise.all(Array.from({ length: 20 }, (_, i) => keys.createKey(`cust-${i + 1}`)));
    const afterTwenty = walFrames();
    await keys.createKey('cust-7');

    expect(afterTwenty - afterOne).toBeLessThanOrEqual(afterOne * 2);
    expect(walFrames()).toBe(afterTwenty);
  });

  it('writes a key handed out just before closing', async () => {
    const created = keys.createKey('cust-1');
    await keys.close();
    const key = await created;
    keys = new SqliteKeyStore({ path });

    expect(await keys.getKey('cust-1')).toEqual(key);
  });

  it('blinds personal data with a key of its own: stable, specific, and not an HMAC under the sealing key', async () => {
    const first = await vault.blind('cust-1', ann);

    expect(await vault.blind('cust-1', ann)).toBe(first);
    expect(await vault.blind('cust-1', { ...ann, phone: '+86 139 0000 0000' })).not.toBe(first);
    expect(await vault.blind('cust-2', ann)).not.toBe(first);
    const sealingKey = (await keys.getKey('cust-1'))!;
    const underSealingKey = createHmac('sha256', sealingKey).update(canonicalJson(ann), 'utf8').digest('hex');
    expect(first).not.toBe(underSealingKey);
    await vault.erase('cust-1');
    await expect(vault.blind('cust-1', ann)).rejects.toBeInstanceOf(CustomerErasedError);
  });
});
