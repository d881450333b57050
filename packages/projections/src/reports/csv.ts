export type CsvValue = string | number | boolean | null;

/** One CSV column: its header and how to read it from a row. The array order is the column order. */
export interface CsvColumn<R> {
  readonly header: string;
  readonly value: (row: R) => CsvValue;
}

function field(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV: a header line, then one line per row, each ended by CRLF; null is an empty field. */
export function toCsv<R>(columns: readonly CsvColumn<R>[], rows: readonly R[]): string {
  const lines = [columns.map((c) => field(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => field(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
