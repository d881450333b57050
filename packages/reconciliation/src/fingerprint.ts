import { createHash } from 'node:crypto';

/** The SHA-256 of a report file, hex: how a run names its file and a re-run of it is recognised. */
export function reportSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
