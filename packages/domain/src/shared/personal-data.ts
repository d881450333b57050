import { z } from 'zod';

/**
 * A customer's personal data as it is written into events: encrypted with a key that belongs to
 * that customer and lives outside the event log (crypto-shredding). The domain never sees the
 * plaintext; erasing the key makes every copy unreadable without rewriting a single event.
 */
export const sealedPersonalDataSchema = z
  .object({
    alg: z.literal('aes-256-gcm'),
    /** Identifies the customer's key in the key store (the customer id). */
    keyId: z.string().min(1),
    iv: z.base64(),
    tag: z.base64(),
    ciphertext: z.base64(),
  })
  .strict();
export type SealedPersonalData = z.infer<typeof sealedPersonalDataSchema>;

/** The plaintext inside a `SealedPersonalData`, and what a reader gets back while the key exists. */
export const personalDataSchema = z
  .object({
    name: z.string().min(1).max(200),
    phone: z.string().min(1).max(50).optional(),
    email: z.email().max(254).optional(),
    address: z.string().min(1).max(500).optional(),
  })
  .strict();
export type PersonalData = z.infer<typeof personalDataSchema>;
