import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, openFixture, removeDir } from './test-support/fixture.js';

let fx: Fixture | undefined;
afterEach(async () => {
  if (fx !== undefined) removeDir(fx.dir);
});

describe('graceful shutdown', () => {
  it('finishes a request in flight, then refuses new connections', async () => {
    fx = await openFixture();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    fx.app.get('/probe/slow', { config: { auth: 'public' } }, async () => {
      entered();
      await gate;
      return { done: true };
    });
    const url = await fx.app.listen({ port: 0, host: '127.0.0.1' });

    const inFlight = fetch(`${url}/probe/slow`);
    await inHandler;
    const closed = fx.close();
    release();

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await closed;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});

describe('readiness with projections', () => {
  it('reports each projection’s lag and answers 503 when one trails beyond the bound', async () => {
    const lags = [
      { name: 'cases', status: 'live', eventsBehind: 3, secondsBehind: 0.5 },
      { name: 'reports', status: 'catching-up', eventsBehind: 50, secondsBehind: 12 },
    ];
    fx = await openFixture(undefined, {
      projections: { lag: async () => lags },
      limits: { readyMaxLag: 10 },
    });
    const res = await fx.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      status: 'not-ready',
      maxLag: 10,
      projections: [
        { name: 'cases', eventsBehind: 3, withinBound: true },
        { name: 'reports', eventsBehind: 50, withinBound: false },
      ],
    });
    await fx.close();
  });

  it('answers 503 when the store is closed', async () => {
    fx = await openFixture();
    await fx.store.close();
    const res = await fx.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().store.reachable).toBe(false);
    await fx.close();
  });
});
