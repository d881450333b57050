import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFixture, removeDir, tempDataDir } from '../test-support/fixture.js';
import { CNY, call, caseBody, expectOk, seedCatalogue } from '../test-support/http.js';
import { EXIT, runCli } from './run.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

async function cli(argv: string[], dir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: { LEDGER_DATA: dir },
    cwd: dir,
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    waitForStop: () => Promise.resolve('SIGTERM'),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** A store with one refund of 129.00 CNY paid with reference RF-1, and a provider CSV and its mapping. */
async function ledgerWithPaidRefund(): Promise<string> {
  const dir = tempDataDir();
  dirs.push(dir);
  const fx = await openFixture(dir);
  await seedCatalogue(fx);
  await expectOk(() => call(fx, 'cs', 'POST', '/cases', caseBody({ resolution: 'refund' })), 201);
  await expectOk(() => call(fx, 'cs', 'POST', '/cases/c1/approve', {}));
  await expectOk(
    () =>
      call(fx, 'cs', 'POST', '/cases/c1/refunds', {
        refundId: 'r1',
        amount: CNY(12900),
        beforeReturn: true,
        evidence: 'photo',
      }),
    201,
  );
  await expectOk(() => call(fx, 'finance', 'POST', '/cases/c1/refunds/r1/approve', {}));
  await expectOk(() => call(fx, 'finance', 'POST', '/cases/c1/refunds/r1/pay', { paymentRef: 'RF-1' }));
  await fx.close();
  const now = new Date().toISOString();
  writeFileSync(
    join(dir, 'refunds.csv'),
    [
      'refund_id,reference,amount,currency,created',
      `RF-1,RF-1,129.00,CNY,${now}`,
      `RF-2,RF-2,5.00,CNY,${now}`,
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'mapping.json'),
    JSON.stringify({
      refundId: 'refund_id',
      reference: 'reference',
      amount: 'amount',
      currency: 'currency',
      occurredAt: 'created',
    }),
  );
  return dir;
}

describe('ledger reconcile', () => {
  it('records a run over the report’s own span, prints the summary and writes the rows as CSV', async () => {
    const dir = await ledgerWithPaidRefund();
    const res = await cli(
      ['reconcile', 'refunds.csv', '--provider', 'csv', '--mapping', 'mapping.json', '--out', 'rows.csv'],
      dir,
    );
    expect(res.code, res.stderr).toBe(EXIT.ok);
    expect(res.stdout).toMatch(/^run \S+\n/);
    expect(res.stdout).toContain('ledger refunds paid');
    expect(res.stdout).toMatch(/ledger refunds paid .*: 1; provider rows: 2; result rows: 2/);
    expect(res.stdout).toMatch(/ {2}matched +1/);
    expect(res.stdout).toMatch(/ {2}provider-only +1/);
    expect(res.stdout).toContain(`rows written to ${join(dir, 'rows.csv')}`);
    const rows = readFileSync(join(dir, 'rows.csv'), 'utf8').trim().split(/\r?\n/);
    expect(rows).toHaveLength(3);
    expect(rows.slice(1).join('\n')).toContain('RF-2');

    // The same file again finds the same result: nothing is written, the first run is named.
    const again = await cli(
      ['reconcile', 'refunds.csv', '--provider', 'csv', '--mapping', 'mapping.json', '--json'],
      dir,
    );
    const outcome = JSON.parse(again.stdout);
    expect(outcome).toMatchObject({ deduplicated: true, summary: { ledgerRefunds: 1, providerRows: 2 } });
    expect(res.stdout.startsWith(`run ${outcome.runId}`)).toBe(true);
  });

  it('matches nothing of the ledger outside an explicit period', async () => {
    const dir = await ledgerWithPaidRefund();
    const res = await cli(
      [
        'reconcile',
        'refunds.csv',
        '--provider',
        'csv',
        '--mapping',
        'mapping.json',
        '--from',
        '2020-01-01T00:00:00Z',
        '--to',
        '2020-02-01T00:00:00Z',
        '--json',
      ],
      dir,
    );
    expect(JSON.parse(res.stdout).summary).toMatchObject({ ledgerRefunds: 0, providerRows: 2 });
  });

  it('refuses a missing provider, mapping or file, and a half period, as usage errors', async () => {
    const dir = await ledgerWithPaidRefund();
    for (const argv of [
      ['reconcile', 'refunds.csv'],
      ['reconcile', 'refunds.csv', '--provider', 'venmo'],
      ['reconcile', 'refunds.csv', '--provider', 'csv'],
      ['reconcile', 'refunds.csv', '--provider', 'stripe', '--mapping', 'mapping.json'],
      ['reconcile', 'refunds.csv', '--provider', 'csv', '--mapping', 'refunds.csv'],
      ['reconcile', 'missing.csv', '--provider', 'stripe'],
      [
        'reconcile',
        'refunds.csv',
        '--provider',
        'csv',
        '--mapping',
        'mapping.json',
        '--from',
        '2026-01-01T00:00:00Z',
      ],
    ]) {
      const res = await cli(argv, dir);
      expect(res.code, argv.join(' ')).toBe(EXIT.usage);
    }
  });
});
