import { type Money, parseMajorUnits } from '@rma-ledger/domain';
import { compileDateFormat, excelSerialInstant, ZoneConverter } from './dates.js';
import { CellError, ImportError } from './errors.js';
import type { Condition, FieldSpec, ImportMapping } from './mapping.js';
import type { Cell, Table } from './readers/table.js';

type Cells = readonly Cell[];

/** One mapped field, compiled against a header: where its text comes from. */
export interface FieldReader {
  readonly field: string;
  /** The column it reads, or null for a constant. */
  readonly column: string | null;
  /** The cell as read (after default and value map); null when empty. */
  raw(cells: Cells): Cell;
}

/**
 * Reads a table's rows through the mapping: columns by header name (checked once, up front),
 * conditions, and the typed values fields need (text, integers, money, instants), each failing
 * with a `CellError` that names the field.
 */
export class RowReader {
  private readonly columns = new Map<string, number>();
  readonly zone: ZoneConverter;
  private readonly parseDate: (text: string, zone: ZoneConverter) => number | null;

  constructor(
    readonly table: Pick<Table, 'sheet' | 'header' | 'date1904'>,
    private readonly mapping: Pick<ImportMapping, 'dates' | 'numbers'>,
  ) {
    table.header.forEach((name, index) => {
      if (!this.columns.has(name)) this.columns.set(name, index);
    });
    this.zone = new ZoneConverter(mapping.dates.timeZone);
    this.parseDate = compileDateFormat(mapping.dates.format);
  }

  columnIndex(name: string): number {
    const index = this.columns.get(name);
    if (index === undefined) {
      const where = this.table.sheet === null ? 'the header row' : `sheet '${this.table.sheet}'`;
      throw new ImportError('LDG_IMPORT_COLUMN_MISSING', `Column '${name}' is not in ${where}`);
    }
    return index;
  }

  cell(cells: Cells, name: string): Cell {
    return cells[this.columnIndex(name)] ?? null;
  }

  condition(condition: Condition): (cells: Cells) => boolean {
    if ('all' in condition) {
      const parts = condition.all.map((c) => this.condition(c));
      return (cells) => parts.every((part) => part(cells));
    }
    if ('any' in condition) {
      const parts = condition.any.map((c) => this.condition(c));
      return (cells) => parts.some((part) => part(cells));
    }
    if ('not' in condition) {
      const inner = this.condition(condition.not);
      return (cells) => !inner(cells);
    }
    const index = this.columnIndex(condition.column);
    const fold = condition.ignoreCase ? (text: string) => text.toLowerCase() : (text: string) => text;
    const text = (cells: Cells) => fold(textOf(cells[index] ?? null));
    if (condition.equals !== undefined) {
      const expected = fold(condition.equals);
      return (cells) => text(cells) === expected;
    }
    if (condition.in !== undefined) {
      const set = new Set(condition.in.map(fold));
      return (cells) => set.has(text(cells));
    }
    if (condition.matches !== undefined) {
      const regex = new RegExp(condition.matches, condition.ignoreCase ? 'i' : '');
      return (cells) => regex.test(textOf(cells[index] ?? null));
    }
    if (condition.empty !== undefined) {
      const empty = condition.empty;
      return (cells) => (text(cells) === '') === empty;
    }
    const number = (cells: Cells) => {
      const normalised = this.decimal(cells[index] ?? null);
      return normalised === null ? Number.NaN : Number(normalised);
    };
    if (condition.lessThan !== undefined) {
      const limit = condition.lessThan;
      return (cells) => number(cells) < limit;
    }
    const limit = condition.greaterThan!;
    return (cells) => number(cells) > limit;
  }

  field(field: string, spec: FieldSpec | undefined): FieldReader | null {
    if (spec === undefined) return null;
    const full = typeof spec === 'string' ? { column: spec } : spec;
    const index = full.column === undefined ? -1 : this.columnIndex(full.column);
    const map =
      full.map && new Map(Object.entries(full.map).map(([from, to]) => [from.trim().toLowerCase(), to]));
    const constant = full.value;
    const fallback = full.default;
    const absolute = full.absolute === true;
    return {
      field,
      column: full.column ?? null,
      raw(cells) {
        let value: Cell = constant ?? cells[index] ?? null;
        if (typeof value === 'string') value = value.trim();
        if (value === '' || value === null) value = fallback ?? null;
        if (value === null) return null;
        if (map) {
          const mapped = map.get(textOf(value).toLowerCase());
          if (mapped !== undefined) value = mapped;
        }
        if (absolute) value = typeof value === 'number' ? Math.abs(value) : value.replace(/^[-+]/, '');
        return value;
      },
    };
  }

  text(reader: FieldReader, cells: Cells): string | null {
    const value = reader.raw(cells);
    return value === null ? null : textOf(value);
  }

  requiredText(reader: FieldReader, cells: Cells): string {
    const value = this.text(reader, cells);
    if (value === null) throw missing(reader);
    return value;
  }

  /** A whole number (quantities). */
  integer(reader: FieldReader, cells: Cells): number {
    const value = reader.raw(cells);
    if (value === null) throw missing(reader);
    const normalised = this.decimal(value);
    const number = normalised === null ? Number.NaN : Number(normalised);
    if (!Number.isSafeInteger(number)) {
      throw new CellError(
        'LDG_IMPORT_VALUE_INVALID',
        reader.field,
        `'${textOf(value)}' is not a whole number`,
      );
    }
    return number;
  }

  /** A non-negative amount in major units, exactly in minor units of the currency. */
  money(reader: FieldReader, cells: Cells, currency: string): Money {
    const value = reader.raw(cells);
    if (value === null) throw missing(reader);
    const normalised = this.decimal(value);
    try {
      if (normalised === null) throw new RangeError('not a number');
      return parseMajorUnits(normalised, currency);
    } catch (error) {
      throw new CellError(
        'LDG_IMPORT_VALUE_INVALID',
        reader.field,
        `'${textOf(value)}' is not an amount of ${currency}: ${(error as Error).message}`,
      );
    }
  }

  /** An instant (ms since the epoch) from date text in the mapping's format or an XLSX serial. */
  instant(reader: FieldReader, cells: Cells): number {
    const value = reader.raw(cells);
    if (value === null) throw missing(reader);
    const instant =
      typeof value === 'number'
        ? excelSerialInstant(value, this.table.date1904, this.zone)
        : this.parseDate(value, this.zone);
    if (instant === null) {
      throw new CellError(
        'LDG_IMPORT_VALUE_INVALID',
        reader.field,
        `'${value}' is not a date in the format ${this.mapping.dates.format}`,
      );
    }
    return instant;
  }

  optionalInstant(reader: FieldReader | null, cells: Cells): number | null {
    return reader === null || reader.raw(cells) === null ? null : this.instant(reader, cells);
  }

  /** Decimal text with `.` as separator and no grouping, or null. XLSX numbers are already numbers. */
  private decimal(value: Cell): string | null {
    if (value === null) return null;
    if (typeof value === 'number') {
      const text = String(value);
      return /e/i.test(text) ? null : text;
    }
    const { decimalSeparator, thousandsSeparator } = this.mapping.numbers;
    let text = value.trim();
    if (thousandsSeparator !== '') text = text.split(thousandsSeparator).join('');
    if (decimalSeparator === ',') text = text.replace(',', '.');
    return /^[-+]?\d+(\.\d+)?$/.test(text) ? text.replace(/^\+/, '') : null;
  }
}

export function textOf(cell: Cell): string {
  if (cell === null) return '';
  return typeof cell === 'number' ? String(cell) : cell;
}

function missing(reader: FieldReader): CellError {
  const where = reader.column === null ? '' : ` (column '${reader.column}')`;
  return new CellError('LDG_IMPORT_VALUE_MISSING', reader.field, `${reader.field} is empty${where}`);
}
