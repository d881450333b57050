import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_AFTER_SALES_FLAG_CONFIG } from '@rma-ledger/projections';
import { z } from 'zod';

/**
 * Every setting, its environment variable and its meaning. A JSON file (`LEDGER_CONFIG`) may give
 * the same settings by their key; an environment variable wins over the file.
 */
export const settings = {
  port: { env: 'LEDGER_PORT', doc: 'TCP port to listen on (0 picks a free port). Default 3000.' },
  host: { env: 'LEDGER_HOST', doc: 'Interface to listen on. Default 127.0.0.1.' },
  data: {
    env: 'LEDGER_DATA',
    doc: 'Directory of the embedded store, tokens and idempotency records. Default ./.data.',
  },
  store: { env: 'LEDGER_STORE', doc: '`sqlite` (embedded, default) or `eventstoredb`.' },
  eventStoreDbUrl: {
    env: 'LEDGER_EVENTSTOREDB_URL',
    doc: 'Connection string (`esdb://…`, `esdb+discover://…`; `kurrentdb://` and `kdb://` are read as `esdb://`); required when LEDGER_STORE=eventstoredb.',
  },
  logLevel: { env: 'LEDGER_LOG_LEVEL', doc: 'fatal, error, warn, info (default), debug, trace or silent.' },
  bodyLimitBytes: {
    env: 'LEDGER_BODY_LIMIT_BYTES',
    doc: 'Largest accepted request body. Default 1048576 (1 MiB).',
  },
  importBodyLimitBytes: {
    env: 'LEDGER_IMPORT_BODY_LIMIT_BYTES',
    doc: 'Largest accepted body of POST /imports/* (the file is base64 in JSON). Default 67108864 (64 MiB).',
  },
  rateLimitMax: {
    env: 'LEDGER_RATE_LIMIT_MAX',
    doc: 'Requests per client (token, else IP) per window; 0 turns rate limiting off. Default 6000.',
  },
  rateLimitWindowMs: { env: 'LEDGER_RATE_LIMIT_WINDOW_MS', doc: 'Rate-limit window. Default 60000.' },
  readyMaxLag: {
    env: 'LEDGER_READY_MAX_LAG',
    doc: 'Most events a projection may trail the log by while /ready still answers 200. Default 1000.',
  },
  shutdownTimeoutMs: {
    env: 'LEDGER_SHUTDOWN_TIMEOUT_MS',
    doc: 'How long a graceful shutdown waits for in-flight requests. Default 10000.',
  },
  afterSalesAlertRatio: {
    env: 'LEDGER_AFTER_SALES_ALERT_RATIO',
    doc: 'After-sales ratio at which a SKU is flagged `alert` (kpis.md §6), as a fraction. Default 0.02.',
  },
  afterSalesDelistRatio: {
    env: 'LEDGER_AFTER_SALES_DELIST_RATIO',
    doc: 'After-sales ratio at which a SKU is flagged `delist`; at least the alert ratio. Default 0.05.',
  },
  afterSalesMinUnitsSold: {
    env: 'LEDGER_AFTER_SALES_MIN_UNITS_SOLD',
    doc: 'Units a SKU must have sold in the period before it can be flagged. Default 50.',
  },
  afterSalesWindowDays: {
    env: 'LEDGER_AFTER_SALES_WINDOW_DAYS',
    doc: 'Trailing window, in days, over which the flag reactor computes each SKU’s ratio. Default 90.',
  },
  projectionThreads: {
    env: 'LEDGER_PROJECTION_THREADS',
    doc: 'Worker threads that build new read models and rebuilds side by side; 0 builds them in the service’s own thread. Default: the machine’s CPU count.',
  },
} as const;

export type SettingName = keyof typeof settings;

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int({ error: `must be an integer from ${min} to ${max}` })
    .min(min, { error: `must be an integer from ${min} to ${max}` })
    .max(max, { error: `must be an integer from ${min} to ${max}` });

const ratio = () =>
  z.coerce
    .number({ error: 'must be a fraction above 0 and at most 1 (0.02 for 2 %)' })
    .gt(0, { error: 'must be a fraction above 0 and at most 1 (0.02 for 2 %)' })
    .max(1, { error: 'must be a fraction above 0 and at most 1 (0.02 for 2 %)' });

/** The schemes KurrentDB documents; the schemes differ, the settings after them do not. */
const CONNECTION_SCHEME = /^(?:esdb|kurrentdb|kdb)(\+discover)?:\/\//i;

/**
 * `@eventstore/db-client` 6.2.1 parses only `esdb://` and `esdb+discover://` (lower case), so the
 * KurrentDB spellings are rewritten to those; the rest of the string is passed through untouched.
 */
export function toClientScheme(connectionString: string): string {
  return connectionString.replace(
    CONNECTION_SCHEME,
    (_scheme, discover: string | undefined) => `esdb${discover === undefined ? '' : '+discover'}://`,
  );
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const configSchema = z
  .strictObject({
    port: integer(0, 65_535).default(3000),
    host: z.string().min(1).default('127.0.0.1'),
    data: z.string().min(1).default('.data'),
    store: z.enum(['sqlite', 'eventstoredb'], { error: 'must be sqlite or eventstoredb' }).default('sqlite'),
    eventStoreDbUrl: z
      .string()
      .trim()
      .regex(CONNECTION_SCHEME, {
        message: 'must be a connection string starting esdb://, esdb+discover://, kurrentdb:// or kdb://',
      })
      .transform(toClientScheme)
      .optional(),
    logLevel: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
    bodyLimitBytes: integer(1, 100 * 1024 * 1024).default(1024 * 1024),
    importBodyLimitBytes: integer(1, 1024 * 1024 * 1024).default(64 * 1024 * 1024),
    rateLimitMax: integer(0).default(6000),
    rateLimitWindowMs: integer(1).default(60_000),
    readyMaxLag: integer(0).default(1000),
    shutdownTimeoutMs: integer(1).default(10_000),
    afterSalesAlertRatio: ratio().default(DEFAULT_AFTER_SALES_FLAG_CONFIG.alertRatio),
    afterSalesDelistRatio: ratio().default(DEFAULT_AFTER_SALES_FLAG_CONFIG.delistRatio),
    afterSalesMinUnitsSold: integer(0).default(DEFAULT_AFTER_SALES_FLAG_CONFIG.minUnitsSold),
    afterSalesWindowDays: integer(1, 3660).default(DEFAULT_AFTER_SALES_FLAG_CONFIG.windowDays),
    projectionThreads: integer(0, 64).default(availableParallelism()),
  })
  .superRefine((config, ctx) => {
    // Compared only when the alert ratio is itself valid; otherwise that is the one problem to name.
    const alertValid = config.afterSalesAlertRatio > 0 && config.afterSalesAlertRatio <= 1;
    if (alertValid && config.afterSalesDelistRatio < config.afterSalesAlertRatio) {
      ctx.addIssue({
        code: 'custom',
        path: ['afterSalesDelistRatio'],
        message: `must be at least the alert ratio (${config.afterSalesAlertRatio})`,
      });
    }
    if (config.store === 'eventstoredb' && config.eventStoreDbUrl === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['eventStoreDbUrl'],
        message: 'is required when the store is eventstoredb',
      });
    }
  });

export type Config = z.output<typeof configSchema>;

/** A setting is missing or wrong; `message` names each offending setting by the name the user wrote. */
export class ConfigError extends Error {
  readonly code = 'LDG_CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the configuration from the environment and, when `LEDGER_CONFIG` names one, a JSON file.
 * `data` is resolved against `cwd`. Throws `ConfigError` naming every bad setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const fromFile = env.LEDGER_CONFIG === undefined ? {} : readConfigFile(resolve(cwd, env.LEDGER_CONFIG));
  const fromEnv: Record<string, string> = {};
  for (const [name, { env: variable }] of Object.entries(settings)) {
    const value = env[variable];
    if (value !== undefined && value !== '') fromEnv[name] = value;
  }
  const sourceOf = (name: string): string => {
    if (name in fromEnv) return settings[name as SettingName].env;
    if (name in fromFile) return `${name} (in ${env.LEDGER_CONFIG})`;
    return settings[name as SettingName]?.env ?? `${name} (in ${env.LEDGER_CONFIG})`;
  };
  const parsed = configSchema.safeParse({ ...fromFile, ...fromEnv });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.flatMap((issue) => {
        if (issue.code === 'unrecognized_keys') {
          return issue.keys.map((key) => `${key} (in ${env.LEDGER_CONFIG}): unknown setting`);
        }
        const name = String(issue.path[0] ?? '');
        return [`${sourceOf(name)}: ${issue.message}`];
      }),
    );
  }
  return { ...parsed.data, data: resolve(cwd, parsed.data.data) };
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`LEDGER_CONFIG: cannot read ${path} (${(error as Error).message})`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`LEDGER_CONFIG: ${path} is not valid JSON (${(error as Error).message})`]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError([`LEDGER_CONFIG: ${path} must hold a JSON object of settings`]);
  }
  return value as Record<string, unknown>;
}

/** The SKU flag policy of kpis.md §6 as configured: the reactor and the report use the same. */
export function afterSalesFlagConfig(config: Config) {
  return {
    alertRatio: config.afterSalesAlertRatio,
    delistRatio: config.afterSalesDelistRatio,
    minUnitsSold: config.afterSalesMinUnitsSold,
    windowDays: config.afterSalesWindowDays,
  };
}
