import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterSalesFlagConfig, ConfigError, loadConfig } from './config.js';

function problemsOf(env: NodeJS.ProcessEnv, cwd = '/srv'): readonly string[] {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives defaults when nothing is set, with the data directory resolved against cwd', () => {
    expect(loadConfig({}, '/srv')).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      data: '/srv/.data',
      store: 'sqlite',
      logLevel: 'info',
      bodyLimitBytes: 1024 * 1024,
    });
  });

  it('reads the environment', () => {
    const config = loadConfig(
      { LEDGER_PORT: '8080', LEDGER_DATA: '/var/ledger', LEDGER_RATE_LIMIT_MAX: '0' },
      '/srv',
    );
    expect(config).toMatchObject({ port: 8080, data: '/var/ledger', rateLimitMax: 0 });
  });

  it('names the environment variable of a bad setting', () => {
    expect(problemsOf({ LEDGER_PORT: 'eighty' })).toEqual([
      'LEDGER_PORT: must be an integer from 0 to 65535',
    ]);
    expect(problemsOf({ LEDGER_PORT: '70000' })).toEqual(['LEDGER_PORT: must be an integer from 0 to 65535']);
    expect(problemsOf({ LEDGER_STORE: 'postgres' })).toEqual([
      'LEDGER_STORE: must be sqlite or eventstoredb',
    ]);
  });

  it('builds read models in as many threads as the machine has CPUs, or as set; 0 means in the service thread', () => {
    expect(loadConfig({}).projectionThreads).toBe(availableParallelism());
    expect(loadConfig({ LEDGER_PROJECTION_THREADS: '0' }).projectionThreads).toBe(0);
    expect(problemsOf({ LEDGER_PROJECTION_THREADS: '-1' })).toEqual([
      'LEDGER_PROJECTION_THREADS: must be an integer from 0 to 64',
    ]);
  });

  it('reads the SKU flag policy, defaulting to kpis.md §6, and refuses a delist ratio below the alert ratio', () => {
    expect(afterSalesFlagConfig(loadConfig({}))).toEqual({
      alertRatio: 0.02,
      delistRatio: 0.05,
      minUnitsSold: 50,
      windowDays: 90,
    });
    expect(
      afterSalesFlagConfig(
        loadConfig({ LEDGER_AFTER_SALES_ALERT_RATIO: '0.03', LEDGER_AFTER_SALES_MIN_UNITS_SOLD: '10' }),
      ),
    ).toMatchObject({ alertRatio: 0.03, delistRatio: 0.05, minUnitsSold: 10 });
    expect(problemsOf({ LEDGER_AFTER_SALES_ALERT_RATIO: '2' })).toEqual([
      'LEDGER_AFTER_SALES_ALERT_RATIO: must be a fraction above 0 and at most 1 (0.02 for 2 %)',
    ]);
    expect(
      problemsOf({ LEDGER_AFTER_SALES_ALERT_RATIO: '0.06', LEDGER_AFTER_SALES_DELIST_RATIO: '0.05' }),
    ).toEqual(['LEDGER_AFTER_SALES_DELIST_RATIO: must be at least the alert ratio (0.06)']);
  });

  it('reports every bad setting at once', () => {
    expect(problemsOf({ LEDGER_PORT: '-1', LEDGER_LOG_LEVEL: 'loud' })).toHaveLength(2);
  });

  it('requires a connection string for eventstoredb', () => {
    expect(problemsOf({ LEDGER_STORE: 'eventstoredb' })).toEqual([
      'LEDGER_EVENTSTOREDB_URL: is required when the store is eventstoredb',
    ]);
    expect(
      loadConfig({ LEDGER_STORE: 'eventstoredb', LEDGER_EVENTSTOREDB_URL: 'esdb://a:2113?tls=false' }),
    ).toMatchObject({ store: 'eventstoredb' });
  });

  it('reads the KurrentDB schemes as the esdb schemes the client parses, and refuses others', () => {
    const url = (value: string) =>
      loadConfig({ LEDGER_STORE: 'eventstoredb', LEDGER_EVENTSTOREDB_URL: value }).eventStoreDbUrl;
    expect(url('kurrentdb://a:2113,b:2113?tls=false')).toBe('esdb://a:2113,b:2113?tls=false');
    expect(url('kdb://a:2113')).toBe('esdb://a:2113');
    expect(url('KurrentDB+Discover://cluster.example:2113')).toBe('esdb+discover://cluster.example:2113');
    expect(url('kdb+discover://cluster.example')).toBe('esdb+discover://cluster.example');
    expect(url(' ESDB://a:2113 ')).toBe('esdb://a:2113');
    expect(url('esdb://kurrentdb://a')).toBe('esdb://kurrentdb://a');
    expect(problemsOf({ LEDGER_STORE: 'eventstoredb', LEDGER_EVENTSTOREDB_URL: 'https://a:2113' })).toEqual([
      'LEDGER_EVENTSTOREDB_URL: must be a connection string starting esdb://, esdb+discover://, kurrentdb:// or kdb://',
    ]);
  });

  it('reads a JSON file, which the environment overrides, and names its unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-config-'));
    writeFileSync(join(dir, 'ledger.json'), JSON.stringify({ port: 4000, host: '0.0.0.0', data: 'store' }));
    expect(loadConfig({ LEDGER_CONFIG: 'ledger.json', LEDGER_PORT: '4001' }, dir)).toMatchObject({
      port: 4001,
      host: '0.0.0.0',
      data: join(dir, 'store'),
    });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ prot: 4000, port: 'x' }));
    expect([...problemsOf({ LEDGER_CONFIG: 'bad.json' }, dir)].sort()).toEqual([
      'port (in bad.json): must be an integer from 0 to 65535',
      'prot (in bad.json): unknown setting',
    ]);
  });

  it('refuses a config file that is missing or not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-config-'));
    writeFileSync(join(dir, 'broken.json'), '{ port: ');
    expect(problemsOf({ LEDGER_CONFIG: 'broken.json' }, dir)[0]).toMatch(
      /^LEDGER_CONFIG: .* is not valid JSON/,
    );
    expect(problemsOf({ LEDGER_CONFIG: 'missing.json' }, dir)[0]).toMatch(/^LEDGER_CONFIG: cannot read/);
  });
});
