import { Business, type PersonalDataSealer, type ScenarioHighlights } from './business.js';
import { castBusiness } from './cast.js';
import { CatalogueCycle } from './catalogue-cycle.js';
import { resolveScenarioOptions, type ScenarioInput, type ScenarioOptions } from './options.js';
import { Random } from './random.js';
import type { ScenarioAppend } from './stream-book.js';

export interface ScenarioSummary {
  readonly seed: number;
  /** First and last business day simulated, `YYYY-MM-DD`. */
  readonly period: { readonly from: string; readonly to: string };
  readonly events: number;
  readonly appends: number;
  /** Event type → count, sorted by type. */
  readonly eventCounts: Readonly<Record<string, number>>;
  readonly vendors: readonly { vendorId: string; name: string; turnaroundDays: number }[];
  readonly pms: readonly string[];
  readonly skus: readonly string[];
  readonly channels: readonly { channel: string; currencies: readonly string[] }[];
  readonly cases: number;
  readonly units: number;
  readonly customers: number;
  readonly highlights: ScenarioHighlights;
}

export interface ScenarioProgress {
  readonly events: number;
  /** The business day being simulated, `YYYY-MM-DD`. */
  readonly businessDay: string;
  /** 0…1: how far through the span (or the target event count, whichever is further). */
  readonly fraction: number;
}

/** A generated business: iterate it for its appends, in business-time order, then ask for the summary. */
export interface ScenarioRun extends AsyncIterable<ScenarioAppend> {
  readonly options: ScenarioOptions;
  progress(): ScenarioProgress;
  /** What was generated so far (complete once iteration has finished). */
  summary(): ScenarioSummary;
}

/**
 * Generates a realistic after-sales business, deterministically from its seed: every append is the
 * decision of the real deciders on the state so far, in business-time order, with exact revisions.
 * Iterate it once.
 */
export function generateScenario(input: ScenarioInput, personalData: PersonalDataSealer): ScenarioRun {
  const options = resolveScenarioOptions(input);
  const random = new Random(options.seed);
  const cast = castBusiness(options, random);
  const b = new Business(options, cast, personalData, random);
  let lastDay = options.startDate;
  let iterated = false;

  async function* appends(): AsyncGenerator<ScenarioAppend> {
    if (iterated) throw new Error('A scenario run can be iterated once');
    iterated = true;
    new CatalogueCycle(b).start();
    const target = options.targetEvents ?? Number.POSITIVE_INFINITY;
    for (;;) {
      if (b.events >= target) break;
      const next = b.agenda.pop();
      if (!next || next.at >= b.endMs) break;
      b.now = next.at;
      await next.step();
      lastDay = b.iso().slice(0, 10);
      yield* b.drain();
    }
    const end = Math.min(b.now, b.endMs);
    // The unit longest overdue at the end of the run, for a newcomer to chase.
    let mostOverdue: [string, number] | null = null;
    for (const [unitId, dueMs] of b.atVendor) {
      if (dueMs < end && (mostOverdue === null || dueMs < mostOverdue[1])) mostOverdue = [unitId, dueMs];
    }
    b.highlights.overdueUnitId = mostOverdue?.[0] ?? null;
  }

  return {
    options,
    [Symbol.asyncIterator]: appends,
    progress: () => {
      const span = (b.now - b.startMs) / (b.endMs - b.startMs);
      const byEvents = options.targetEvents === null ? 0 : b.events / options.targetEvents;
      return { events: b.events, businessDay: lastDay, fraction: Math.min(1, Math.max(span, byEvents)) };
    },
    summary: () => ({
      seed: options.seed,
      period: { from: options.startDate, to: lastDay },
      events: b.events,
      appends: b.appends,
      eventCounts: Object.fromEntries([...b.eventCounts].sort(([a], [c]) => a.localeCompare(c))),
      vendors: cast.vendors.map((v) => ({
        vendorId: v.vendorId,
        name: v.name,
        turnaroundDays: b.vendorTurnaroundDays(v.vendorId) ?? v.turnaroundDays,
      })),
      pms: cast.pms,
      skus: cast.skus.map((s) => s.sku),
      channels: cast.channels.map((c) => ({ channel: c.channel, currencies: c.currencies })),
      cases: b.cases,
      units: b.units,
      customers: b.customers.count,
      highlights: { ...b.highlights },
    }),
  };
}
