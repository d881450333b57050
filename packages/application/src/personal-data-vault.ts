import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { type PersonalData, personalDataSchema, type SealedPersonalData } from '@rma-ledger/domain';
import { canonicalJson, type JsonValue } from '@rma-ledger/event-store';
import { ApplicationError } from './errors.js';
import type { KeyStore } from './key-store.js';

export type OpenedPersonalData =
  | { readonly status: 'available'; readonly data: PersonalData }
  | { readonly status: 'erased' };

/** HTTP 500: sealed data whose key never existed here (a lost or foreign key store). Not an erasure. */
export class PersonalDataKeyMissingError extends ApplicationError {
  readonly code = 'LDG_PERSONAL_DATA_KEY_MISSING';
  constructor(readonly customerId: string) {
    super(`No key for customer '${customerId}' in the key store, and no record that it was erased`);
    this.name = 'PersonalDataKeyMissingError';
  }
}

const IV_BYTES = 12;
/** HKDF context of the blinding key: a different purpose gives a different, independent key. */
const BLIND_INFO = 'rma-ledger/personal-data/blind/v1';

/**
 * Seals personal data with the customer's own key (AES-256-GCM, random 12-byte IV, the customer id
 * as additional authenticated data so a sealed blob cannot be passed off as another customer's) and
 * opens it again while the key exists. Erasing destroys the key: every sealed copy reads as erased.
 */
export class PersonalDataVault {
  constructor(private readonly keys: KeyStore) {}

  async seal(customerId: string, data: PersonalData): Promise<SealedPersonalData> {
    const plaintext = Buffer.from(JSON.stringify(personalDataSchema.parse(data)), 'utf8');
    const key = await this.keys.createKey(customerId);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(customerId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      alg: 'aes-256-gcm',
      keyId: customerId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  /** Throws when the ciphertext was altered (authentication fails) or the key is unaccountably missing. */
  async open(sealed: SealedPersonalData): Promise<OpenedPersonalData> {
    const key = await this.keys.getKey(sealed.keyId);
    if (key === null) {
      if (await this.keys.isDestroyed(sealed.keyId)) return { status: 'erased' };
      throw new PersonalDataKeyMissingError(sealed.keyId);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(sealed.keyId, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
      decipher.final(),
    ]);
    return { status: 'available', data: personalDataSchema.parse(JSON.parse(plaintext.toString('utf8'))) };
  }

  /**
   * A keyed hash (HMAC-SHA256) standing in for personal data wherever a digest of it is kept, such
   * as an idempotency fingerprint: stable while the customer's key exists, and no longer linkable to
   * a guessed name or phone once it is destroyed. Its key is derived from the customer's (HKDF), so
   * the encryption key itself never serves a second algorithm.
   */
  async blind(customerId: string, data: PersonalData): Promise<string> {
    const key = Buffer.from(hkdfSync('sha256', await this.keys.createKey(customerId), '', BLIND_INFO, 32));
    return createHmac('sha256', key)
      .update(canonicalJson(data as unknown as JsonValue), 'utf8')
      .digest('hex');
  }

  /** Destroys the customer's key; idempotent. */
  async erase(customerId: string): Promise<void> {
    await this.keys.destroyKey(customerId);
  }
}
