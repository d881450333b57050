import type { Database } from 'better-sqlite3';

export type TableDump = Record<string, unknown[][]>;

/**
 * Every read-model table's rows (not the runner's bookkeeping), each table sorted on all its
 * columns, so two read models built from the same events compare equal whatever order their rows
 * were written in.
 */
export function dumpTables(db: Database): TableDump {
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_schema
       WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'projection_meta'
       ORDER BY name`,
    )
    .pluck()
    .all() as string[];
  const dump: TableDump = {};
  for (const table of tables) {
    const quoted = `"${table.replaceAll('"', '""')}"`;
    const columns = db.prepare(`SELECT * FROM ${quoted} LIMIT 0`).columns();
    const order = columns.map((_, i) => String(i + 1)).join(', ');
    dump[table] = db
      .prepare(`SELECT * FROM ${quoted}${order ? ` ORDER BY ${order}` : ''}`)
      .raw()
      .all() as unknown[][];
  }
  return dump;
}
