import { describe, expect, it } from 'vitest';
import { openRuntime } from './runtime.js';
import { removeDir, tempDataDir } from './test-support/fixture.js';

describe('openRuntime with LEDGER_STORE=eventstoredb', () => {
  it('opens against an unreachable cluster, whose ping then fails (so /ready says not ready)', async () => {
    const dir = tempDataDir();
    const runtime = await openRuntime({
      store: 'eventstoredb',
      data: dir,
      eventStoreDbUrl: 'esdb://127.0.0.1:1?tls=false',
    });
    try {
      await expect(runtime.store.ping()).rejects.toThrow();
    } finally {
      await runtime.close();
      removeDir(dir);
    }
  });
});
