import { PROCESS_MANAGER_ACTOR } from '@rma-ledger/application';
import {
  caseDecider,
  currentSchemaVersion,
  customerDecider,
  type DomainEventType,
  EVENT_CATALOGUE,
  parseEvent,
  policyDecider,
  reconciliationDecider,
  rmaUnitDecider,
  type StreamCategory,
  salesDecider,
  skuDecider,
  streamCategory,
  vendorDecider,
} from '@rma-ledger/domain';
import { describe, expect, it } from 'vitest';
import { SCENARIO_ACTOR } from './business.js';
import { resolveScenarioOptions, sizedScenario } from './options.js';
import { generateScenario, type ScenarioRun } from './scenario.js';
import type { ScenarioAppend } from './stream-book.js';
import { fakeSealer } from './test-support/fake-sealer.js';

/**
 * Every event type a realistic business produces by itself. The after-sales flags are left out:
 * the SKU flag reactor (projections) records them from the after-sales ratio, not the business.
 */
const BUSINESS_EVENT_TYPES = [
  'VendorRegistered',
  'VendorAgreementChanged',
  'VendorRenamed',
  'ChannelPolicySet',
  'SkuRegistered',
  'SkuReassigned',
  'SkuDetailsChanged',
  'SalesRecorded',
  'CaseOpened',
  'CaseApproved',
  'CaseRejected',
  'CustomerPromiseSet',
  'ItemReceived',
  'ItemInspected',
  'RefundRequested',
  'RefundApproved',
  'RefundRejected',
  'RefundPaid',
  'ShippedToCustomer',
  'CompensationPaid',
  'CaseClosed',
  'UnitEnteredCustody',
  'UnitGraded',
  'UnitDispatchedToVendor',
  'VendorDunned',
  'VendorReturnedRepaired',
  'VendorSentReplacement',
  'VendorIssuedCredit',
  'VendorRejectedClaim',
  'RetestPassed',
  'RetestFailed',
  'UnitRestocked',
  'UnitReturnedToCustomer',
  'UnitLiquidated',
  'UnitWrittenOff',
  'PersonalDataErased',
] as const satisfies readonly DomainEventType[];
const LEFT_TO_REACTORS: readonly DomainEventType[] = ['SkuAfterSalesFlagRaised', 'SkuAfterSalesFlagCleared'];
/** Finance's reconciliation runs record a report file, not business activity. */
const FROM_RECONCILIATION: readonly DomainEventType[] = [
  'ReconciliationRunRecorded',
  'ReconciliationRowsRecorded',
];

async function collect(run: ScenarioRun): Promise<ScenarioAppend[]> {
  const appends: ScenarioAppend[] = [];
  for await (const append of run) appends.push(append);
  return appends;
}

const tiny = (seed: number) => collect(generateScenario({ preset: 'tiny', seed }, fakeSealer()));

const DECIDERS: Record<
  StreamCategory,
  { initialState: unknown; evolve(state: never, event: never): unknown }
> = {
  case: caseDecider,
  'rma-unit': rmaUnitDecider,
  vendor: vendorDecider,
  sku: skuDecider,
  policy: policyDecider,
  sales: salesDecider,
  customer: customerDecider,
  reconciliation: reconciliationDecider,
};

describe('the scenario generator', () => {
  it('gives byte-identical appends for the same seed', async () => {
    const [first, second] = await Promise.all([tiny(42), tiny(42)]);
    expect(first.length).toBeGreaterThan(100);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('gives a different business for another seed', async () => {
    const [first, other] = await Promise.all([tiny(42), tiny(43)]);
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(first));
    expect(other[0]?.events[0]?.eventId).not.toBe(first[0]?.events[0]?.eventId);
  });

  it('writes only events that parse with their type and current schema version', async () => {
    const appends = await tiny(1);
    for (const append of appends) {
      for (const event of append.events) {
        expect(event.metadata.schemaVersion).toBe(currentSchemaVersion(event.type));
        expect(() => parseEvent(event.type, event.metadata.schemaVersion, event.data)).not.toThrow();
      }
    }
  });

  it('gives every append the exact revision of its stream, and business time never runs backwards', async () => {
    const appends = await tiny(2);
    const revisions = new Map<string, number>();
    const lastAt = new Map<string, string>();
    let globalAt = '';
    for (const append of appends) {
      const revision = revisions.get(append.streamName);
      expect(append.expectedRevision).toBe(revision ?? 'no_stream');
      revisions.set(append.streamName, (revision ?? -1) + append.events.length);
      for (const event of append.events) {
        const at = (event.data as { occurredAt: string }).occurredAt;
        expect(at >= (lastAt.get(append.streamName) ?? '')).toBe(true);
        expect(at >= globalAt).toBe(true);
        lastAt.set(append.streamName, at);
        globalAt = at;
      }
    }
  });

  it('replays every stream through its decider to a state the business left it in', async () => {
    const appends = await tiny(3);
    const states = new Map<string, unknown>();
    for (const append of appends) {
      const category = streamCategory(append.streamName);
      expect(category).not.toBeNull();
      const decider = DECIDERS[category as StreamCategory];
      let state = states.get(append.streamName) ?? decider.initialState;
      for (const event of append.events) {
        const parsed = parseEvent(event.type, event.metadata.schemaVersion, event.data);
        state = decider.evolve(state as never, parsed as never);
      }
      states.set(append.streamName, state);
    }
    for (const [streamName, state] of states) {
      if (streamName.startsWith('case-')) expect((state as { status: string }).status).not.toBe('none');
      if (streamName.startsWith('rma-unit-')) expect((state as { custody: string }).custody).not.toBe('none');
    }
  });

  it('contains every event type a business produces, even in the tiny preset', async () => {
    for (const seed of [1, 2, 3]) {
      const types = new Set((await tiny(seed)).flatMap((a) => a.events.map((e) => e.type)));
      expect([...BUSINESS_EVENT_TYPES].filter((type) => !types.has(type))).toEqual([]);
    }
    expect([...BUSINESS_EVENT_TYPES, ...LEFT_TO_REACTORS, ...FROM_RECONCILIATION].sort()).toEqual(
      Object.keys(EVENT_CATALOGUE).sort(),
    );
  });

  it('has the process manager put each received unit into custody and grade it, caused by the case event', async () => {
    const appends = await tiny(4);
    const byEventId = new Map(
      appends.flatMap((a) => a.events.map((e) => [e.eventId, { append: a, event: e }])),
    );
    const reactions = appends.filter((a) => a.events[0]?.metadata.actor === PROCESS_MANAGER_ACTOR);
    expect(reactions.length).toBeGreaterThan(0);
    for (const reaction of reactions) {
      const event = reaction.events[0]!;
      const trigger = byEventId.get(event.metadata.causationId ?? '');
      expect(trigger).toBeDefined();
      const triggerData = trigger!.event.data as { unitId: string };
      expect(reaction.streamName).toBe(`rma-unit-${triggerData.unitId}`);
      expect(event.metadata.correlationId).toBe(trigger!.event.metadata.correlationId);
      expect([trigger!.event.type, event.type]).toSatisfy(
        ([t, r]: string[]) =>
          (t === 'ItemReceived' && r === 'UnitEnteredCustody') ||
          (t === 'ItemInspected' && r === 'UnitGraded'),
      );
    }
    const receipts = appends.flatMap((a) => a.events).filter((e) => e.type === 'ItemReceived');
    expect(reactions.filter((r) => r.events[0]?.type === 'UnitEnteredCustody')).toHaveLength(receipts.length);
    for (const append of appends) {
      if (append.events[0]?.metadata.actor !== PROCESS_MANAGER_ACTOR) {
        expect(append.events.every((e) => e.metadata.actor === SCENARIO_ACTOR)).toBe(true);
      }
    }
  });

  it('attributes cases, units and write-offs to the PM in force, across a reassignment and two currencies', async () => {
    const events = (await tiny(5)).flatMap((a) =>
      a.events.map((e) => parseEvent(e.type, e.metadata.schemaVersion, e.data)),
    );
    const pmOfSku = new Map<string, string>();
    const casePm = new Map<string, string>();
    const unitSku = new Map<string, string>();
    const checked = { casesAfterReassignment: 0, writeOffs: 0 };
    const currencies = new Set<string>();
    let reassignedSku: string | null = null;
    for (const event of events) {
      switch (event.type) {
        case 'SkuRegistered':
          pmOfSku.set(event.data.sku, event.data.pmId);
          break;
        case 'SkuReassigned':
          expect(event.data.previousPmId).toBe(pmOfSku.get(event.data.sku));
          pmOfSku.set(event.data.sku, event.data.pmId);
          reassignedSku = event.data.sku;
          break;
        case 'CaseOpened':
          expect(event.data.pmId).toBe(pmOfSku.get(event.data.sku));
          casePm.set(event.data.caseId, event.data.pmId);
          currencies.add(event.data.unitPrice.currency);
          if (event.data.sku === reassignedSku) checked.casesAfterReassignment++;
          break;
        case 'UnitEnteredCustody':
          expect(event.data.pmId).toBe(casePm.get(event.data.caseId));
          unitSku.set(event.data.unitId, event.data.sku);
          break;
        default:
      }
    }
    // Write-offs are charged to the SKU's PM at the time of the write-off.
    const writeOffPms = new Map<string, string>();
    let unitId: string | null = null;
    for (const append of await tiny(5)) {
      unitId = append.streamName.startsWith('rma-unit-') ? append.streamName.slice('rma-unit-'.length) : null;
      for (const raw of append.events) {
        const event = parseEvent(raw.type, raw.metadata.schemaVersion, raw.data);
        if (event.type === 'SkuRegistered' || event.type === 'SkuReassigned') {
          writeOffPms.set(event.data.sku, event.data.pmId);
        }
        if (event.type === 'UnitWrittenOff' && unitId) {
          expect(event.data.chargedToPmId).toBe(writeOffPms.get(unitSku.get(unitId) ?? ''));
          checked.writeOffs++;
        }
      }
    }
    expect(reassignedSku).not.toBeNull();
    expect(checked.casesAfterReassignment).toBeGreaterThan(0);
    expect(checked.writeOffs).toBeGreaterThan(0);
    expect(currencies.size).toBeGreaterThan(1);
  });

  it('summarises what it generated and points at cases and units worth a look', async () => {
    const run = generateScenario({ preset: 'tiny', seed: 2 }, fakeSealer());
    const appends = await collect(run);
    const summary = run.summary();
    expect(summary.events).toBe(appends.reduce((n, a) => n + a.events.length, 0));
    expect(Object.values(summary.eventCounts).reduce((n, c) => n + c, 0)).toBe(summary.events);
    expect(summary.vendors).toHaveLength(3);
    expect(summary.pms).toHaveLength(2);
    expect(summary.skus).toHaveLength(5);
    const streams = new Set(appends.map((a) => a.streamName));
    const { highlights } = summary;
    for (const caseId of [
      highlights.laggingCaseId,
      highlights.negativeHeadroomCaseId,
      highlights.refundBeforeReturnCaseId,
    ]) {
      expect(streams.has(`case-${caseId}`)).toBe(true);
    }
    for (const unitId of [
      highlights.overdueUnitId,
      highlights.writtenOffUnitId,
      highlights.liquidatedUnitId,
      highlights.retestFailedUnitId,
    ]) {
      expect(streams.has(`rma-unit-${unitId}`)).toBe(true);
    }
    const unitEvents = (unitId: string | null) =>
      appends
        .filter((a) => a.streamName === `rma-unit-${unitId}`)
        .flatMap((a) => a.events.map((e) => e.type));
    expect(unitEvents(highlights.writtenOffUnitId)).toContain('UnitWrittenOff');
    expect(unitEvents(highlights.overdueUnitId).at(-1)).toMatch(/UnitDispatchedToVendor|VendorDunned/);
  });

  it('stops at the target event count', async () => {
    const appends = await collect(
      generateScenario({ preset: 'tiny', seed: 1, targetEvents: 200 }, fakeSealer()),
    );
    const events = appends.reduce((n, a) => n + a.events.length, 0);
    expect(events).toBeGreaterThanOrEqual(200);
    expect(events).toBeLessThan(210);
  });

  it('resolves presets and refuses impossible options', () => {
    expect(resolveScenarioOptions({ preset: 'bench-1m' }).targetEvents).toBe(1_000_000);
    expect(resolveScenarioOptions({ preset: 'demo', seed: 9, skus: 12 })).toMatchObject({
      seed: 9,
      skus: 12,
      months: 12,
    });
    expect(sizedScenario(3_100_000)).toMatchObject({ skus: 1_000, targetEvents: 3_100_000 });
    expect(() => resolveScenarioOptions({ skus: 0 })).toThrow(/skus/);
    expect(() => resolveScenarioOptions({ startDate: '2026-13-45' })).toThrow(/startDate/);
    expect(() => resolveScenarioOptions({ afterSalesRate: 1.5 })).toThrow(/afterSalesRate/);
  });
});
