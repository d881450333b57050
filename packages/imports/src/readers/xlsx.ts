import { readZip } from '@rma-ledger/reconciliation';
import { ImportError } from '../errors.js';
import type { Cell } from './table.js';

export interface SheetRow {
  /** The sheet's own 1-based row number (as Excel shows it). */
  readonly line: number;
  readonly cells: Cell[];
}

export interface Workbook {
  readonly sheetNames: readonly string[];
  /** Serials count from 1904-01-01 instead of 1899-12-30 (old Mac workbooks). */
  readonly date1904: boolean;
  /** The rows of one sheet (default the first), in order; empty rows are absent. */
  rows(sheetName?: string): SheetRow[];
}

const decoder = new TextDecoder('utf-8');

/**
 * Reads the values of an XLSX workbook: the zip archive (the reconciliation's reader), the
 * workbook's sheet list and relationships, the shared strings and each sheet's cells. Values only:
 * no styles, formulas (their cached value is read), or merged cells. Numeric cells stay numbers;
 * which of them are dates is the mapping's business (an XLSX date is a number with a date style).
 */
export function readWorkbook(bytes: Uint8Array): Workbook {
  let entries: Map<string, Uint8Array>;
  try {
    entries = new Map(readZip(bytes).map((entry) => [entry.name, entry.bytes]));
  } catch (error) {
    throw new ImportError(
      'LDG_IMPORT_FILE_UNREADABLE',
      `Not a readable XLSX file: ${(error as Error).message}`,
    );
  }
  const text = (name: string): string | null => {
    const entry = entries.get(name);
    return entry === undefined ? null : decoder.decode(entry);
  };
  const workbookPath = officeDocumentPath(text('_rels/.rels'));
  const workbookXml = text(workbookPath);
  if (workbookXml === null)
    throw new ImportError('LDG_IMPORT_FILE_UNREADABLE', 'Not an XLSX file: no workbook');
  const base = workbookPath.slice(0, workbookPath.lastIndexOf('/') + 1);
  const relationships = relationshipTargets(
    text(`${base}_rels/${workbookPath.slice(base.length)}.rels`),
    base,
  );
  const sheets = [...workbookXml.matchAll(/<(?:\w+:)?sheet\b([^>]*)\/?>/g)].map((match) => {
    const attributes = attributesOf(match[1]!);
    const relationshipId = Object.entries(attributes).find(([name]) => /(^|:)id$/.test(name))?.[1] ?? '';
    return { name: attributes.name ?? '', path: relationships.get(relationshipId) ?? '' };
  });
  const date1904 = /<(?:\w+:)?workbookPr\b[^>]*\bdate1904="(1|true)"/.test(workbookXml);
  const sharedStringsPath = [...relationships.values()].find((path) => path.endsWith('sharedStrings.xml'));
  const shared = sharedStrings(sharedStringsPath === undefined ? null : text(sharedStringsPath));

  return {
    sheetNames: sheets.map((sheet) => sheet.name),
    date1904,
    rows(sheetName) {
      const sheet = sheetName === undefined ? sheets[0] : sheets.find((s) => s.name === sheetName);
      if (!sheet) {
        throw new ImportError(
          'LDG_IMPORT_SHEET_MISSING',
          `The workbook has no sheet '${sheetName ?? ''}' (sheets: ${sheets.map((s) => s.name).join(', ')})`,
        );
      }
      const xml = text(sheet.path);
      if (xml === null)
        throw new ImportError('LDG_IMPORT_FILE_UNREADABLE', `Sheet '${sheet.name}' is missing`);
      return sheetRows(xml, shared);
    },
  };
}

function officeDocumentPath(rels: string | null): string {
  if (rels === null) return 'xl/workbook.xml';
  for (const match of rels.matchAll(/<(?:\w+:)?Relationship\b([^>]*)\/?>/g)) {
    const attributes = attributesOf(match[1]!);
    if (attributes.Type?.endsWith('/officeDocument')) return (attributes.Target ?? '').replace(/^\//, '');
  }
  return 'xl/workbook.xml';
}

function relationshipTargets(rels: string | null, base: string): Map<string, string> {
  const targets = new Map<string, string>();
  for (const match of (rels ?? '').matchAll(/<(?:\w+:)?Relationship\b([^>]*)\/?>/g)) {
    const attributes = attributesOf(match[1]!);
    const target = attributes.Target ?? '';
    targets.set(attributes.Id ?? '', target.startsWith('/') ? target.slice(1) : normalise(base + target));
  }
  return targets;
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

function sharedStrings(xml: string | null): string[] {
  if (xml === null) return [];
  return [...xml.matchAll(/<(?:\w+:)?si\b[^>]*>([\s\S]*?)<\/(?:\w+:)?si>|<(?:\w+:)?si\b[^>]*\/>/g)].map(
    (match) => textRuns(match[1] ?? ''),
  );
}

/** The text of `<t>` elements, leaving out phonetic guides (`<rPh>`). */
function textRuns(xml: string): string {
  const withoutPhonetic = xml.replace(/<(?:\w+:)?rPh\b[\s\S]*?<\/(?:\w+:)?rPh>/g, '');
  let text = '';
  for (const match of withoutPhonetic.matchAll(/<(?:\w+:)?t\b[^>]*>([\s\S]*?)<\/(?:\w+:)?t>/g)) {
    text += unescapeXml(match[1]!);
  }
  return text;
}

const ROW = /<(?:\w+:)?row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?row>)/g;
const CELL = /<(?:\w+:)?c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?c>)/g;
const VALUE = /<(?:\w+:)?v\b[^>]*>([\s\S]*?)<\/(?:\w+:)?v>/;
const INLINE = /<(?:\w+:)?is\b[^>]*>([\s\S]*?)<\/(?:\w+:)?is>/;

function sheetRows(xml: string, shared: readonly string[]): SheetRow[] {
  const rows: SheetRow[] = [];
  let previousLine = 0;
  for (const rowMatch of xml.matchAll(ROW)) {
    const rowAttributes = attributesOf(rowMatch[1]!);
    const line = rowAttributes.r === undefined ? previousLine + 1 : Number(rowAttributes.r);
    previousLine = line;
    const cells: Cell[] = [];
    let nextColumn = 0;
    for (const cellMatch of (rowMatch[2] ?? '').matchAll(CELL)) {
      const attributes = attributesOf(cellMatch[1]!);
      const column = attributes.r === undefined ? nextColumn : columnIndex(attributes.r);
      nextColumn = column + 1;
      const value = cellValue(attributes.t, cellMatch[2] ?? '', shared);
      if (value === null) continue;
      while (cells.length < column) cells.push(null);
      cells[column] = value;
    }
    if (cells.some((cell) => cell !== null && cell !== '')) rows.push({ line, cells });
  }
  return rows;
}

function cellValue(type: string | undefined, body: string, shared: readonly string[]): Cell {
  if (type === 'inlineStr') {
    const inline = INLINE.exec(body);
    return inline ? textRuns(inline[1]!) : null;
  }
  const raw = VALUE.exec(body)?.[1];
  if (raw === undefined) return null;
  switch (type) {
    case 's':
      return shared[Number(raw)] ?? null;
    case 'str':
    case 'd':
    case 'e':
      return unescapeXml(raw);
    case 'b':
      return raw === '1' ? 'TRUE' : 'FALSE';
    default: {
      const number = Number(raw);
      return Number.isFinite(number) ? number : unescapeXml(raw);
    }
  }
}

/** `AB12` → 27 (0-based column). */
function columnIndex(reference: string): number {
  let index = 0;
  for (const char of reference) {
    const code = char.charCodeAt(0);
    if (code < 65 || code > 90) break;
    index = index * 26 + (code - 64);
  }
  return index - 1;
}

function attributesOf(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of source.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attributes[match[1]!] = unescapeXml(match[2] ?? match[3] ?? '');
  }
  return attributes;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML entities and character references, then OOXML's `_xHHHH_` escapes of control characters. */
function unescapeXml(text: string): string {
  return text
    .replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, name: string) => {
      if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name] ?? whole;
    })
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_whole, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
