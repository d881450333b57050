/**
 * The generator's version: bump it whenever a change makes the same options generate another
 * business, so that logs cached from an older generator (the benchmarks') are regenerated.
 */
export const SCENARIO_VERSION = 2;

/** The shape of the business to generate. Every field has a default through a preset. */
export interface ScenarioOptions {
  /** Same seed, same business, byte for byte (uint32). */
  readonly seed: number;
  /** The first business day, `YYYY-MM-DD` (UTC). */
  readonly startDate: string;
  /** How many months of business to simulate. */
  readonly months: number;
  /** Stop as soon as this many events were generated (the business is cut off mid-flight). */
  readonly targetEvents: number | null;
  readonly vendors: number;
  readonly pms: number;
  readonly skus: number;
  /** Sales channels, each with its own policy; the second one sells in two currencies. */
  readonly channels: number;
  /** Mean units sold per SKU and day (each SKU gets its own level around it). */
  readonly dailySalesPerSku: number;
  /** Mean share of units sold that come back as an after-sales case (each SKU around it). */
  readonly afterSalesRate: number;
}

export const SCENARIO_PRESETS = {
  /** A few hundred events: every kind of fact, fast enough for unit tests. */
  tiny: {
    startDate: '2026-01-05',
    months: 3,
    targetEvents: null,
    vendors: 3,
    pms: 2,
    skus: 5,
    channels: 3,
    dailySalesPerSku: 1,
    afterSalesRate: 0.12,
  },
  /** A year of a small merchant: enough to explore every report. */
  demo: {
    startDate: '2025-01-06',
    months: 12,
    targetEvents: null,
    vendors: 5,
    pms: 4,
    skus: 30,
    channels: 4,
    dailySalesPerSku: 12,
    afterSalesRate: 0.03,
  },
  /** About a million events, for the benchmarks. */
  'bench-1m': {
    startDate: '2025-01-06',
    months: 12,
    targetEvents: 1_000_000,
    vendors: 12,
    pms: 8,
    skus: 320,
    channels: 6,
    dailySalesPerSku: 20,
    afterSalesRate: 0.03,
  },
  /** About ten million events. */
  'bench-10m': {
    startDate: '2024-01-01',
    months: 24,
    targetEvents: 10_000_000,
    vendors: 30,
    pms: 20,
    skus: 1_600,
    channels: 6,
    dailySalesPerSku: 20,
    afterSalesRate: 0.03,
  },
} as const satisfies Record<string, Omit<ScenarioOptions, 'seed'>>;

export type ScenarioPreset = keyof typeof SCENARIO_PRESETS;

/** A preset by name, with any field overridden. Default preset `tiny`, default seed 1. */
export type ScenarioInput = Partial<ScenarioOptions> & { readonly preset?: ScenarioPreset };

export function resolveScenarioOptions(input: ScenarioInput = {}): ScenarioOptions {
  const { preset = 'tiny', ...overrides } = input;
  const base = SCENARIO_PRESETS[preset];
  if (!base) throw new RangeError(`Unknown scenario preset '${String(preset)}'`);
  const options: ScenarioOptions = { seed: 1, ...base, ...withoutUndefined(overrides) };
  validate(options);
  return options;
}

/**
 * Options for a business of about `targetEvents` events over about a year: the catalogue grows
 * with the size (a SKU brings ≈ 3,200 events a year at the bench volumes) so that per-SKU
 * volumes stay realistic.
 */
export function sizedScenario(targetEvents: number, seed = 1): ScenarioOptions {
  const skus = Math.max(6, Math.round(targetEvents / 3_100));
  return resolveScenarioOptions({
    preset: 'bench-1m',
    seed,
    targetEvents,
    skus,
    vendors: Math.min(40, Math.max(3, Math.round(skus / 30))),
    pms: Math.min(30, Math.max(2, Math.round(skus / 50))),
  });
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validate(options: ScenarioOptions): void {
  const positiveInts: (keyof ScenarioOptions)[] = ['months', 'vendors', 'pms', 'skus', 'channels'];
  for (const key of positiveInts) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new RangeError(`Scenario option ${key} must be a positive integer`);
    }
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffff_ffff) {
    throw new RangeError('Scenario option seed must be an unsigned 32-bit integer');
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.startDate) || Number.isNaN(Date.parse(options.startDate))) {
    throw new RangeError('Scenario option startDate must be YYYY-MM-DD');
  }
  if (
    options.targetEvents !== null &&
    (!Number.isInteger(options.targetEvents) || options.targetEvents < 1)
  ) {
    throw new RangeError('Scenario option targetEvents must be a positive integer or null');
  }
  if (!(options.dailySalesPerSku > 0)) throw new RangeError('dailySalesPerSku must be positive');
  if (!(options.afterSalesRate > 0 && options.afterSalesRate < 1)) {
    throw new RangeError('afterSalesRate must lie between 0 and 1');
  }
}
