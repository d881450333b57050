import { TextDecoder } from 'node:util';
import { type CsvRecord, parseCsv, ReportError } from '@rma-ledger/reconciliation';
import { ImportError } from '../errors.js';

export type CsvEncoding = 'auto' | 'utf-8' | 'gbk';

export interface CsvStreamOptions {
  readonly delimiter: string;
  readonly encoding: CsvEncoding;
}

/** Parse once this much text has accumulated: large enough to amortise, small enough to bound memory. */
const PARSE_THRESHOLD = 256 * 1024;

/**
 * Streams CSV records from a byte stream with bounded memory, reusing the reconciliation's CSV
 * tokenizer on slices of whole lines. A slice is cut after its last line feed; if that cut falls
 * inside a quoted field (a cell spanning lines), the tokenizer reports an unterminated quote and the
 * slice grows until the field closes. A cut outside quotes leaves the tokenizer in the same state as
 * a whole-file parse, so records and line numbers are identical.
 */
export async function* readCsvRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: CsvStreamOptions,
): AsyncGenerator<CsvRecord> {
  let decoder: TextDecoder | null = null;
  let pending = '';
  let linesBefore = 0;

  const parseSlice = (text: string, final: boolean): CsvRecord[] | null => {
    try {
      return parseCsv(text, { delimiter: options.delimiter });
    } catch (error) {
      if (!final && error instanceof ReportError && error.code === 'LDG_REPORT_MALFORMED') return null;
      if (error instanceof ReportError) {
        const line = error.location.line === undefined ? '' : ` (line ${error.location.line + linesBefore})`;
        throw new ImportError('LDG_IMPORT_FILE_UNREADABLE', `The CSV is malformed${line}`);
      }
      throw error;
    }
  };

  const emit = function* (records: CsvRecord[], text: string): Generator<CsvRecord> {
    for (const record of records) yield { fields: record.fields, line: record.line + linesBefore };
    linesBefore += countLineBreaks(text);
  };

  for await (const chunk of chunks) {
    decoder ??= chooseDecoder(chunk, options.encoding);
    pending += decode(decoder, chunk, true);
    if (pending.length < PARSE_THRESHOLD) continue;
    const cut = pending.lastIndexOf('\n') + 1;
    if (cut === 0) continue;
    const slice = pending.slice(0, cut);
    const records = parseSlice(slice, false);
    if (records === null) continue;
    pending = pending.slice(cut);
    yield* emit(records, slice);
  }
  if (decoder) pending += decode(decoder, new Uint8Array(0), false);
  if (pending.length > 0) yield* emit(parseSlice(pending, true) ?? [], pending);
}

function chooseDecoder(first: Uint8Array, encoding: CsvEncoding): TextDecoder {
  if (encoding !== 'auto') return new TextDecoder(encoding, { fatal: true });
  // Like the reconciliation's detection, on the first chunk: valid UTF-8 is UTF-8, anything else GBK.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(first, { stream: true });
    return new TextDecoder('utf-8', { fatal: true });
  } catch {
    return new TextDecoder('gbk', { fatal: true });
  }
}

function decode(decoder: TextDecoder, bytes: Uint8Array, stream: boolean): string {
  try {
    return decoder.decode(bytes, { stream });
  } catch {
    throw new ImportError('LDG_IMPORT_FILE_UNREADABLE', `The CSV is not valid ${decoder.encoding} text`);
  }
}

/** Line breaks as the tokenizer counts them: CRLF, CR or LF. */
function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 10) count += 1;
    else if (code === 13 && text.charCodeAt(i + 1) !== 10) count += 1;
  }
  return count;
}
