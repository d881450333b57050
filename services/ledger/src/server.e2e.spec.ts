import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from './auth/roles.js';
import { TokenStore } from './auth/token-store.js';
import { loadConfig } from './config.js';
import { type RunningServer, startServer } from './server.js';
import { openServiceDb } from './service-db.js';
import { removeDir, tempDataDir } from './test-support/fixture.js';
import { CNY, caseBody, policyBody, skuBody, vendorBody } from './test-support/http.js';

const dir = tempDataDir();
const config = loadConfig({ LEDGER_DATA: dir, LEDGER_PORT: '0', LEDGER_LOG_LEVEL: 'silent' });
let server: RunningServer;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  const db = openServiceDb(dir);
  const store = new TokenStore(db);
  for (const role of ['cs', 'warehouse', 'pm', 'finance', 'auditor', 'admin'] as Role[]) {
    tokens[role] = store.create(role).token;
  }
  db.close();
  server = await startServer(config);
});

afterAll(async () => {
  await server.close();
  removeDir(dir);
});

async function send(
  role: Role | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(role === null ? {} : { authorization: `Bearer ${tokens[role]}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

async function ok(role: Role, method: string, path: string, body?: unknown, status = 200) {
  const res = await send(role, method, path, body);
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.json();
}

describe('the service over real HTTP', () => {
  it('listens on a free port and answers /health, /ready and the docs', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await send(null, 'GET', '/health')).status).toBe(200);
    expect((await send(null, 'GET', '/ready')).json()).toMatchObject({ status: 'ready' });
    expect((await send(null, 'GET', '/openapi.json')).status).toBe(200);
    const docs = await send(null, 'GET', '/docs/');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('drives a case through the customer cycle and its unit through the vendor-return cycle', async () => {
    await ok('admin', 'PUT', '/vendors/v1', vendorBody);
    await ok('admin', 'PUT', '/skus/sku-1', skuBody);
    await ok('admin', 'PUT', '/policies/tmall', policyBody);

    const opened = await ok('cs', 'POST', '/cases', caseBody({ caseId: 'e2e-1' }), 201);
    expect(opened.caseId).toBe('e2e-1');
    await ok('cs', 'POST', '/cases/e2e-1/approve', {});
    const { unitId } = await ok('warehouse', 'POST', '/cases/e2e-1/receive', { location: 'dock' }, 201);
    await ok('warehouse', 'POST', '/cases/e2e-1/inspect', { grade: 'repairable' });
    await ok('warehouse', 'POST', `/rma-units/${unitId}/dispatch`, { vendorRef: 'V-1' });
    await ok('pm', 'POST', `/rma-units/${unitId}/dun`, { note: 'status?' });
    await ok('warehouse', 'POST', `/rma-units/${unitId}/vendor-return`, { outcome: 'repaired' });
    await ok('warehouse', 'POST', `/rma-units/${unitId}/retest`, { passed: true });
    await ok('warehouse', 'POST', `/rma-units/${unitId}/return-to-customer`);
    await ok('warehouse', 'POST', '/cases/e2e-1/ship', { kind: 'repaired', trackingNo: 'SF-9' });
    await ok('cs', 'POST', '/cases/e2e-1/compensate', { amount: CNY(1000), reason: 'slow repair' });
    await ok('cs', 'POST', '/cases/e2e-1/close', {});

    expect((await ok('auditor', 'GET', '/cases/e2e-1')).status).toBe('closed');
    expect((await ok('auditor', 'GET', `/rma-units/${unitId}`)).disposition).toBe('returned-to-customer');
    const history = await ok('auditor', 'GET', `/rma-units/${unitId}/history`);
    expect(history.events[0].metadata.actor).toBe('system:process-manager');
    expect(await ok('auditor', 'GET', '/audit/verify')).toMatchObject({ ok: true });

    const from = encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString());
    const to = encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString());
    const scorecard = await send('pm', 'GET', `/reports/vendor-scorecard?from=${from}&to=${to}`, undefined, {
      accept: 'text/csv',
    });
    expect(scorecard.status).toBe(200);
    expect(scorecard.text.split('\n')[1]).toMatch(/^v1,1,1,/);
  });

  it('recognises an idempotent retry after the server restarts on the same data directory', async () => {
    const headers = { 'idempotency-key': 'e2e-open-2' };
    const body = caseBody({ caseId: 'e2e-2' });
    const first = await send('cs', 'POST', '/cases', body, headers);
    expect(first.status).toBe(201);

    await server.close();
    server = await startServer(config);

    const head = (await ok('auditor', 'GET', '/ready')).head;
    const retry = await send('cs', 'POST', '/cases', body, headers);
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await ok('auditor', 'GET', '/ready')).head).toBe(head);
  });
});
