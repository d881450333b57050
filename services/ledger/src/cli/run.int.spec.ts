import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS_DB_FILE, openEventStore } from '../stores.js';
import { openFixture, removeDir, tempDataDir } from '../test-support/fixture.js';
import { call, caseBody, expectOk, seedCatalogue } from '../test-support/http.js';
import { EXIT, runCli } from './run.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const dir = env.LEDGER_DATA ?? tempDataDir();
  if (env.LEDGER_DATA === undefined) dirs.push(dir);
  const code = await runCli(argv, {
    env: { LEDGER_DATA: dir, ...env },
    cwd: dir,
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    waitForStop: () => Promise.resolve('SIGTERM'),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), dir };
}

describe('ledger token', () => {
  it('creates a token, prints it once, lists it without its secret and revokes it', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const created = await cli(['token', 'create', '--role', 'finance', '--name', 'ci', '--json'], {
      LEDGER_DATA: dir,
    });
    expect(created.code).toBe(EXIT.ok);
    const token = JSON.parse(created.stdout);
    expect(token).toMatchObject({ role: 'finance', name: 'ci', revokedAt: null });
    expect(token.token).toMatch(/^ldg_[A-Za-z0-9_-]{43}$/);

    const listed = await cli(['token', 'list'], { LEDGER_DATA: dir });
    expect(listed.stdout).toContain(token.id);
    expect(listed.stdout).not.toContain(token.token);

    expect((await cli(['token', 'revoke', token.id], { LEDGER_DATA: dir })).code).toBe(EXIT.ok);
    expect((await cli(['token', 'list', '--json'], { LEDGER_DATA: dir })).stdout).toContain('"revokedAt":"');
    const again = await cli(['token', 'revoke', token.id], { LEDGER_DATA: dir });
    expect(again.code).toBe(EXIT.failure);
    expect(again.stderr).toContain(`no active token '${token.id}'`);
  });

  it('refuses an unknown role with a usage error', async () => {
    const res = await cli(['token', 'create', '--role', 'boss']);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toContain('--role must be one of cs, warehouse, pm, finance, auditor, admin');
  });
});

describe('ledger usage and configuration errors', () => {
  it('exits 2 on an unknown command or option', async () => {
    expect((await cli(['frobnicate'])).code).toBe(EXIT.usage);
    expect((await cli(['token', 'list', '--verbose'])).code).toBe(EXIT.usage);
    expect((await cli([])).code).toBe(EXIT.usage);
  });

  it('exits 2 naming the bad setting', async () => {
    const res = await cli(['serve'], { LEDGER_PORT: 'http' });
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toContain('LEDGER_PORT: must be an integer from 0 to 65535');
  });
});

describe('ledger verify', () => {
  async function seed(dir: string): Promise<void> {
    const store = await openEventStore({ store: 'sqlite', data: dir });
    const metadata = { actor: 'test', correlationId: 'c', causationId: null, schemaVersion: 1 };
    await store.append('s-1', [
      { type: 'A', data: { n: 1 }, metadata },
      { type: 'B', data: { n: 2 }, metadata },
    ]);
    await store.close();
  }

  it('exits 0 when every chain holds', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    await seed(dir);
    const res = await cli(['verify', '--json'], { LEDGER_DATA: dir });
    expect(res.code).toBe(EXIT.ok);
    expect(JSON.parse(res.stdout)).toMatchObject({ ok: true, streams: 1, events: 2 });
  });

  it('prints the log head, and checks it when given back as an anchor', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    await seed(dir);
    const first = await cli(['verify'], { LEDGER_DATA: dir });
    const head = /head: (\d+:[0-9a-f]{64})/.exec(first.stdout)?.[1];
    expect(head).toBeDefined();

    const anchored = await cli(['verify', '--anchor', head!], { LEDGER_DATA: dir });
    expect(anchored.code).toBe(EXIT.ok);
    expect(anchored.stdout).toContain('still matches 1 anchor');
    const forged = await cli(['verify', '--anchor', `2:${'0'.repeat(64)}`], { LEDGER_DATA: dir });
    expect(forged.code).toBe(EXIT.failure);
    expect(forged.stdout).toContain('anchor-mismatch');
    const malformed = await cli(['verify', '--anchor', 'latest'], { LEDGER_DATA: dir });
    expect(malformed.code).toBe(EXIT.usage);
  });

  it('exits 1 and names the first broken link when an event was altered', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    await seed(dir);
    const db = new Database(join(dir, EVENTS_DB_FILE));
    db.prepare(`UPDATE events SET data = '{"n":99}' WHERE revision = 1`).run();
    db.close();
    const res = await cli(['verify'], { LEDGER_DATA: dir });
    expect(res.code).toBe(EXIT.failure);
    expect(res.stdout).toMatch(/^BROKEN: stream s-1 revision 1 .*hash-mismatch/);
  });
});

describe('ledger serve', () => {
  it('with --demo, fills an empty store first and prints the URL, then the tokens and links', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    await seedTinyDemo(dir);
    const res = await cli(['serve', '--demo'], {
      LEDGER_DATA: dir,
      LEDGER_PORT: '0',
      LEDGER_LOG_LEVEL: 'silent',
    });
    expect(res.code).toBe(EXIT.ok);
    expect(res.stdout.split('\n')[0]).toMatch(/^rma-ledger listening on http:/);
    expect(res.stdout).toContain('demo skipped');
  });

  it('listens, prints its URL and docs URL, and stops cleanly when signalled', async () => {
    const res = await cli(['serve'], { LEDGER_PORT: '0', LEDGER_LOG_LEVEL: 'silent' });
    expect(res.code).toBe(EXIT.ok);
    expect(res.stdout).toMatch(
      /listening on http:\/\/127\.0\.0\.1:\d+\nAPI docs: http:\/\/127\.0\.0\.1:\d+\/docs/,
    );
  });
});

describe('ledger history and erase-customer', () => {
  async function seedCase(dir: string): Promise<void> {
    const fx = await openFixture(dir);
    await seedCatalogue(fx);
    await expectOk(() => call(fx, 'cs', 'POST', '/cases', caseBody()), 201);
    await expectOk(() => call(fx, 'cs', 'POST', '/cases/c1/approve', {}));
    await expectOk(() => call(fx, 'warehouse', 'POST', '/cases/c1/receive', {}), 201);
    await fx.close();
  }

  it('prints the events of a case, or of a unit, with their metadata', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    await seedCase(dir);
    const res = await cli(['history', 'c1'], { LEDGER_DATA: dir });
    expect(res.code).toBe(EXIT.ok);
    expect(res.stdout.split('\n').map((l) => l.split(/\s+/)[2])).toEqual([
      'CaseOpened',
      'CaseApproved',
      'CustomerPromiseSet',
      'ItemReceived',
    ]);
    expect(res.stdout).toMatch(/^case-c1@0 .* token:tok_\w+\/cs {2}correlation \S+ {2}hash [0-9a-f]{12}$/m);
    const unit = await cli(['history', 'c1-u1', '--json'], { LEDGER_DATA: dir });
    expect(JSON.parse(unit.stdout)[0]).toMatchObject({
      type: 'UnitEnteredCustody',
      streamName: 'rma-unit-c1-u1',
    });
    const early = await cli(['history', 'c1', '--as-of', '2000-01-01T00:00:00Z'], { LEDGER_DATA: dir });
    expect(early.code).toBe(EXIT.failure);
  });

  it('exits 1 for an unknown id and 2 for a bad --as-of', async () => {
    expect((await cli(['history', 'nope'])).code).toBe(EXIT.failure);
    expect((await cli(['history', 'c1', '--as-of', 'yesterday'])).code).toBe(EXIT.usage);
    expect((await cli(['history'])).code).toBe(EXIT.usage);
  });

  it('erases a customer, and says so when it was already erased', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    await seedCase(dir);
    const first = await cli(['erase-customer', 'cust-1', '--reason', 'request'], { LEDGER_DATA: dir });
    expect(first).toMatchObject({ code: EXIT.ok, stdout: 'erased the personal data of customer cust-1' });
    const again = await cli(['erase-customer', 'cust-1'], { LEDGER_DATA: dir });
    expect(again).toMatchObject({ code: EXIT.ok, stdout: 'customer cust-1 was already erased' });
    const fx = await openFixture(dir);
    expect((await call(fx, 'cs', 'GET', '/cases/c1')).json().customer.personalData).toEqual({
      status: 'erased',
    });
    await fx.close();
  });
});

describe('ledger report and rebuild', () => {
  it('prints a report as JSON or CSV, and rebuilds the read model', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const fx = await openFixture(dir);
    await seedCatalogue(fx);
    await expectOk(() => call(fx, 'cs', 'POST', '/cases', caseBody()), 201);
    await expectOk(() => call(fx, 'cs', 'POST', '/cases/c1/approve', {}));
    await expectOk(() => call(fx, 'warehouse', 'POST', '/cases/c1/receive', {}), 201);
    await fx.close();

    const json = await cli(['report', 'rma-aging', '--as-of', '2030-01-01T00:00:00Z'], { LEDGER_DATA: dir });
    expect(json.code).toBe(EXIT.ok);
    expect(JSON.parse(json.stdout)).toMatchObject({ asOf: '2030-01-01T00:00:00.000Z' });
    expect(json.stdout).toContain('pm-li');
    const csv = await cli(
      [
        'report',
        'vendor-scorecard',
        '--from',
        '2026-01-01T00:00:00Z',
        '--to',
        '2031-01-01T00:00:00Z',
        '--csv',
      ],
      { LEDGER_DATA: dir },
    );
    expect(csv.stdout).toMatch(/^vendor_id,/);

    const rebuilt = await cli(['rebuild'], { LEDGER_DATA: dir });
    expect(rebuilt).toMatchObject({
      code: EXIT.ok,
      stdout: "rebuilt the read model 'reports'\nrebuilt the read model 'case-list'",
    });
    expect(
      (await cli(['report', 'rma-aging', '--as-of', '2030-01-01T00:00:00Z'], { LEDGER_DATA: dir })).stdout,
    ).toBe(json.stdout);
  });

  it('refuses an unknown report or bad options with a usage error', async () => {
    expect((await cli(['report', 'profit'])).code).toBe(EXIT.usage);
    const res = await cli(['report', 'pm-bad-debt', '--from', '2026-01-01T00:00:00Z']);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stderr).toContain('--to');
  });
});

describe('ledger demo', () => {
  it('writes a business into an empty store, prints a token per role, and refuses a second run', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const res = await cli(['demo', '--preset', 'tiny', '--seed', '7'], { LEDGER_DATA: dir });
    expect(res.code).toBe(EXIT.ok);
    expect(res.stdout).toMatch(/^wrote [\d,]+ events: \d+ cases/);
    expect(res.stderr).toMatch(/\[#{30}\] 100%/);
    const tokens = [...res.stdout.matchAll(/^ {2}(\w+) +(ldg_\S+)$/gm)].map((m) => m[1]);
    expect(tokens).toEqual(['cs', 'warehouse', 'pm', 'finance', 'auditor', 'admin']);
    expect((await cli(['verify', '--json'], { LEDGER_DATA: dir })).code).toBe(EXIT.ok);

    expect((await cli(['demo', '--preset', 'tiny'], { LEDGER_DATA: dir })).code).toBe(EXIT.failure);
    const skipped = await cli(['demo', '--preset', 'tiny', '--if-empty'], { LEDGER_DATA: dir });
    expect(skipped.code).toBe(EXIT.ok);
    expect(skipped.stdout).toMatch(/^demo skipped/);
  });

  it('refuses an unknown preset', async () => {
    expect((await cli(['demo', '--preset', 'huge'])).code).toBe(EXIT.usage);
  });
});

async function seedTinyDemo(dir: string): Promise<void> {
  expect((await cli(['demo', '--preset', 'tiny'], { LEDGER_DATA: dir })).code).toBe(EXIT.ok);
}
