import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFixture, removeDir, tempDataDir } from '../test-support/fixture.js';
import { seedCatalogue } from '../test-support/http.js';
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

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

async function catalogueWithFiles(): Promise<string> {
  const dir = tempDataDir();
  dirs.push(dir);
  const fx = await openFixture(dir);
  await seedCatalogue(fx);
  await fx.close();
  writeFileSync(
    join(dir, 'mapping.json'),
    JSON.stringify({
      version: 1,
      currency: 'CNY',
      dates: { format: 'YYYY-MM-DD HH:mm', timeZone: 'UTC' },
      sales: { fields: { sku: 'sku', quantity: 'qty', soldAt: 'sold' } },
    }),
  );
  writeFileSync(
    join(dir, 'good.csv'),
    ['sku,qty,sold', `sku-1,3,${day(3)} 09:00`, `sku-1,2,${day(2)} 10:00`].join('\n'),
  );
  writeFileSync(
    join(dir, 'mixed.csv'),
    ['sku,qty,sold', `sku-1,1,${day(1)} 09:00`, `ghost,1,${day(1)} 10:00`].join('\n'),
  );
  return dir;
}

describe('ledger import', () => {
  it('imports sales with a progress line, and a second run writes nothing', async () => {
    const dir = await catalogueWithFiles();
    const dry = await cli(['import', 'sales', 'good.csv', '--mapping', 'mapping.json', '--dry-run'], dir);
    expect(dry).toMatchObject({ code: EXIT.ok });
    expect(dry.stdout).toMatch(/^dry run \(nothing written\): 2 sales rows: 2 imported/);

    const first = await cli(['import', 'sales', 'good.csv', '--mapping', 'mapping.json'], dir);
    expect(first.code).toBe(EXIT.ok);
    expect(first.stderr).toContain('sales: 2 rows read, 2 imported, 0 refused…');
    expect(first.stdout).toContain('2 sales rows: 2 imported (2 written, 0 already there), 0 refused');

    const again = await cli(['import', 'sales', 'good.csv', '--mapping', 'mapping.json', '--json'], dir);
    expect(JSON.parse(again.stdout)).toMatchObject({ written: 0, unchanged: 2 });
  });

  it('exits 1 listing each refused row; 2 for a missing file or mapping', async () => {
    const dir = await catalogueWithFiles();
    const mixed = await cli(['import', 'sales', 'mixed.csv', '--mapping', 'mapping.json'], dir);
    expect(mixed.code).toBe(EXIT.failure);
    expect(mixed.stdout).toMatch(/row 3 \(sku\): LDG_SKU_NOT_FOUND/);

    expect((await cli(['import', 'sales', 'nope.csv', '--mapping', 'mapping.json'], dir)).code).toBe(
      EXIT.usage,
    );
    expect((await cli(['import', 'sales', 'good.csv'], dir)).code).toBe(EXIT.usage);
    expect((await cli(['import', 'refunds', 'good.csv', '--mapping', 'mapping.json'], dir)).code).toBe(
      EXIT.usage,
    );
    writeFileSync(join(dir, 'bad-mapping.json'), JSON.stringify({ version: 1, sales: { fields: {} } }));
    const bad = await cli(['import', 'sales', 'good.csv', '--mapping', 'bad-mapping.json'], dir);
    expect(bad.code).toBe(EXIT.failure);
    expect(bad.stderr).toContain('LDG_IMPORT_MAPPING_INVALID');
  });

  it('registers unknown SKUs to a vendor and PM when asked, instead of refusing their rows', async () => {
    const dir = await catalogueWithFiles();
    const registered = await cli(
      ['import', 'sales', 'mixed.csv', '--mapping', 'mapping.json', '--register-unknown-skus', 'v1:pm-new'],
      dir,
    );
    expect(registered.code).toBe(EXIT.ok);
    expect(registered.stdout).toContain('2 sales rows: 2 imported');
    expect(registered.stdout).toContain('SKUs registered: 1');

    const malformed = ['import', 'sales', 'mixed.csv', '--mapping', 'mapping.json'];
    expect((await cli([...malformed, '--register-unknown-skus', 'v1'], dir)).code).toBe(EXIT.usage);
    expect((await cli([...malformed, '--register-unknown-skus', 'nobody:pm'], dir)).code).toBe(EXIT.failure);
  });
});
