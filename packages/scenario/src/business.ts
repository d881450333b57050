import { PROCESS_MANAGER_ACTOR } from '@rma-ledger/application';
import {
  type ApprovalContext,
  type CaseCommand,
  type CaseEvent,
  caseDecider,
  caseStream,
  DAY_MS,
  type Decider,
  type PersonalData,
  type PolicyTerms,
  policyDecider,
  policyStream,
  type RmaUnitCommand,
  type RmaUnitEvent,
  rmaUnitDecider,
  rmaUnitStream,
  type SealedPersonalData,
  type SkuDetails,
  skuDecider,
  skuStream,
  vendorDecider,
  vendorStream,
} from '@rma-ledger/domain';
import { Agenda, type Step } from './agenda.js';
import type { Cast, VendorProfile } from './cast.js';
import { CustomerPool } from './customers.js';
import { IdSource } from './ids.js';
import type { ScenarioOptions } from './options.js';
import type { Random } from './random.js';
import { type AppendMetadata, type DomainEventLike, type ScenarioAppend, StreamBook } from './stream-book.js';

/** The actor on every event the scenario writes itself (reactions carry the process manager's). */
export const SCENARIO_ACTOR = 'system:scenario';

/**
 * Seals a customer's personal data; `PersonalDataVault` is one. With `erase`, a few customers ask
 * for erasure and the scenario records it (the key is destroyed through it).
 */
export interface PersonalDataSealer {
  seal(customerId: string, data: PersonalData): Promise<SealedPersonalData>;
  erase?(customerId: string): Promise<void>;
}

/** Pointers into the generated business worth showing a newcomer. */
export interface ScenarioHighlights {
  /** A repair case whose vendor cycle ran past the customer promise (compensated). */
  laggingCaseId: string | null;
  /** A repair case promised in fewer days than its vendor's turnaround plus handling. */
  negativeHeadroomCaseId: string | null;
  /** A case refunded before its item came back. */
  refundBeforeReturnCaseId: string | null;
  /** A unit still at its vendor past the due date when the scenario ends. */
  overdueUnitId: string | null;
  /** A unit written off because its vendor never sent it back. */
  writtenOffUnitId: string | null;
  liquidatedUnitId: string | null;
  /** A unit that failed its retest and went back to the vendor. */
  retestFailedUnitId: string | null;
  /** A SKU moved to another PM midway. */
  reassignedSku: string | null;
}

/**
 * The running business: business time, the agenda of pending steps, every live stream's state, and
 * the appends produced since they were last drained. Steps call `runCase` / `runUnit` / `run`, which
 * decide through the real deciders with the context the application layer would pass.
 */
export class Business {
  readonly random: Random;
  readonly ids: IdSource;
  readonly book: StreamBook;
  readonly agenda = new Agenda();
  readonly customers = new CustomerPool();
  readonly startMs: number;
  readonly endMs: number;
  readonly eventCounts = new Map<string, number>();
  readonly highlights: ScenarioHighlights = {
    laggingCaseId: null,
    negativeHeadroomCaseId: null,
    refundBeforeReturnCaseId: null,
    overdueUnitId: null,
    writtenOffUnitId: null,
    liquidatedUnitId: null,
    retestFailedUnitId: null,
    reassignedSku: null,
  };
  /** Units at a vendor now, with their due time (for the overdue highlight). */
  readonly atVendor = new Map<string, number>();
  /** The vendor that is slow, late and sometimes silent (see `castBusiness`). */
  readonly troublesomeVendorId: string | null;
  now: number;
  events = 0;
  appends = 0;
  cases = 0;
  units = 0;
  private pending: ScenarioAppend[] = [];
  private readonly happened = new Set<string>();
  private readonly vendorProfiles: Map<string, VendorProfile>;

  constructor(
    readonly options: ScenarioOptions,
    readonly cast: Cast,
    readonly personalData: PersonalDataSealer,
    random: Random,
  ) {
    this.random = random;
    this.ids = new IdSource(options.seed);
    this.book = new StreamBook(() => this.ids.next());
    this.startMs = Date.parse(`${options.startDate}T00:00:00.000Z`);
    const end = new Date(this.startMs);
    end.setUTCMonth(end.getUTCMonth() + options.months);
    this.endMs = end.getTime();
    this.now = this.startMs;
    this.vendorProfiles = new Map(cast.vendors.map((v) => [v.vendorId, v]));
    this.troublesomeVendorId = (cast.vendors[1] ?? cast.vendors[0])?.vendorId ?? null;
  }

  iso(ms: number = this.now): string {
    return new Date(ms).toISOString();
  }

  at(ms: number, step: Step): void {
    this.agenda.schedule(Math.max(ms, this.now), step);
  }

  /**
   * Schedules a step some days from now, moved into working hours (08:00–20:00 UTC) so that
   * warehouse and office work does not happen at night.
   */
  later(minDays: number, maxDays: number, step: Step): void {
    let at = this.now + this.random.between(minDays, maxDays) * DAY_MS;
    const timeOfDay = at % DAY_MS;
    const hour = timeOfDay / 3_600_000;
    if (hour < 8 || hour >= 20) {
      const dayStart = at - timeOfDay + (hour >= 20 ? DAY_MS : 0);
      at = dayStart + this.random.between(8, 12) * 3_600_000;
    }
    this.at(at, step);
  }

  /**
   * True the first time it is asked for a key. Rare turns of events (a claim rejected, a customer
   * erased, a vendor gone silent) happen at their first chance, so even a tiny run shows them all.
   */
  firstTime(key: string): boolean {
    if (this.happened.has(key)) return false;
    this.happened.add(key);
    return true;
  }

  drain(): ScenarioAppend[] {
    const drained = this.pending;
    this.pending = [];
    return drained;
  }

  newCorrelation(): string {
    return this.ids.next();
  }

  /** Runs a command on any stream as `system:scenario`; returns its events and their ids. */
  run<C, E extends DomainEventLike, S>(
    decider: Decider<C, E, S>,
    streamName: string,
    command: C,
    metadata: Partial<AppendMetadata> = {},
  ): { events: readonly E[]; eventIds: readonly string[]; correlationId: string } {
    const full: AppendMetadata = {
      actor: metadata.actor ?? SCENARIO_ACTOR,
      correlationId: metadata.correlationId ?? this.newCorrelation(),
      causationId: metadata.causationId ?? null,
    };
    const result = this.book.execute(decider, streamName, command, full);
    if (!result) return { events: [], eventIds: [], correlationId: full.correlationId };
    this.pending.push(result.append);
    this.appends++;
    for (const event of result.events) {
      this.events++;
      this.eventCounts.set(event.type, (this.eventCounts.get(event.type) ?? 0) + 1);
    }
    return {
      events: result.events,
      eventIds: result.append.events.map((e) => e.eventId as string),
      correlationId: full.correlationId,
    };
  }

  /**
   * A case command, followed by what the custody process manager does for its events:
   * `ItemReceived` puts the unit into custody, `ItemInspected` grades it (same correlation, caused
   * by the case event, written by the process manager).
   */
  runCase(command: CaseCommand): readonly CaseEvent[] {
    const streamName = caseStream(command.caseId);
    const { events, eventIds, correlationId } = this.run(caseDecider, streamName, command);
    events.forEach((event, index) => {
      const metadata = { actor: PROCESS_MANAGER_ACTOR, correlationId, causationId: eventIds[index] ?? null };
      if (event.type === 'ItemReceived') {
        const opened = this.book.state(caseDecider, streamName).opened;
        const sku = opened && this.skuDetails(opened.sku);
        if (!opened || !sku) throw new Error(`Receipt on ${streamName} without its case or SKU`);
        const { unitId, location, occurredAt } = event.data;
        this.runUnit(
          {
            type: 'EnterCustody',
            unitId,
            caseId: opened.caseId,
            sku: opened.sku,
            vendorId: opened.vendorId,
            pmId: opened.pmId,
            unitCost: sku.unitCost,
            ...(location === null ? {} : { location }),
            occurredAt,
          },
          metadata,
        );
        this.units++;
      } else if (event.type === 'ItemInspected') {
        const { unitId, grade, occurredAt } = event.data;
        this.runUnit({ type: 'RecordGrade', unitId, grade, occurredAt }, metadata);
      }
    });
    if (events.some((e) => e.type === 'CaseClosed')) this.book.forget(streamName);
    return events;
  }

  runUnit(command: RmaUnitCommand, metadata: Partial<AppendMetadata> = {}): readonly RmaUnitEvent[] {
    const streamName = rmaUnitStream(command.unitId);
    const { events } = this.run(rmaUnitDecider, streamName, command, metadata);
    if (this.book.state(rmaUnitDecider, streamName).custody === 'disposed') this.book.forget(streamName);
    return events;
  }

  policyTerms(channel: string): PolicyTerms | null {
    return this.book.state(policyDecider, policyStream(channel)).terms;
  }

  skuDetails(sku: string): SkuDetails | null {
    return this.book.state(skuDecider, skuStream(sku)).details;
  }

  vendorTurnaroundDays(vendorId: string): number | null {
    return this.book.state(vendorDecider, vendorStream(vendorId)).turnaroundDays;
  }

  /** What `CaseUseCases` passes to open or approve a case. */
  approvalContext(channel: string, vendorId: string | null): ApprovalContext {
    return {
      policy: this.policyTerms(channel),
      vendorTurnaroundDays: vendorId === null ? null : this.vendorTurnaroundDays(vendorId),
    };
  }

  vendorProfile(vendorId: string): VendorProfile {
    const profile = this.vendorProfiles.get(vendorId);
    if (!profile) throw new Error(`Unknown vendor ${vendorId}`);
    return profile;
  }
}
