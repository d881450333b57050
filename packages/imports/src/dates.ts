/**
 * Dates as merchants' files write them: ISO-8601 (with or without an offset), a token format
 * (`DD/MM/YYYY HH:mm`), or an XLSX serial number. A date-time without an offset is wall-clock
 * time in the mapping's zone, converted to UTC with the zone's offset at that moment.
 */

const TOKENS: Readonly<Record<string, { pattern: string; part: keyof WallClock }>> = {
  YYYY: { pattern: '(\\d{4})', part: 'year' },
  MM: { pattern: '(\\d{2})', part: 'month' },
  M: { pattern: '(\\d{1,2})', part: 'month' },
  DD: { pattern: '(\\d{2})', part: 'day' },
  D: { pattern: '(\\d{1,2})', part: 'day' },
  HH: { pattern: '(\\d{2})', part: 'hour' },
  H: { pattern: '(\\d{1,2})', part: 'hour' },
  mm: { pattern: '(\\d{2})', part: 'minute' },
  ss: { pattern: '(\\d{2})', part: 'second' },
};
const TOKEN = /YYYY|MM|M|DD|D|HH|H|mm|ss/g;

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Reads one cell's text to an instant (ms since epoch), or null when it does not fit the format. */
export type DateParser = (text: string) => number | null;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Throws on a format without a year, month and day. */
export function compileDateFormat(format: string): (text: string, zone: ZoneConverter) => number | null {
  if (format === 'ISO') return parseIso;
  const parts: (keyof WallClock)[] = [];
  let pattern = '';
  let last = 0;
  for (const match of format.matchAll(TOKEN)) {
    pattern += escapeRegExp(format.slice(last, match.index)) + TOKENS[match[0]]!.pattern;
    parts.push(TOKENS[match[0]]!.part);
    last = match.index + match[0].length;
  }
  pattern += escapeRegExp(format.slice(last));
  for (const needed of ['year', 'month', 'day'] as const) {
    if (!parts.includes(needed)) throw new Error(`Date format '${format}' has no ${needed}`);
  }
  const regex = new RegExp(`^${pattern}$`);
  return (text, zone) => {
    const match = regex.exec(text);
    if (!match) return null;
    const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    parts.forEach((part, index) => {
      clock[part] = Number(match[index + 1]);
    });
    return wallClockInstant(clock, zone);
  };
}

function parseIso(text: string, zone: ZoneConverter): number | null {
  const match = ISO.exec(text);
  if (!match) return null;
  const clock: WallClock = {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4] ?? 0),
    minute: Number(match[5] ?? 0),
    second: Number(match[6] ?? 0),
  };
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = match[8];
  if (offset === undefined) {
    const local = wallClockInstant(clock, zone);
    return local === null ? null : local + millis;
  }
  const utc = wallClockMs(clock);
  if (utc === null) return null;
  if (offset === 'Z') return utc + millis;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return utc + millis - sign * minutes * 60_000;
}

/** Wall-clock parts read as if UTC; null when a part is out of range (31 February). */
function wallClockMs(clock: WallClock): number | null {
  const ms = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
  const check = new Date(ms);
  if (
    check.getUTCFullYear() !== clock.year ||
    check.getUTCMonth() !== clock.month - 1 ||
    check.getUTCDate() !== clock.day ||
    clock.hour > 23 ||
    clock.minute > 59 ||
    clock.second > 59
  ) {
    return null;
  }
  return ms;
}

function wallClockInstant(clock: WallClock, zone: ZoneConverter): number | null {
  const local = wallClockMs(clock);
  return local === null ? null : zone.toUtc(local);
}

const EXCEL_EPOCH_1900 = Date.UTC(1899, 11, 30);
const EXCEL_EPOCH_1904 = Date.UTC(1904, 0, 1);
const DAY_MS = 86_400_000;

/** An XLSX date serial (days since the workbook's epoch, fraction = time of day) in the zone. */
export function excelSerialInstant(serial: number, date1904: boolean, zone: ZoneConverter): number | null {
  if (!Number.isFinite(serial) || serial < 0) return null;
  const epoch = date1904 ? EXCEL_EPOCH_1904 : EXCEL_EPOCH_1900;
  // Round to the second: serials carry binary fractions of a day.
  const local = epoch + Math.round((serial * DAY_MS) / 1000) * 1000;
  return zone.toUtc(local);
}

/** Converts wall-clock time (ms, read as if UTC) in one IANA zone to an instant. */
export class ZoneConverter {
  private readonly format: Intl.DateTimeFormat | null;
  /** Offsets by wall-clock hour: a file holds few distinct hours, Intl is slow. */
  private readonly offsets = new Map<number, number>();
  private readonly utcOffsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format =
      timeZone === 'UTC'
        ? null
        : new Intl.DateTimeFormat('en-US', {
            timeZone,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
  }

  toUtc(localMs: number): number {
    if (this.format === null) return localMs;
    const hour = Math.floor(localMs / 3_600_000);
    let offset = this.offsets.get(hour);
    if (offset === undefined) {
      // The offset at the guess, then again at the corrected instant (a DST change in between).
      const first = this.offsetAt(localMs);
      const second = this.offsetAt(localMs - first);
      offset = second;
      this.offsets.set(hour, offset);
    }
    return localMs - offset;
  }

  /** `YYYY-MM-DD` of the instant's wall-clock day in the zone. */
  localDay(instant: number): string {
    if (this.format === null) return new Date(instant).toISOString().slice(0, 10);
    const hour = Math.floor(instant / 3_600_000);
    let offset = this.utcOffsets.get(hour);
    if (offset === undefined) {
      offset = this.offsetAt(instant);
      this.utcOffsets.set(hour, offset);
    }
    return new Date(instant + offset).toISOString().slice(0, 10);
  }

  private offsetAt(instant: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.format!.formatToParts(new Date(instant))) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const asUtc = Date.UTC(
      parts.year!,
      parts.month! - 1,
      parts.day!,
      parts.hour!,
      parts.minute!,
      parts.second!,
    );
    return asUtc - Math.floor(instant / 1000) * 1000;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
