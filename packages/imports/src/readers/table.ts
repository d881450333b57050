import { ImportError } from '../errors.js';
import { readCsvRecords } from './csv-stream.js';
import { readWorkbook, type Workbook } from './xlsx.js';

/** A cell as read: text (CSV, XLSX strings) or a number (XLSX numeric cells, dates included). */
export type Cell = string | number | null;

export interface TableRow {
  /** CSV: the physical line the record starts on; XLSX: the sheet's row number. */
  readonly line: number;
  readonly cells: readonly Cell[];
}

/** Rows of one CSV file or one sheet, under their header row. */
export interface Table {
  /** The sheet name (XLSX) or null (CSV). */
  readonly sheet: string | null;
  readonly header: readonly string[];
  /** XLSX only: dates are serial numbers counted from 1904. */
  readonly date1904: boolean;
  readonly rows: AsyncIterable<TableRow>;
}

export type ImportSource = Uint8Array | AsyncIterable<Uint8Array>;

export interface SourceOptions {
  readonly format: 'auto' | 'csv' | 'xlsx';
  readonly csv: { readonly delimiter: string; readonly encoding: 'auto' | 'utf-8' | 'gbk' };
  readonly headerRow: number;
}

/** An opened file: CSV (one table, streamed) or XLSX (a workbook, read whole). */
export interface OpenedSource {
  /** The table of `sheet` (ignored for CSV). A CSV source can be read once only. */
  table(sheet?: string): Promise<Table>;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;

export async function openSource(source: ImportSource, options: SourceOptions): Promise<OpenedSource> {
  const { first, chunks } = await peek(source);
  const isZip = first !== null && ZIP_MAGIC.every((byte, index) => first[index] === byte);
  const format = options.format === 'auto' ? (isZip ? 'xlsx' : 'csv') : options.format;
  if (format === 'xlsx') {
    const workbook = readWorkbook(await collect(chunks));
    return { table: async (sheet) => workbookTable(workbook, sheet, options.headerRow) };
  }
  if (isZip)
    throw new ImportError('LDG_IMPORT_FILE_UNREADABLE', 'The file is a zip archive (XLSX?), not CSV');
  let used = false;
  return {
    table: async () => {
      if (used) throw new Error('A streamed CSV source can be read once');
      used = true;
      return csvTable(readCsvRecords(chunks, options.csv), options.headerRow);
    },
  };
}

async function csvTable(records: AsyncGenerator<{ fields: string[]; line: number }>, headerRow: number) {
  let header: string[] | null = null;
  let seen = 0;
  while (header === null) {
    const next = await records.next();
    if (next.done) throw new ImportError('LDG_IMPORT_FILE_UNREADABLE', 'The file has no header row');
    seen += 1;
    if (seen === headerRow) header = next.value.fields.map((name) => name.trim());
  }
  async function* rows(): AsyncGenerator<TableRow> {
    for await (const record of records) {
      if (record.fields.every((field) => field.trim() === '')) continue;
      yield { line: record.line, cells: record.fields };
    }
  }
  return { sheet: null, header, date1904: false, rows: rows() };
}

function workbookTable(workbook: Workbook, sheet: string | undefined, headerRow: number): Table {
  const all = workbook.rows(sheet);
  const headerIndex = all.findIndex((row) => row.line >= headerRow);
  const headerCells = headerIndex === -1 ? null : all[headerIndex]!;
  if (headerCells === null)
    throw new ImportError('LDG_IMPORT_FILE_UNREADABLE', 'The sheet has no header row');
  const rows = all.slice(headerIndex + 1);
  return {
    sheet: sheet ?? workbook.sheetNames[0] ?? null,
    header: headerCells.cells.map((cell) => (cell === null ? '' : String(cell).trim())),
    date1904: workbook.date1904,
    rows: (async function* () {
      yield* rows;
    })(),
  };
}

async function peek(
  source: ImportSource,
): Promise<{ first: Uint8Array | null; chunks: AsyncIterable<Uint8Array> }> {
  if (source instanceof Uint8Array) {
    return {
      first: source,
      chunks: (async function* () {
        // Slices keep the CSV reader's pieces small even for a file given whole.
        for (let offset = 0; offset < source.length; offset += 1 << 20)
          yield source.subarray(offset, offset + (1 << 20));
      })(),
    };
  }
  const iterator = source[Symbol.asyncIterator]();
  const head = await iterator.next();
  const first = head.done ? null : head.value;
  return {
    first,
    chunks: (async function* () {
      if (first !== null) yield first;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })(),
  };
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return new Uint8Array(Buffer.concat(parts));
}
