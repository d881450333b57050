import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, openFixture, removeDir } from './test-support/fixture.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await openFixture();
});
afterEach(async () => {
  await fx.close();
  removeDir(fx.dir);
});

describe('health and readiness', () => {
  it('answers /health without a token', async () => {
    const res = await fx.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('reports the store reachable on /ready', async () => {
    const res = await fx.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready', store: { reachable: true }, head: null });
  });
});

describe('unknown routes', () => {
  it('answers problem+json 404', async () => {
    const res = await fx.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, code: 'LDG_HTTP_ROUTE_NOT_FOUND' });
  });
});

describe('openapi', () => {
  it('serves the document', async () => {
    const res = await fx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().openapi).toBe('3.1.0');
  });
  it('serves the UI', async () => {
    const res = await fx.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
  });
});
