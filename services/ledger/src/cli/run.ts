import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NotFoundError } from '@rma-ledger/application';
import type { LogAnchor, RecordedEvent } from '@rma-ledger/event-store';
import { CASE_LIST_MODEL } from '@rma-ledger/projections';
import { roleSchema, roles } from '../auth/roles.js';
import { TokenStore } from '../auth/token-store.js';
import { afterSalesFlagConfig, type Config, ConfigError, loadConfig } from '../config.js';
import { caughtUp, READ_MODEL, REPORTS } from '../reports.js';
import { openRuntime, type Runtime, type RuntimeEvents } from '../runtime.js';
import { startServer } from '../server.js';
import { openServiceDb } from '../service-db.js';
import { openEventStore } from '../stores.js';
import { parseDemoArgs, runDemo } from './demo.js';
import { importSummaryLines, parseImportArgs, runImport } from './import.js';
import { parseReconcileArgs, runReconcile, summaryLines } from './reconcile.js';
import { UsageError } from './usage-error.js';

/** Exit codes a script can rely on. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `serve` waits on it. */
  readonly waitForStop: () => Promise<string>;
}

export const USAGE = `Usage: ledger <command> [options]

Commands:
  serve [--demo]                     Start the HTTP service (LEDGER_PORT, LEDGER_DATA, ...); with
                                     --demo, an empty store first gets the demo business
  token create --role <role> [--name <name>] [--json]
                                     Create an API token; the token is printed once
  token list [--json]                List tokens (never their secrets)
  token revoke <id>                  Revoke a token
  verify [--json] [--anchor P:D]     Recompute every hash chain and the log digest (checking anchors
                                     printed by an earlier verify); exit 1 when broken
  history <caseId|unitId> [--as-of <instant>] [--json]
                                     Every event of a case (or else an RMA unit) with its metadata
  erase-customer <customerId> [--reason <text>]
                                     Erase a customer's personal data (crypto-shredding)
  report <name> [--as-of <instant>] [--from <instant> --to <instant>] [--csv]
                                     A report of api.md (${REPORTS.map((r) => r.name).join(', ')})
  import cases|sales <file> --mapping <file.json> [--register-unknown-skus <vendorId>:<pmId>]
            [--dry-run] [--json]
                                     Import a CSV or XLSX export through the ledger's use cases
                                     (progress on stderr); exit 1 when any row was refused
  reconcile <file> --provider <name> [--mapping <file.json>] [--from <instant> --to <instant>]
            [--window-days <n>] [--out <rows.csv>] [--json]
                                     Reconcile a payment provider's refund report with the refunds
                                     paid in the ledger (default period: the report's own span
                                     widened by the window); prints the summary, writes the rows
  rebuild                            Rebuild the read models (reports, case-list) from the event log
  demo [--preset <name>] [--seed <n>] [--if-empty]
                                     Generate a realistic business into an empty store (preset
                                     demo by default), create a token per role, print where to look

Roles: ${roles.join(', ')}
Exit codes: 0 ok, 1 failure (broken chain, unknown token or case, store error), 2 usage or configuration error.`;

/** Runs one CLI command and returns its exit code. Never calls `process.exit` itself. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'token':
        return token(rest, io);
      case 'verify':
        return await verify(rest, io);
      case 'history':
        return await history(rest, io);
      case 'erase-customer':
        return await eraseCustomer(rest, io);
      case 'report':
        return await report(rest, io);
      case 'rebuild':
        return await rebuild(rest, io);
      case 'reconcile':
        return await reconcile(rest, io);
      case 'import':
        return await importFile(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case 'demo':
        return await demo(rest, io);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(error.message);
      return EXIT.usage;
    }
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`ledger: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    io.stderr(`ledger ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failure;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function config(io: CliIo): Config {
  return loadConfig(io.env, io.cwd);
}

async function serve(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { demo: { type: 'boolean' } } });
  // With --demo, an empty store first gets the demo business; its tokens are printed after the URL.
  const demoLines: string[] = [];
  if (values.demo) {
    const options = { preset: 'demo', seed: 1, ifEmpty: true } as const;
    const out = { stdout: (line: string) => demoLines.push(line), stderr: io.stderr };
    await withRuntime(io, (runtime) => runDemo(runtime, options, out), 'normal');
  }
  const server = await startServer(config(io));
  io.stdout(`rma-ledger listening on ${server.url}`);
  io.stdout(`API docs: ${server.url}/docs (OpenAPI: ${server.url}/openapi.json)`);
  for (const line of demoLines) io.stdout(line.replaceAll(/^( {2})(\/\S+)/gm, `$1${server.url}$2`));
  const signal = await io.waitForStop();
  io.stderr(`${signal} received: finishing in-flight requests`);
  await server.close();
  return EXIT.ok;
}

function token(args: readonly string[], io: CliIo): number {
  const [sub, ...rest] = args;
  const withTokens = <T>(fn: (tokens: TokenStore) => T): T => {
    const db = openServiceDb(config(io).data);
    try {
      return fn(new TokenStore(db));
    } finally {
      db.close();
    }
  };
  switch (sub) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: { role: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } },
      });
      const role = roleSchema.safeParse(values.role);
      if (!role.success) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
      const created = withTokens((tokens) => tokens.create(role.data, values.name));
      if (values.json) io.stdout(JSON.stringify(created));
      else {
        io.stdout(`id:    ${created.id}\nrole:  ${created.role}\ntoken: ${created.token}`);
        io.stderr('The token is shown only once; store it now.');
      }
      return EXIT.ok;
    }
    case 'list': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } });
      const list = withTokens((tokens) => tokens.list());
      if (values.json) io.stdout(JSON.stringify(list));
      else {
        for (const t of list) {
          io.stdout(
            [
              t.id,
              t.role.padEnd(9),
              t.createdAt,
              t.revokedAt === null ? 'active ' : 'revoked',
              t.name ?? '',
            ].join('  '),
          );
        }
      }
      return EXIT.ok;
    }
    case 'revoke': {
      const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('token revoke takes exactly one token id');
      const id = positionals[0]!;
      if (!withTokens((tokens) => tokens.revoke(id))) {
        io.stderr(`ledger token revoke: no active token '${id}'`);
        return EXIT.failure;
      }
      io.stdout(`revoked ${id}`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`token needs a subcommand: create, list or revoke`);
  }
}

async function verify(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { json: { type: 'boolean' }, anchor: { type: 'string', multiple: true } },
  });
  const anchors = (values.anchor ?? []).map(parseAnchor);
  const store = await openEventStore(config(io));
  try {
    const report = await store.verify({
      anchors,
      onProgress: (checked) => io.stderr(`verified ${checked} events…`),
    });
    if (values.json) io.stdout(JSON.stringify(report));
    else if (report.ok) {
      const anchored = anchors.length === 0 ? '' : `, and the log still matches ${anchors.length} anchor(s)`;
      io.stdout(`ok: ${report.streams} streams, ${report.events} events, every hash chain holds${anchored}`);
      if (report.head) {
        io.stdout(`head: ${report.head.position}:${report.head.digest}`);
        io.stdout(
          `  (keep it outside the ledger; \`ledger verify --anchor ${report.head.position}:…\` proves later that nothing up to it changed)`,
        );
      }
    } else {
      const b = report.firstBroken!;
      io.stdout(
        `BROKEN: stream ${b.streamName} revision ${b.revision} (position ${b.position}): ${b.reason}: ${b.detail}`,
      );
    }
    return report.ok ? EXIT.ok : EXIT.failure;
  } finally {
    await store.close();
  }
}

function parseAnchor(value: string): LogAnchor {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value);
  if (!match)
    throw new UsageError(`--anchor ${value}: expected <position>:<64 hex digits>, as verify prints its head`);
  return { position: Number(match[1]), digest: match[2]! };
}

async function withRuntime<T>(
  io: CliIo,
  fn: (runtime: Runtime) => Promise<T>,
  durability: 'full' | 'normal' = 'full',
  events: Pick<RuntimeEvents, 'onProjectionBuildProgress'> = {},
): Promise<T> {
  const runtime = await openRuntime(config(io), { ...events, durability });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

async function history(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { 'as-of': { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('history takes exactly one case or unit id');
  const id = positionals[0]!;
  const asOf = values['as-of'] === undefined ? {} : { asOf: instantOption('--as-of', values['as-of']) };
  const events = await withRuntime(io, async ({ ledger }) => {
    for (const read of [() => ledger.cases.history(id, asOf), () => ledger.units.history(id, asOf)]) {
      try {
        const found = await read();
        if (found.length > 0) return found;
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    return null;
  });
  if (events === null) {
    io.stderr(`ledger history: no case or RMA unit '${id}'`);
    return EXIT.failure;
  }
  if (values.json) io.stdout(JSON.stringify(events));
  else for (const event of events) io.stdout(historyLine(event));
  return EXIT.ok;
}

function historyLine(event: RecordedEvent): string {
  const data = event.data as { occurredAt?: unknown } | null;
  const occurredAt = typeof data?.occurredAt === 'string' ? data.occurredAt : '-';
  return [
    `${event.streamName}@${event.revision}`,
    occurredAt,
    event.type.padEnd(24),
    event.metadata.actor,
    `correlation ${event.metadata.correlationId}`,
    `hash ${event.metadata.hash.slice(0, 12)}`,
  ].join('  ');
}

async function eraseCustomer(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { reason: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('erase-customer takes exactly one customer id');
  const customerId = positionals[0]!;
  const result = await withRuntime(io, ({ ledger }) =>
    ledger.customers.erase(customerId, values.reason === undefined ? {} : { reason: values.reason }, {
      actor: 'system:cli',
      correlationId: randomUUID(),
    }),
  );
  io.stdout(
    result.alreadyErased
      ? `customer ${customerId} was already erased`
      : `erased the personal data of customer ${customerId}`,
  );
  return EXIT.ok;
}

function instantOption(name: string, value: string): Date {
  const instant = new Date(value);
  if (!/(?:Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(instant.getTime())) {
    throw new UsageError(`${name} must be an ISO-8601 date-time with an offset, e.g. 2026-03-01T00:00:00Z`);
  }
  return instant;
}

async function report(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      'as-of': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      csv: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const definition = REPORTS.find((r) => r.name === positionals[0]);
  if (positionals.length !== 1 || definition === undefined) {
    throw new UsageError(`report takes one of: ${REPORTS.map((r) => r.name).join(', ')}`);
  }
  const raw = Object.fromEntries(
    Object.entries({ asOf: values['as-of'], from: values.from, to: values.to }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const query = definition.query.safeParse(raw);
  if (!query.success) {
    const problems = query.error.issues.map(
      (i) => `--${String(i.path[0] ?? '').replace('asOf', 'as-of')}: ${i.message}`,
    );
    throw new UsageError(`bad options for report ${definition.name}: ${problems.join('; ')}`);
  }
  const settings = { afterSales: afterSalesFlagConfig(config(io)) };
  const output = await withRuntime(io, async ({ projections, store }) => {
    await caughtUp(projections, store);
    return projections.read(READ_MODEL, (db) =>
      values.csv
        ? definition.csv(db, query.data, settings)
        : JSON.stringify(definition.json(db, query.data, settings), null, 2),
    );
  });
  io.stdout(output.endsWith('\n') ? output.slice(0, -1) : output);
  return EXIT.ok;
}

async function rebuild(args: readonly string[], io: CliIo): Promise<number> {
  parseArgs({ args: [...args], options: {} });
  const { projectionThreads } = config(io);
  const models = [READ_MODEL, CASE_LIST_MODEL];
  let head: number | null = null;
  const reached = new Map<string, number>();
  let lastLine = 0;
  // At most a line a second, at the model furthest behind.
  const onProjectionBuildProgress = (model: string, position: number) => {
    reached.set(model, position);
    const now = performance.now();
    if (head === null || reached.size < models.length || now - lastLine < 1000) return;
    lastLine = now;
    const behind = Math.min(...reached.values());
    const share = Math.floor((behind / head) * 100);
    io.stderr(`  ${behind.toLocaleString('en')} of ${head.toLocaleString('en')} events (${share} %)`);
  };
  const run = async ({ projections, store }: Runtime) => {
    head = await store.headPosition();
    const where = projectionThreads > 0 ? `in up to ${projectionThreads} worker threads` : 'in this thread';
    io.stderr(
      `rebuilding the read models ${models.join(', ')} up to log position ${head ?? 'none'}, ${where}…`,
    );
    const started = performance.now();
    // Side by side: each model's build reads the log on its own.
    await Promise.all(models.map((model) => projections.rebuild(model)));
    io.stderr(`rebuilt in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const model of models) io.stdout(`rebuilt the read model '${model}'`);
  };
  await withRuntime(io, run, 'full', { onProjectionBuildProgress });
  return EXIT.ok;
}

async function importFile(args: readonly string[], io: CliIo): Promise<number> {
  const command = parseImportArgs(args, io.cwd);
  const summary = await withRuntime(io, (runtime) => runImport(runtime, command, io.stderr));
  if (command.json) io.stdout(JSON.stringify(summary));
  else for (const line of importSummaryLines(summary)) io.stdout(line);
  return summary.failed === 0 ? EXIT.ok : EXIT.failure;
}

async function reconcile(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseReconcileArgs(args, io.cwd, instantOption);
  const outcome = await withRuntime(io, (runtime) => runReconcile(runtime, options));
  if (options.json) io.stdout(JSON.stringify(outcome));
  else for (const line of summaryLines(outcome, options.out)) io.stdout(line);
  return EXIT.ok;
}

async function demo(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseDemoArgs(args);
  if (typeof options === 'string') throw new UsageError(options);
  // A bulk load: a power cut may lose its last appends (rerun it on an emptied store), never corrupt it.
  const ok = await withRuntime(io, (runtime) => runDemo(runtime, options, io), 'normal');
  return ok ? EXIT.ok : EXIT.failure;
}
