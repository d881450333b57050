import { ReportError, type ReportLocation } from './errors.js';

/** A UTC offset such as `+08:00`, `-0700` or `Z`. */
export type UtcOffset = string;

const DATE_TIME =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const OFFSET = /^(?:Z|([+-])(\d{2}):?(\d{2}))$/i;

function offsetMinutes(offset: UtcOffset): number | null {
  const match = OFFSET.exec(offset.trim());
  if (!match) return null;
  if (match[1] === undefined) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/** Throws RangeError for a malformed offset, so that options are checked before any row is read. */
export function checkOffset(offset: UtcOffset): UtcOffset {
  if (offsetMinutes(offset) === null) throw new RangeError(`Not a UTC offset: '${offset}'`);
  return offset;
}

/**
 * A report's date-time (`2024-08-20 10:01:02`, `2024/08/20 00:01:17 -0700`, ISO-8601) as a UTC
 * ISO instant. Text without an offset is read in `defaultOffset`: each provider's reports use one
 * fixed zone (Stripe's `created_utc` is UTC, WeChat Pay and Alipay bills are China Standard Time).
 */
export function readInstant(text: string, defaultOffset: UtcOffset, location: ReportLocation): string {
  const match = DATE_TIME.exec(text.trim());
  const fail = (): never => {
    throw new ReportError('LDG_REPORT_INVALID_VALUE', `Unreadable date-time '${text}'`, location);
  };
  if (!match) return fail();
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = offsetMinutes(match[8] ?? defaultOffset);
  if (offset === null) return fail();
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(local);
  // Date.UTC rolls 2024-02-30 over to March; a real report never holds such a date.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return fail();
  }
  return new Date(local - offset * 60_000).toISOString();
}
