/**
 * The SQLite adapter against plain better-sqlite3 on the same machine, in the same run, on temp
 * files, durable (WAL, synchronous=FULL). The plain side writes and reads exactly the rows the
 * adapter wrote (copied from the adapter's file, hashes included) with plain prepared statements,
 * so each ratio is the adapter's own overhead. The two sides alternate append by append, or round
 * by round for reads, so that both meet the same disk and CPU conditions: other processes on the
 * machine make fsync and CPU times drift a lot over a run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventToAppend } from '@rma-ledger/event-store';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '../src/index.js';
import { migrate } from '../src/schema.js';

const SINGLE_APPENDS = 600;
const BATCH_APPENDS = 200;
const CONCURRENT_APPENDERS = 32;
const BATCH_SIZE = 100;
const READ_ROUNDS = 5;
const READ_LOG_STREAMS = 100;
const READ_LOG_STREAM_LENGTH = 1_000;
const STREAMS_READ = 2_000;
const STREAM_LENGTH = 20;

const directory = mkdtempSync(join(tmpdir(), 'rma-store-bench-'));
let files = 0;
function tempFile(): string {
  files += 1;
  return join(directory, `bench-${files}.db`);
}

const metadata = { actor: 'user:bench', correlationId: 'bench-run', causationId: null, schemaVersion: 1 };

/** A return-line event of realistic size (about 250 bytes of data). */
function returnEvent(i: number): EventToAppend {
  return {
    type: 'ReturnLineReceived',
    data: {
      rmaId: `rma-${i}`,
      orderId: `order-${Math.floor(i / 3)}`,
      line: {
        sku: `SKU-${i % 500}`,
        quantity: 1 + (i % 3),
        unitPrice: { amount: 1299 + i, currency: 'EUR' },
      },
      condition: i % 2 === 0 ? 'unopened' : 'damaged',
      note: 'received at the returns desk, box intact',
      receivedBy: 'warehouse:lyon',
    },
    metadata,
  };
}

/** The columns the adapter writes, in the order the plain side inserts them. */
const ROW_COLUMNS =
  'stream_name, revision, event_id, type, data, actor, correlation_id, causation_id, schema_version, ' +
  'recorded_at, idempotency_key, prev_hash, hash';
type Row = [
  string,
  number,
  string,
  string,
  string,
  string,
  string,
  string | null,
  number,
  string,
  string | null,
  string | null,
  string,
];

interface Line {
  readonly label: string;
  readonly unit: string;
  readonly adapter: number;
  readonly plain: number;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A plain database with the adapter's table layout, durable like the adapter. */
function plainDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db, path);
  return db;
}

/**
 * Each append goes through the adapter (with an exact expected revision), then the very same rows
 * go into a second file with plain statements, in one immediate transaction.
 */
async function appendLine(label: string, appendCount: number, perAppend: number): Promise<Line> {
  const batches = Array.from({ length: appendCount }, (_, i) =>
    Array.from({ length: perAppend }, (_, j) => returnEvent(i * perAppend + j)),
  );
  const adapterFile = tempFile();
  const store = openSqliteEventStore({ path: adapterFile });
  const written = new Database(adapterFile, { readonly: true });
  const rowsAfter = written
    .prepare<[number], Row>(`SELECT ${ROW_COLUMNS} FROM events WHERE position > ? ORDER BY position`)
    .raw(true);
  const plain = plainDatabase(tempFile());
  const insert = plain.prepare<Row>(
    `INSERT INTO events (${ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const upsert = plain.prepare<[string, number, string]>(
    'INSERT INTO streams (name, revision, head_hash) VALUES (?, ?, ?) ' +
      'ON CONFLICT (name) DO UPDATE SET revision = excluded.revision, head_hash = excluded.head_hash',
  );
  const plainAppend = plain.transaction((rows: Row[]) => {
    for (const row of rows) insert.run(...row);
    const last = rows[rows.length - 1]!;
    upsert.run(last[0], last[1], last[12]);
  });

  const revisions = new Map<string, number>();
  let adapterSeconds = 0;
  let plainSeconds = 0;
  let head = 0;
  for (let i = 0; i < appendCount; i += 1) {
    const stream = `rma-${i % 50}`;
    let start = process.hrtime.bigint();
    const result = await store.append(stream, batches[i]!, {
      expectedRevision: revisions.get(stream) ?? 'no_stream',
    });
    adapterSeconds += seconds(start);
    revisions.set(stream, result.nextExpectedRevision);

    const rows = rowsAfter.all(head);
    head = result.position;
    start = process.hrtime.bigint();
    plainAppend.immediate(rows);
    plainSeconds += seconds(start);
  }
  written.close();
  await store.close();
  plain.close();
  const units = appendCount * perAppend;
  return {
    label,
    unit: perAppend === 1 ? 'appends/s' : 'events/s',
    adapter: units / adapterSeconds,
    plain: units / plainSeconds,
  };
}

/**
 * What group commit buys: `CONCURRENT_APPENDERS` appenders, each appending one event at a time to
 * its own stream (as concurrent requests do), against plain better-sqlite3 committing the same
 * number of single-event appends one by one (a plain synchronous caller cannot do better).
 */
async function concurrentLine(): Promise<Line> {
  const store = openSqliteEventStore({ path: tempFile() });
  const rounds = Math.ceil(SINGLE_APPENDS / CONCURRENT_APPENDERS) * 4;
  let start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENT_APPENDERS }, async (_, worker) => {
      for (let round = 0; round < rounds; round += 1) {
        await store.append(`rma-${worker}`, [returnEvent(worker * rounds + round)], {
          expectedRevision: round === 0 ? 'no_stream' : round - 1,
        });
      }
    }),
  );
  const adapterSeconds = seconds(start);
  await store.close();

  const plain = plainDatabase(tempFile());
  const insert = plain.prepare(
    'INSERT INTO events (stream_name, revision, event_id, type, data, actor, correlation_id, causation_id, ' +
      "schema_version, recorded_at, idempotency_key, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 1, ?, NULL, NULL, 'h')",
  );
  const appendOne = plain.transaction((stream: string, revision: number, data: string) => {
    insert.run(
      stream,
      revision,
      randomUUID(),
      'ReturnLineReceived',
      data,
      'user:bench',
      'bench-run',
      new Date().toISOString(),
    );
  });
  const appends = rounds * CONCURRENT_APPENDERS;
  start = process.hrtime.bigint();
  for (let i = 0; i < appends; i += 1) {
    appendOne.immediate(
      `rma-${i % CONCURRENT_APPENDERS}`,
      Math.floor(i / CONCURRENT_APPENDERS),
      JSON.stringify(returnEvent(i).data),
    );
  }
  const plainSeconds = seconds(start);
  plain.close();
  return {
    label: `append, 1 event, ${CONCURRENT_APPENDERS} concurrent`,
    unit: 'appends/s',
    adapter: appends / adapterSeconds,
    plain: appends / plainSeconds,
  };
}

/** A log written by the adapter: `streams` streams of `length` events, in appends of up to 100. */
async function writeLog(streams: number, length: number): Promise<string> {
  const path = tempFile();
  const store = openSqliteEventStore({ path, synchronous: 'normal' });
  const perAppend = Math.min(100, length);
  for (let s = 0; s < streams; s += 1) {
    for (let written = 0; written < length; written += perAppend) {
      const first = s * length + written;
      await store.append(
        `rma-${s}`,
        Array.from({ length: perAppend }, (_, i) => returnEvent(first + i)),
      );
    }
  }
  await store.close();
  return path;
}

/**
 * Alternates the adapter's read with two plain reads of the same rows: one that decodes the data
 * column (JSON.parse, as any reader of events must) and one that only fetches the rows.
 */
async function readLines(
  label: string,
  unit: string,
  adapterRead: () => Promise<number>,
  plainRead: (decode: boolean) => number,
): Promise<Line[]> {
  const adapter: number[] = [];
  const decoded: number[] = [];
  const rowsOnly: number[] = [];
  for (let round = 0; round < READ_ROUNDS; round += 1) {
    let start = process.hrtime.bigint();
    adapter.push((await adapterRead()) / seconds(start));
    start = process.hrtime.bigint();
    decoded.push(plainRead(true) / seconds(start));
    start = process.hrtime.bigint();
    rowsOnly.push(plainRead(false) / seconds(start));
  }
  return [
    { label, unit, adapter: median(adapter), plain: median(decoded) },
    { label: `${label} (plain skips JSON.parse)`, unit, adapter: median(adapter), plain: median(rowsOnly) },
  ];
}

async function readAllLines(): Promise<Line[]> {
  const path = await writeLog(READ_LOG_STREAMS, READ_LOG_STREAM_LENGTH);
  const store = openSqliteEventStore({ path });
  const db = plainDatabase(path);
  // Pages like the adapter (keyset on position): a plain reader of a whole log cannot hold it in memory either.
  const page = db.prepare<[number, number], { position: number; data: string }>(
    `SELECT position, ${ROW_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
  );
  const lines = await readLines(
    'readAll',
    'events/s',
    async () => {
      let count = 0;
      for await (const _event of store.readAll()) count += 1;
      return count;
    },
    (decode) => {
      let count = 0;
      let after = 0;
      for (;;) {
        const rows = page.all(after, 512);
        if (rows.length === 0) return count;
        for (const row of rows) {
          if (decode) JSON.parse(row.data);
          count += 1;
        }
        after = rows[rows.length - 1]!.position;
      }
    },
  );
  await store.close();
  db.close();
  return lines;
}

async function readStreamLines(): Promise<Line[]> {
  const path = await writeLog(STREAMS_READ, STREAM_LENGTH);
  const store = openSqliteEventStore({ path });
  const db = plainDatabase(path);
  const read = db.prepare<[string], { data: string }>(
    `SELECT position, ${ROW_COLUMNS} FROM events WHERE stream_name = ? ORDER BY revision`,
  );
  const names = Array.from({ length: STREAMS_READ }, (_, s) => `rma-${s}`);
  const lines = await readLines(
    `readStream, ${STREAM_LENGTH} events`,
    'streams/s',
    async () => {
      for (const name of names) {
        let events = 0;
        for await (const _event of store.readStream(name)) events += 1;
        if (events !== STREAM_LENGTH) throw new Error(`the adapter read ${events} events of ${name}`);
      }
      return names.length;
    },
    (decode) => {
      for (const name of names) {
        const rows = read.all(name);
        if (decode) for (const row of rows) JSON.parse(row.data);
        if (rows.length !== STREAM_LENGTH)
          throw new Error(`the plain read saw ${rows.length} events of ${name}`);
      }
      return names.length;
    },
  );
  await store.close();
  db.close();
  return lines;
}

function printTable(lines: readonly Line[]): void {
  const rate = (value: number) => Math.round(value).toLocaleString('en-US');
  const rows = [
    ['line', 'unit', 'adapter', 'plain better-sqlite3', 'adapter / plain'],
    ...lines.map((line) => [
      line.label,
      line.unit,
      rate(line.adapter),
      rate(line.plain),
      `${((line.adapter / line.plain) * 100).toFixed(1)} %`,
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const [index, row] of rows.entries()) {
    const cells = row.map((cell, column) =>
      column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
    );
    console.log(cells.join('  '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
}

try {
  console.log(
    'SQLite event store vs plain better-sqlite3 on the same rows (temp files, WAL, synchronous=FULL)',
  );
  const started = process.hrtime.bigint();
  const lines = [
    await appendLine('append, 1 event', SINGLE_APPENDS, 1),
    await appendLine(`append, ${BATCH_SIZE} events`, BATCH_APPENDS, BATCH_SIZE),
    await concurrentLine(),
    ...(await readAllLines()),
    ...(await readStreamLines()),
  ];
  printTable(lines);
  console.log(`(${seconds(started).toFixed(1)} s)`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
