/**
 * Imports a synthetic full-size Online Retail file (541,909 lines: the 30,000-line sample repeated
 * with its dates moved on by two weeks and its invoice numbers by 100,000 per copy) into a temp
 * SQLite store, sales then cases, and again (the idempotent re-run). Prints rows/s and peak RSS.
 * Usage: pnpm --filter @rma-ledger/imports bench [-- --lines 541909 --synchronous normal]
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Ledger, SqliteKeyStore } from '@rma-ledger/application';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { type ImportSummary, importCases, importSales } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLE = join(here, '../../../../shared/data/online-retail/online-retail-sample.csv');
const MAPPING = JSON.parse(readFileSync(join(here, '../mappings/online-retail.json'), 'utf8'));
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { lines: { type: 'string', default: '541909' }, synchronous: { type: 'string', default: 'full' } },
});
const LINES = Number(values.lines);
const synchronous = values.synchronous === 'normal' ? 'normal' : 'full';

const directory = mkdtempSync(join(tmpdir(), 'rma-import-bench-'));
const file = join(directory, 'online-retail-full.csv');

async function writeSyntheticFile(): Promise<number> {
  const [header, ...lines] = readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write(`${header}\n`);
  let written = 0;
  for (let copy = 0; written < LINES; copy += 1) {
    const shiftMs = copy * 14 * 86_400_000;
    let chunk = '';
    for (const line of lines) {
      if (written >= LINES) break;
      // Plain CSV of this file: no quoted commas in the first five columns.
      const cells = line.split(',');
      const invoice = cells[0]!;
      const credit = invoice.startsWith('C');
      const number = Number(credit ? invoice.slice(1) : invoice) + copy * 100_000;
      cells[0] = `${credit ? 'C' : ''}${number}`;
      const dateIndex = cells.length - 4;
      const shifted = new Date(Date.parse(`${cells[dateIndex]!.replace(' ', 'T')}Z`) + shiftMs);
      cells[dateIndex] = shifted.toISOString().slice(0, 19).replace('T', ' ');
      chunk += `${cells.join(',')}\n`;
      written += 1;
    }
    await write(chunk);
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return written;
}

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

async function timed(label: string, run: () => Promise<ImportSummary>): Promise<void> {
  const started = performance.now();
  const summary = await run();
  const seconds = (performance.now() - started) / 1000;
  sampleRss();
  console.log(
    `${label}: ${summary.rows} rows in ${seconds.toFixed(1)} s = ${Math.round(summary.rows / seconds)} rows/s; ` +
      `imported ${summary.imported} (written ${summary.written}, unchanged ${summary.unchanged}), ` +
      `failed ${summary.failed}, commands ${summary.commandsWritten}, SKUs registered ${summary.registeredSkus}; ` +
      `skipped ${JSON.stringify(summary.skipped)}`,
  );
}

try {
  const lines = await writeSyntheticFile();
  console.log(
    `synthetic file: ${lines} lines; store ${synchronous === 'full' ? 'synchronous=FULL' : 'synchronous=NORMAL'}`,
  );
  const store = openSqliteEventStore({ path: join(directory, 'events.db'), synchronous });
  const keys = new SqliteKeyStore({ path: join(directory, 'keys.db') });
  const ledger = new Ledger({ store, keys });
  const admin = { actor: 'user:bench', correlationId: 'bench-setup' };
  await ledger.catalogue.putVendor(
    'online-retail',
    { name: 'Online Retail', agreement: { turnaroundDays: 10 } },
    admin,
  );
  const gbp = (amount: number) => ({ amount, currency: 'GBP' });
  await ledger.catalogue.putPolicy(
    'online-retail',
    {
      returnWindowDays: 365,
      exchangeWindowDays: 365,
      warrantyDays: 365,
      promiseDays: { refund: 14, exchange: 14, repair: 30 },
      autoApproveLimit: gbp(100_000),
      refundApprovalLimit: gbp(100_000),
    },
    admin,
  );
  const options = {
    actor: 'user:bench',
    registerUnknownSkus: { vendorId: 'online-retail', pmId: 'pm-bench' },
    onProgress: sampleRss,
  };
  await timed('sales', () => importSales(ledger, createReadStream(file), MAPPING, options));
  await timed('cases', () => importCases(ledger, createReadStream(file), MAPPING, options));
  await timed('sales again', () => importSales(ledger, createReadStream(file), MAPPING, options));
  await timed('cases again', () => importCases(ledger, createReadStream(file), MAPPING, options));
  console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  await store.close();
  await keys.close();
} finally {
  rmSync(directory, { recursive: true, force: true });
}
