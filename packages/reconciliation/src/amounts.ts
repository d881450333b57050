import { parseMajorUnits } from '@rma-ledger/domain';
import { ReportError, type ReportLocation } from './errors.js';

const CURRENCY = /^[A-Z]{3}$/;

/** An ISO-4217 code from a report cell (`usd`, ` CNY`), or LDG_REPORT_INVALID_VALUE. */
export function readCurrency(text: string, location: ReportLocation): string {
  const code = text.trim().toUpperCase();
  if (!CURRENCY.test(code)) {
    throw new ReportError('LDG_REPORT_INVALID_VALUE', `Not an ISO-4217 currency: '${text}'`, location);
  }
  return code;
}

/**
 * A signed decimal amount in major units (`-12.30`) as signed integer minor units (-1230), exact:
 * the digits go through the domain's decimal parser, never through a float.
 */
export function readSignedMajorUnits(text: string, currency: string, location: ReportLocation): number {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const unsigned = negative || trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
  try {
    const { amount } = parseMajorUnits(unsigned, currency);
    return negative ? -amount : amount;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReportError('LDG_REPORT_INVALID_VALUE', `Unreadable amount '${text}': ${reason}`, location);
  }
}

/** A signed integer count of minor units (`1230`, `-1230`). */
export function readSignedMinorUnits(text: string, location: ReportLocation): number {
  const trimmed = text.trim();
  const amount = /^[-+]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(amount)) {
    throw new ReportError(
      'LDG_REPORT_INVALID_VALUE',
      `Not an integer amount of minor units: '${text}'`,
      location,
    );
  }
  // Number('-0') is -0; a refund of nothing is 0 either way.
  return amount === 0 ? 0 : amount;
}
