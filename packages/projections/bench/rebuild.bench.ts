/**
 * Rebuilds every projection from the first event of a generated log into a fresh directory, then
 * times each report on it (asOf = the log's last business time; periods: the 90 days before it).
 *   pnpm --filter @rma-ledger/projections bench [bench-1m | <event count>]
 *     [--parse=stored|checked] [--batch=<events>] [--delay=<ms>] [--threads=<n>]
 * The log is generated once into `<TMPDIR>/rma-ledger-bench/` and reused. By default the rebuild
 * runs as a rebuild tool would: `stored` parsing (`parseStoredDomainEvent`: events already at their
 * current schema version are not validated again) and batches of 10,000 events or 1,000 ms.
 * `--parse=checked --batch=1000 --delay=20` measures the service's own settings (every event
 * through the domain's zod schemas, the runner's default batches).
 * It runs the built packages (`pnpm bench` builds them first), the code a user runs. Fresh read
 * models are built in worker threads, up to `--threads` at once (default: the machine's
 * parallelism), each thread reading the log once for its share of them; `--threads=0` builds
 * them all in this thread, from one read of the log.
 * Prints a table of targets and measured values; always exits 0.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DomainEvent } from '@rma-ledger/domain';
import type { EventStore, RecordedEvent } from '@rma-ledger/event-store';
import {
  AFTER_SALES_FLAG_MODEL,
  afterSalesFlagProjection,
  afterSalesRatioReport,
  agingInventoryReport,
  badDebtReport,
  CASE_LIST_MODEL,
  caseListProjection,
  cycleLagReport,
  DEFAULT_AFTER_SALES_FLAG_CONFIG,
  overdueRepairsReport,
  type Period,
  ProjectionRunner,
  parseDomainEvent,
  parseStoredDomainEvent,
  refundExposureReport,
  reportModelProjection,
  vendorScorecardReport,
} from '@rma-ledger/projections';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import type { Database } from 'better-sqlite3';
import { benchLog } from './event-log.js';
import { type Latency, measureLatency, measureLatencyAfter } from './latency.js';

const DAY_MS = 86_400_000;
const TARGET_EVENTS_PER_SECOND = 100_000;
const TARGET_PEAK_RSS_MB = 512;
const TARGET_REPORT_P95_MS = 50;
const CALLS = 50;
const WARM_UP = 5;
/** The default period of the period reports: the trailing window of the SKU flag policy. */
const PERIOD_DAYS = DEFAULT_AFTER_SALES_FLAG_CONFIG.windowDays;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    parse: { type: 'string', default: 'stored' },
    batch: { type: 'string', default: '10000' },
    delay: { type: 'string', default: '1000' },
    threads: { type: 'string', default: String(availableParallelism()) },
    'generate-only': { type: 'boolean', default: false },
  },
});
const size = positionals[0] ?? 'bench-1m';

if (values['generate-only']) {
  await benchLog(size);
} else {
  await main();
}

async function main(): Promise<void> {
  // Generated in a child process, so that this one's peak RSS is the rebuild's alone.
  const generated = spawnSync(
    process.execPath,
    [...process.execArgv, process.argv[1]!, size, '--generate-only'],
    {
      stdio: 'inherit',
    },
  );
  if (generated.status !== 0) throw new Error(`Generating the ${size} log failed`);
  const log = await benchLog(size);
  const parseMode = values.parse === 'checked' ? 'checked' : 'stored';
  const parse = parseMode === 'stored' ? parseStoredDomainEvent : parseDomainEvent;
  const batchSize = Number(values.batch);
  const maxBatchDelayMs = Number(values.delay);
  const threads = Number(values.threads);

  // A copy, since the bench ends by appending to it; the generated log stays as it was.
  const directory = mkdtempSync(join(dirname(log.path), 'read-models-'));
  const path = join(directory, 'events.db');
  copyFileSync(log.path, path);
  // Written back to disk now, not while the rebuild is measured.
  const copy = openSync(path, 'r+');
  fsyncSync(copy);
  closeSync(copy);
  const store = openSqliteEventStore({ path });
  const head = await store.headPosition();
  const rssBefore = process.memoryUsage().rss;
  let runner: ProjectionRunner<DomainEvent> | null = null;
  try {
    const started = performance.now();
    runner = ProjectionRunner.start<DomainEvent>({
      store,
      directory,
      // The same as in the worker threads' ./worker-setup.js.
      projections: [
        reportModelProjection,
        afterSalesFlagProjection(DEFAULT_AFTER_SALES_FLAG_CONFIG, () => {}),
        caseListProjection,
      ],
      parse,
      batchSize,
      maxBatchDelayMs,
      ...(threads > 0
        ? {
            workers: {
              setup: new URL('./worker-setup.js', import.meta.url),
              data: { path, parse: parseMode },
              threads,
            },
          }
        : {}),
    });
    if (head !== null) await runner.waitFor(head);
    const seconds = (performance.now() - started) / 1000;
    // maxRSS is in KiB: the peak of this process so far, i.e. start-up plus the rebuild.
    const peakRssMb = (process.resourceUsage().maxRSS * 1024) / 1e6;
    const eventsPerSecond = log.events / seconds;

    const asOf = log.lastOccurredAt;
    const now = Date.parse(asOf);
    const period: Period = { from: new Date(now - PERIOD_DAYS * DAY_MS).toISOString(), to: asOf };
    const active = runner;
    /** Times a report and says how big its answer is (the rows it lists). */
    const timed = <T>(name: string, query: (db: Database) => T, size: (report: T) => string) => {
      const run = () => active.read('reports', query);
      return { name, ...measureLatency(run, CALLS, WARM_UP), output: size(run()) };
    };
    const count = (n: number, what: string) => `${n.toLocaleString('en')} ${what}`;
    const latencies = [
      timed(
        'cycle lag',
        (db) => cycleLagReport(db, { asOf }),
        (r) => `${count(r.lagging.length, 'lagging')} of ${count(r.overall.casesConsidered, 'cases')}`,
      ),
      timed(
        'overdue vendor repairs',
        (db) => overdueRepairsReport(db, { asOf }),
        (r) => count(r.rows.length, 'dispatches'),
      ),
      timed(
        'aging RMA inventory',
        (db) => agingInventoryReport(db, { asOf }),
        (r) =>
          count(
            r.groups.reduce((n, g) => n + g.units, 0),
            'units',
          ),
      ),
      timed(
        'refund exposure',
        (db) => refundExposureReport(db, { asOf }),
        (r) => count(r.count, 'refunds'),
      ),
      timed(
        `bad debt per PM (${PERIOD_DAYS} d)`,
        (db) => badDebtReport(db, period),
        (r) => count(r.pms.length, 'PMs'),
      ),
      timed(
        `vendor scorecard (${PERIOD_DAYS} d)`,
        (db) => vendorScorecardReport(db, period),
        (r) =>
          count(
            r.vendors.reduce((n, v) => n + v.responses, 0),
            'responses',
          ),
      ),
      timed(
        `after-sales ratio per SKU (${PERIOD_DAYS} d)`,
        (db) => afterSalesRatioReport(db, period),
        (r) => count(r.skus.length, 'SKUs'),
      ),
      {
        name: 'cycle lag, each call after a write',
        ...(await cycleLagAfterWrites(store, active, asOf)),
        output: 'a new promise for one case',
      },
    ];

    console.log(
      `\n${log.events.toLocaleString('en')} events (${size}, ${log.path}); parse: ${values.parse}; ` +
        `batches: ${batchSize} events / ${maxBatchDelayMs} ms; ` +
        `${threads > 0 ? `built in up to ${threads} worker threads` : 'built in one thread'}; asOf = ${asOf}; periods: the ${PERIOD_DAYS} days before asOf; ` +
        `${CALLS} calls per report after ${WARM_UP} warm-up calls.`,
    );
    console.log(
      `Read models: ${[reportModelProjection.name, AFTER_SALES_FLAG_MODEL, CASE_LIST_MODEL].join(', ')}; ` +
        `RSS before the rebuild ${(rssBefore / 1e6).toFixed(0)} MB.\n`,
    );
    const rows: [string, string, string, boolean, string][] = [
      [
        'rebuild throughput',
        `≥ ${TARGET_EVENTS_PER_SECOND.toLocaleString('en')} events/s`,
        `${Math.round(eventsPerSecond).toLocaleString('en')} events/s (${seconds.toFixed(1)} s)`,
        eventsPerSecond >= TARGET_EVENTS_PER_SECOND,
        count(log.events, 'events'),
      ],
      [
        'rebuild peak RSS',
        `< ${TARGET_PEAK_RSS_MB} MB`,
        `${peakRssMb.toFixed(0)} MB`,
        peakRssMb < TARGET_PEAK_RSS_MB,
        '',
      ],
      ...latencies.map((l): [string, string, string, boolean, string] => [
        l.name,
        `p95 < ${TARGET_REPORT_P95_MS} ms`,
        `p95 ${l.p95Ms.toFixed(2)} ms (median ${l.medianMs.toFixed(2)}, max ${l.maxMs.toFixed(2)})`,
        l.p95Ms < TARGET_REPORT_P95_MS,
        l.output,
      ]),
    ];
    printTable(
      ['measure', 'target', 'measured', 'result', 'answer'],
      rows.map(([a, b, c, ok, e]) => [a, b, c, ok ? 'ok' : 'MISSED', e]),
    );
    const missed = rows.filter((r) => !r[3]).length;
    console.log(missed === 0 ? '\nEvery target met.' : `\n${missed} target(s) MISSED.`);
  } finally {
    await runner?.stop();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/**
 * Cycle lag as of now, each call right after one more event changed a case: a new promise for
 * the case that was last given one (dated when that one was, so the report's instant stays after
 * every change). What a busy service sees, where every report follows some write.
 */
async function cycleLagAfterWrites(
  store: EventStore,
  runner: ProjectionRunner<DomainEvent>,
  asOf: string,
): Promise<Latency> {
  const head = (await store.headPosition()) ?? 0;
  let last: RecordedEvent | null = null;
  for await (const event of store.readAll({ after: Math.max(0, head - 20_000) })) {
    if (event.type === 'CustomerPromiseSet') last = event;
  }
  if (last === null) throw new Error('The log has no recent CustomerPromiseSet to repeat');
  const { streamName, metadata } = last;
  const data = last.data as { readonly promisedBy: string };
  const write = async (call: number) => {
    const promisedBy = new Date(Date.parse(data.promisedBy) + (call + 1) * 60_000).toISOString();
    const { position } = await store.append(streamName, [
      {
        type: 'CustomerPromiseSet',
        data: { ...data, promisedBy },
        metadata: {
          actor: 'bench',
          correlationId: `bench-${call}`,
          causationId: null,
          schemaVersion: metadata.schemaVersion,
        },
      },
    ]);
    await runner.waitFor(position);
  };
  return measureLatencyAfter(
    write,
    () => runner.read('reports', (db) => cycleLagReport(db, { asOf })),
    CALLS,
  );
}
