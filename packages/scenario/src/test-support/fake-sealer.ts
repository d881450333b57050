import { createHash } from 'node:crypto';
import type { PersonalData, SealedPersonalData } from '@rma-ledger/domain';
import type { PersonalDataSealer } from '../business.js';

/**
 * A deterministic stand-in for the vault in pure tests: the "ciphertext" is a digest, so the same
 * customer seals to the same bytes (the real vault draws a random IV each time).
 */
export function fakeSealer(): PersonalDataSealer & { readonly erased: string[] } {
  const erased: string[] = [];
  const b64 = (text: string) => createHash('sha256').update(text).digest('base64');
  return {
    erased,
    seal: async (customerId: string, data: PersonalData): Promise<SealedPersonalData> => ({
      alg: 'aes-256-gcm',
      keyId: customerId,
      iv: b64(`iv:${customerId}`).slice(0, 16),
      tag: b64(`tag:${customerId}`).slice(0, 24),
      ciphertext: b64(JSON.stringify(data)),
    }),
    erase: async (customerId: string) => {
      erased.push(customerId);
    },
  };
}
