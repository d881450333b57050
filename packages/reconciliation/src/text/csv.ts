import { ReportError } from '../errors.js';

/** One CSV record and the 1-based physical line it starts on (a quoted field may span lines). */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

export interface CsvOptions {
  readonly delimiter?: string;
}

/**
 * RFC 4180 with the tolerance real exports need: LF, CRLF or CR line ends, a leading BOM, quotes
 * that only count at the start of a field (`ab"c` stays literal), `""` as an escaped quote inside a
 * quoted field. An unterminated quote is an error: guessing would silently merge rows.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvRecord[] {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(`Unusable CSV delimiter: ${JSON.stringify(delimiter)}`);
  }
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endRecord = (): void => {
    fields.push(field);
    records.push({ fields, line: recordLine });
    fields = [];
    field = '';
  };

  while (i < text.length) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (char === '\n' || (char === '\r' && text[i + 1] !== '\n')) line += 1;
        field += char;
      }
      i += 1;
      continue;
    }
    if (char === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (char === delimiter) {
      fields.push(field);
      field = '';
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      field += char;
    }
    i += 1;
  }
  if (quoted) {
    throw new ReportError('LDG_REPORT_MALFORMED', 'A quoted field is never closed', { line: quoteLine });
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** True for a record that is an empty line (or only empty fields). */
export function isBlankRecord(record: CsvRecord): boolean {
  return record.fields.every((field) => field.trim() === '');
}
