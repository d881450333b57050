/**
 * HTTP load on loopback against the real service (`ledger serve` in a child process, so the load
 * generator does not share the server's event loop), on the embedded store in a temp directory,
 * with rate limiting off. Two bounded phases:
 * - commands: workers drive cases through open → approve → receive → inspect (each receipt also
 *   puts a unit into RMA custody, inline), reporting commands/s and p50/p99 latency;
 * - reads: workers alternate `GET /reports/rma-aging`, `GET /cases?limit=20` and `GET /cases/{id}`,
 *   reporting reads/s and p50/p99.
 *
 * Settings (environment): BENCH_SECONDS per phase (default 15, at most 20), BENCH_CONCURRENCY
 * (default 32 connections), BENCH_PROFILE_DIR (writes the server's V8 CPU profile there).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { TokenStore } from '../src/auth/token-store.js';
import { openServiceDb } from '../src/service-db.js';

const SECONDS = Math.min(20, Number(process.env.BENCH_SECONDS ?? 15));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const CNY = (amount: number) => ({ amount, currency: 'CNY' });

const dir = mkdtempSync(join(tmpdir(), 'ledger-http-bench-'));
const db = openServiceDb(dir);
const tokens = new TokenStore(db);
const bearer = Object.fromEntries(
  (['admin', 'cs', 'warehouse', 'auditor'] as const).map((role) => [
    role,
    `Bearer ${tokens.create(role, 'bench').token}`,
  ]),
) as Record<'admin' | 'cs' | 'warehouse' | 'auditor', string>;
db.close();

/** Starts `ledger serve` from the sources and resolves with its URL once it listens. */
function serve(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
        : []),
      '--conditions=source',
      '--import',
      'tsx',
      join(import.meta.dirname, '../src/cli.ts'),
      'serve',
    ],
    {
      env: {
        ...process.env,
        LEDGER_PORT: '0',
        LEDGER_HOST: '127.0.0.1',
        LEDGER_DATA: dir,
        LEDGER_RATE_LIMIT_MAX: '0',
        LEDGER_LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`ledger serve exited with ${code}: ${out}`)));
  });
}

const { child, url } = await serve();
// Whatever happens to this run, the server goes with it.
process.on('exit', () => child.kill('SIGKILL'));
const pool = new Pool(url, { connections: CONCURRENCY, pipelining: 1 });

interface Sample {
  readonly kind: string;
  readonly ms: number;
  readonly ok: boolean;
}

async function send(
  kind: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  auth: string,
  body?: unknown,
): Promise<Sample> {
  const started = performance.now();
  const res = await pool.request({
    method,
    path,
    headers: {
      authorization: auth,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await res.body.text();
  return { kind, ms: performance.now() - started, ok: res.statusCode < 300 };
}

async function must(method: 'POST' | 'PUT', path: string, auth: string, body: unknown): Promise<void> {
  const sample = await send('setup', method, path, auth, body);
  if (!sample.ok) throw new Error(`${method} ${path} failed`);
}

// The catalogue: one vendor, 20 SKUs, one channel policy that does not auto-approve.
await must('PUT', '/vendors/v1', bearer.admin, { name: 'Acme Repairs', agreement: { turnaroundDays: 10 } });
for (let i = 0; i < 20; i++) {
  await must('PUT', `/skus/sku-${i}`, bearer.admin, {
    name: `Item ${i}`,
    vendorId: 'v1',
    pmId: `pm-${i % 4}`,
    unitCost: CNY(8000),
    category: 'kitchen',
  });
}
await must('PUT', '/policies/tmall', bearer.admin, {
  returnWindowDays: 7,
  exchangeWindowDays: 15,
  warrantyDays: 365,
  promiseDays: { refund: 3, exchange: 7, repair: 20 },
  autoApproveLimit: CNY(0),
  refundApprovalLimit: CNY(5000),
});

/** Runs `workers` loops until the deadline; each loop iteration may send several requests. */
async function phase(
  name: string,
  step: (worker: number, iteration: number) => Promise<Sample[]>,
): Promise<{ name: string; samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) samples.push(...(await step(worker, i)));
    }),
  );
  return { name, samples, seconds: (performance.now() - started) / 1000 };
}

const purchasedAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
const opened: string[] = [];

const commands = await phase('commands', async (worker, i) => {
  const caseId = `b-${worker}-${i}`;
  const path = `/cases/${caseId}`;
  const samples = [
    await send('open', 'POST', '/cases', bearer.cs, {
      caseId,
      orderId: `o-${worker}-${i}`,
      channel: 'tmall',
      sku: `sku-${i % 20}`,
      quantity: 1,
      unitPrice: CNY(12900),
      purchasedAt,
      reason: 'does not heat',
      resolution: 'repair',
      customer: { id: `cust-${worker}-${i}`, name: 'Zhang Wei', phone: '13800138000' },
    }),
  ];
  opened.push(caseId);
  for (const [step, auth, body] of [
    ['approve', bearer.cs, {}],
    ['receive', bearer.warehouse, { location: 'A-1' }],
    ['inspect', bearer.warehouse, { grade: 'defective' }],
  ] as const) {
    samples.push(await send(step, 'POST', `${path}/${step}`, auth, body));
  }
  return samples;
});

const reads = await phase('reads', async (worker, i) => {
  switch ((worker + i) % 3) {
    case 0:
      return [await send('report', 'GET', '/reports/rma-aging', bearer.auditor)];
    case 1:
      return [await send('list', 'GET', '/cases?limit=20', bearer.auditor)];
    default:
      return [
        await send('case', 'GET', `/cases/${opened[(worker * 7919 + i) % opened.length]}`, bearer.auditor),
      ];
  }
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

console.log(
  `ledger HTTP bench: ${cpus().length} CPUs, Node ${process.version}, ${CONCURRENCY} connections, ${SECONDS} s per phase, SQLite (synchronous=FULL) in ${tmpdir()}`,
);
function line(label: string, samples: readonly Sample[], seconds: number): string {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const failed = samples.filter((s) => !s.ok).length;
  return `${label.padEnd(10)} ${String(samples.length).padStart(6)} in ${seconds.toFixed(1)} s: ${(samples.length / seconds).toFixed(0).padStart(5)}/s, p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, non-2xx ${failed}`;
}
for (const { name, samples, seconds } of [commands, reads]) {
  console.log(line(name, samples, seconds));
  for (const kind of new Set(samples.map((s) => s.kind))) {
    console.log(
      `  ${line(
        kind,
        samples.filter((s) => s.kind === kind),
        seconds,
      )}`,
    );
  }
}
console.log(`cases opened: ${opened.length}`);

await pool.close();
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
