import type { ReconciliationProvider } from './events.js';

/**
 * The id of the n-th run (1-based) of one provider report file: the provider, the first 128 bits of
 * the file's SHA-256 and the run number. Deterministic, so a second run of the same file finds the
 * first one by name (no index to keep), and two people reconciling one file at once race for one
 * stream instead of writing two runs.
 */
export function reconciliationRunId(
  provider: ReconciliationProvider,
  fileSha256: string,
  runNo: number,
): string {
  if (!/^[0-9a-f]{64}$/.test(fileSha256)) throw new RangeError(`Not a hex SHA-256: ${fileSha256}`);
  if (!Number.isInteger(runNo) || runNo < 1) throw new RangeError(`Bad run number: ${runNo}`);
  return `${provider}-${fileSha256.slice(0, 32)}-${runNo}`;
}
