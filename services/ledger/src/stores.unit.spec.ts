import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { openEventStore } from './stores.js';

const eventStoreDb = (url: string) =>
  loadConfig({ LEDGER_STORE: 'eventstoredb', LEDGER_EVENTSTOREDB_URL: url }, '/srv');

describe('openEventStore with eventstoredb', () => {
  // Opening does no I/O: these only run the client's own connection-string parser.
  it.each(['kurrentdb://localhost:2113?tls=false', 'kdb+discover://cluster.example:2113', 'esdb://a:1,b:2'])(
    'accepts %s once the configuration has read it',
    async (url) => {
      const store = await openEventStore(eventStoreDb(url));
      await store.close();
    },
  );

  it('names the setting when the client refuses the rest of the string', async () => {
    const opening = openEventStore(eventStoreDb('esdb://localhost:2113?tls=maybe'));
    await expect(opening).rejects.toBeInstanceOf(ConfigError);
    await expect(opening).rejects.toThrow(/LEDGER_EVENTSTOREDB_URL: .*expected true or false/);
  });
});
