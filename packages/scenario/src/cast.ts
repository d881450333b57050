import type { Money, PolicyTerms } from '@rma-ledger/domain';
import type { ScenarioOptions } from './options.js';
import type { Random } from './random.js';

/** How a vendor behaves once a unit is dispatched to it. */
export interface VendorProfile {
  readonly vendorId: string;
  readonly name: string;
  readonly turnaroundDays: number;
  /** Probability a response arrives within the turnaround. */
  readonly onTimeRate: number;
  /** Probability a dispatched unit never comes back (dunning, then write-off). */
  readonly neverReturnRate: number;
  readonly outcomes: { repaired: number; replaced: number; credited: number; rejected: number };
  /** Probability a unit the vendor sent back fails the in-house retest. */
  readonly retestFailRate: number;
}

export interface SkuProfile {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly vendorId: string;
  readonly pmId: string;
  readonly unitCost: Money;
  /** Selling price per currency, minor units. */
  readonly prices: Readonly<Record<string, number>>;
  readonly dailySales: number;
  readonly afterSalesRate: number;
}

export interface ChannelProfile {
  readonly channel: string;
  readonly currencies: readonly string[];
  /** Relative share of the cases. */
  readonly share: number;
  readonly terms: Omit<PolicyTerms, 'handlingDays'> & { readonly handlingDays: number };
}

/** The people of the business: who approves and who pays. */
export const CS_AGENTS = ['cs-anna', 'cs-bo', 'cs-chen'] as const;
export const FINANCE_APPROVERS = ['finance-dai', 'finance-eva'] as const;

export interface Cast {
  readonly vendors: readonly VendorProfile[];
  readonly pms: readonly string[];
  readonly skus: readonly SkuProfile[];
  readonly channels: readonly ChannelProfile[];
}

const VENDOR_NAMES = [
  'Shenzhen Brightway Electronics',
  'Ningbo Homeline Appliances',
  'Dongguan Apex Audio',
  'Hangzhou Clearview Optics',
  'Xiamen Swift Power',
  'Suzhou Everfit Sports',
  'Foshan Warmhearth Kitchen',
  'Qingdao Bluewave Marine',
];
const PM_NAMES = [
  'li-na',
  'wang-wei',
  'zhang-min',
  'chen-jie',
  'liu-yang',
  'sun-hao',
  'zhou-lan',
  'wu-qiang',
];
const CATEGORIES = [
  { category: 'kitchen', names: ['Kettle', 'Rice Cooker', 'Blender', 'Air Fryer'], cost: [4_000, 30_000] },
  { category: 'audio', names: ['Earbuds', 'Headphones', 'Speaker', 'Soundbar'], cost: [6_000, 80_000] },
  { category: 'power', names: ['Power Bank', 'Charger', 'Cable Kit', 'UPS'], cost: [1_500, 40_000] },
  { category: 'home', names: ['Vacuum', 'Fan', 'Heater', 'Humidifier'], cost: [8_000, 120_000] },
  { category: 'sports', names: ['Smartwatch', 'Bike Light', 'Scale', 'Tracker'], cost: [3_000, 60_000] },
];
/** Turnarounds the first vendors get: a spread from fast to slower than some repair promises. */
const TURNAROUNDS = [10, 21, 14, 30, 18, 12, 25, 16];

/** Channels in the order they are added; `web-global` sells in two currencies. */
const CHANNELS: readonly Omit<ChannelProfile, 'terms'>[] = [
  { channel: 'tmall', currencies: ['CNY'], share: 5 },
  { channel: 'web-global', currencies: ['USD', 'EUR'], share: 2 },
  { channel: 'jd', currencies: ['CNY'], share: 4 },
  { channel: 'amazon-us', currencies: ['USD'], share: 2 },
  { channel: 'douyin', currencies: ['CNY'], share: 3 },
  { channel: 'pdd', currencies: ['CNY'], share: 2 },
];
/** Minor units of each currency per CNY minor unit, for prices and limits. */
const FROM_CNY: Readonly<Record<string, number>> = { CNY: 1, USD: 0.14, EUR: 0.13 };

function terms(index: number, currency: string): ChannelProfile['terms'] {
  const limit = (cny: number) => ({ amount: Math.round(cny * (FROM_CNY[currency] ?? 1)), currency });
  // A repair promise covers the slowest usual vendor's turnaround plus handling, but for jd's, set
  // to match its marketplace's promise and shorter than the slowest vendors' turnaround: broken by design.
  const repairPromise = [45, 45, 28, 50, 40, 45][index % 6] ?? 45;
  return {
    returnWindowDays: index % 2 === 0 ? 7 : 30,
    exchangeWindowDays: index % 2 === 0 ? 15 : 30,
    warrantyDays: 365,
    promiseDays: { refund: 7, exchange: 10, repair: repairPromise },
    autoApproveLimit: limit(60_000),
    refundApprovalLimit: limit(50_000),
    // Receiving, inspecting and dispatching a repair's unit (the clock the policy flag uses).
    handlingDays: index % 3 === 0 ? 9 : 8,
  };
}

/** Draws the vendors, PMs, SKUs and channels of a business from the options. */
export function castBusiness(options: ScenarioOptions, random: Random): Cast {
  const vendors = Array.from({ length: options.vendors }, (_, i): VendorProfile => {
    const name = VENDOR_NAMES[i] ?? `Vendor ${i + 1} Manufacturing`;
    // The second vendor is the troublemaker: slow, late and often silent.
    const troublesome = i === 1;
    const reliability = troublesome ? 0.45 : random.between(0.65, 0.97);
    return {
      vendorId: `v-${String(i + 1).padStart(2, '0')}`,
      name,
      turnaroundDays: TURNAROUNDS[i] ?? random.int(10, 30),
      onTimeRate: reliability,
      neverReturnRate: troublesome ? 0.12 : random.between(0.005, 0.04),
      outcomes: {
        repaired: random.between(3, 6),
        replaced: random.between(1, 3),
        credited: random.between(0.5, 2),
        rejected: troublesome ? 2 : random.between(0.2, 1),
      },
      retestFailRate: troublesome ? 0.25 : random.between(0.04, 0.15),
    };
  });
  const pms = Array.from({ length: options.pms }, (_, i) => `pm-${PM_NAMES[i] ?? String(i + 1)}`);
  const skus = Array.from({ length: options.skus }, (_, i): SkuProfile => {
    const family = CATEGORIES[i % CATEGORIES.length]!;
    const vendorIndex = i % vendors.length;
    const vendor = vendors[vendorIndex]!;
    const cost = Math.round(random.between(family.cost[0]!, family.cost[1]!) / 100) * 100;
    const price = Math.round((cost * random.between(1.5, 2.2)) / 100) * 100 - 1;
    return {
      sku: `SKU-${String(i + 1).padStart(4, '0')}`,
      name: `${random.pick(family.names)} ${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26) + 1}`,
      category: family.category,
      vendorId: vendor.vendorId,
      // A PM owns the SKUs of a few vendors, with some SKUs owned across.
      pmId: pms[random.chance(0.8) ? vendorIndex % pms.length : random.int(0, pms.length - 1)]!,
      unitCost: { amount: cost, currency: 'CNY' },
      prices: Object.fromEntries(
        Object.entries(FROM_CNY).map(([currency, rate]) => [
          currency,
          Math.max(99, Math.round(price * rate)),
        ]),
      ),
      dailySales: options.dailySalesPerSku * random.between(0.3, 1.7),
      // Most SKUs come back at a usual rate; a few are lemons.
      afterSalesRate:
        options.afterSalesRate * (random.chance(0.1) ? random.between(2, 3) : random.between(0.3, 1.3)),
    };
  });
  const channels = Array.from({ length: options.channels }, (_, i): ChannelProfile => {
    const base = CHANNELS[i] ?? { channel: `shop-${i + 1}`, currencies: ['CNY'], share: 1 };
    return { ...base, terms: terms(i, base.currencies[0] ?? 'CNY') };
  });
  return { vendors, pms, skus, channels };
}
