import type { SkippedRow } from './import-options.js';
import type { Cell, Table } from './readers/table.js';
import { textOf } from './rows.js';

export function skippedRow(
  table: Pick<Table, 'sheet' | 'header'>,
  row: number,
  cells: readonly Cell[],
): SkippedRow {
  const values: Record<string, string> = {};
  table.header.forEach((name, index) => {
    if (name !== '' && !(name in values)) values[name] = textOf(cells[index] ?? null);
  });
  return { sheet: table.sheet, row, values };
}
