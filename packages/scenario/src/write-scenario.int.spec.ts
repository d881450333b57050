import { Ledger, PersonalDataVault, SqliteKeyStore } from '@rma-ledger/application';
import type { RecordedEvent } from '@rma-ledger/event-store';
import { openSqliteEventStore, type SqliteEventStore } from '@rma-ledger/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScenarioProgress } from './scenario.js';
import { writeScenario } from './write-scenario.js';

describe('writeScenario into SQLite', () => {
  let store: SqliteEventStore;
  let keys: SqliteKeyStore;
  let vault: PersonalDataVault;

  beforeEach(() => {
    store = openSqliteEventStore({ path: ':memory:' });
    keys = new SqliteKeyStore({ path: ':memory:' });
    vault = new PersonalDataVault(keys);
  });

  afterEach(async () => {
    await store.close();
    await keys.close();
  });

  async function all(s: SqliteEventStore): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const event of s.readAll()) events.push(event);
    return events;
  }

  it('appends the whole business with exact revisions, and the hash chains verify', async () => {
    const progress: ScenarioProgress[] = [];
    const summary = await writeScenario(
      store,
      { preset: 'tiny', seed: 11 },
      { personalData: vault, onProgress: (p) => progress.push(p), progressEvery: 100 },
    );
    const events = await all(store);
    expect(events).toHaveLength(summary.events);
    const report = await store.verify();
    expect(report).toMatchObject({ ok: true, events: summary.events });
    expect(progress.length).toBeGreaterThanOrEqual(Math.floor(summary.events / 100));
    expect(progress.map((p) => p.events)).toEqual([...progress.map((p) => p.events)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ events: summary.events, fraction: 1 });
    expect(progress.map((p) => p.businessDay).at(-1)).toBe(summary.period.to);
  });

  it('leaves cases the application reads back, with personal data sealed by the vault', async () => {
    const summary = await writeScenario(store, { preset: 'tiny', seed: 12 }, { personalData: vault });
    const ledger = new Ledger({ store, keys });
    const lagging = await ledger.cases.get(summary.highlights.laggingCaseId ?? '');
    expect(lagging.customer?.personalData).toMatchObject({
      status: 'available',
      data: { name: expect.any(String) },
    });
    expect(lagging.state.status).toBe('closed');
    const unit = await ledger.units.get(summary.highlights.writtenOffUnitId ?? '');
    expect(unit.state.disposition).toBe('written-off');
    const erasures = (await all(store)).filter((e) => e.type === 'PersonalDataErased');
    expect(erasures.length).toBeGreaterThan(0);
    const erasedId = (erasures[0]!.data as { customerId: string }).customerId;
    expect(await keys.isDestroyed(erasedId)).toBe(true);
  });

  it('writes the same events for the same seed, but for the random IVs of sealed personal data', async () => {
    const other = openSqliteEventStore({ path: ':memory:' });
    const otherKeys = new SqliteKeyStore({ path: ':memory:' });
    try {
      await writeScenario(store, { preset: 'tiny', seed: 13 }, { personalData: vault });
      await writeScenario(
        other,
        { preset: 'tiny', seed: 13 },
        { personalData: new PersonalDataVault(otherKeys) },
      );
      const comparable = (events: RecordedEvent[]) =>
        events.map(({ streamName, eventId, type, revision, data, metadata }) => ({
          streamName,
          eventId,
          type,
          revision,
          data: type === 'CaseOpened' ? { ...(data as object), customer: null } : data,
          correlationId: metadata.correlationId,
          causationId: metadata.causationId,
        }));
      expect(comparable(await all(other))).toEqual(comparable(await all(store)));
    } finally {
      await other.close();
      await otherKeys.close();
    }
  });

  it('refuses to write a second business over the first', async () => {
    await writeScenario(store, { preset: 'tiny', seed: 14, targetEvents: 50 }, { personalData: vault });
    await expect(
      writeScenario(store, { preset: 'tiny', seed: 14, targetEvents: 50 }, { personalData: vault }),
    ).rejects.toMatchObject({ code: 'LDG_STORE_WRONG_EXPECTED_REVISION' });
  });
});
