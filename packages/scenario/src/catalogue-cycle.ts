import {
  type ChannelRepairPromise,
  DAY_MS,
  policyDecider,
  policyStream,
  salesDecider,
  salesStream,
  skuDecider,
  skuStream,
  vendorDecider,
  vendorStream,
} from '@rma-ledger/domain';
import type { Business } from './business.js';
import type { ChannelProfile, SkuProfile, VendorProfile } from './cast.js';
import { openCase } from './customer-cycle.js';

const HOUR_MS = 3_600_000;

/**
 * The catalogue side of the business: vendors, policies and SKUs on the first morning, a vendor
 * onboarded later, the changes a year brings (a SKU handed to another PM, a price change, a slower
 * vendor, a renamed vendor, a new policy), and every day's sales and new cases.
 */
export class CatalogueCycle {
  private readonly activeSkus: SkuProfile[] = [];
  private readonly registered = new Set<string>();

  constructor(private readonly b: Business) {}

  start(): void {
    const { b } = this;
    const { vendors, channels } = b.cast;
    // With three vendors or more, the last one is onboarded three weeks in, after the policies.
    const late = vendors.length >= 3 ? vendors.at(-1) : undefined;
    b.at(b.startMs + 6 * HOUR_MS, () => {
      for (const vendor of vendors)
        if (vendor !== late) this.putVendor(vendor, vendor.name, vendor.turnaroundDays);
      for (const channel of channels) this.putPolicy(channel, channel.terms);
      this.registerSkusOf(vendors.filter((v) => v !== late));
    });
    if (late) {
      b.at(b.startMs + 21 * DAY_MS + 9 * HOUR_MS, () => {
        this.putVendor(late, late.name, late.turnaroundDays);
        this.registerSkusOf([late]);
      });
    }
    b.at(b.startMs + Math.floor((b.endMs - b.startMs) / 2 / DAY_MS) * DAY_MS + 10 * HOUR_MS, () =>
      this.midwayChanges(),
    );
    b.at(b.startMs, () => this.day(b.startMs));
  }

  private registerSkusOf(vendors: readonly VendorProfile[]): void {
    const ids = new Set(vendors.map((v) => v.vendorId));
    for (const profile of this.b.cast.skus) {
      if (!ids.has(profile.vendorId)) continue;
      this.putSku(profile.sku, {
        name: profile.name,
        category: profile.category,
        vendorId: profile.vendorId,
        pmId: profile.pmId,
        unitCost: profile.unitCost,
      });
      this.activeSkus.push(profile);
    }
  }

  /** What a year brings: a reassignment, a price change, a slower vendor, a rename, a policy change. */
  private midwayChanges(): void {
    const { b } = this;
    const { vendors, pms, channels } = b.cast;
    const reassigned = Math.max(1, Math.round(this.activeSkus.length / 20));
    for (const profile of this.activeSkus.slice(0, reassigned)) {
      const details = b.skuDetails(profile.sku);
      if (!details || pms.length < 2) continue;
      const nextPm = pms[(pms.indexOf(details.pmId) + 1) % pms.length] as string;
      this.putSku(profile.sku, { ...details, pmId: nextPm });
      b.highlights.reassignedSku ??= profile.sku;
    }
    const repriced = this.activeSkus[reassigned % this.activeSkus.length];
    const repricedDetails = repriced && b.skuDetails(repriced.sku);
    if (repriced && repricedDetails) {
      const unitCost = {
        ...repricedDetails.unitCost,
        amount: Math.round(repricedDetails.unitCost.amount * 1.08),
      };
      this.putSku(repriced.sku, { ...repricedDetails, unitCost });
    }
    const slower = vendors[0];
    if (slower) this.putVendor(slower, slower.name, slower.turnaroundDays + 5);
    const renamed = vendors[2];
    if (renamed)
      this.putVendor(
        renamed,
        `${renamed.name} Co., Ltd.`,
        b.vendorTurnaroundDays(renamed.vendorId) ?? renamed.turnaroundDays,
      );
    const channel = channels[0];
    if (channel) {
      const limit = channel.terms.autoApproveLimit;
      this.putPolicy(channel, {
        ...channel.terms,
        autoApproveLimit: { ...limit, amount: Math.round(limit.amount * 1.25) },
      });
    }
  }

  /** A business day: new cases through the day, the day's sales recorded in the evening. */
  private day(dayStart: number): void {
    const { b } = this;
    if (dayStart >= b.endMs) return;
    const date = new Date(dayStart);
    const weekday = date.getUTCDay();
    const month = date.getUTCMonth();
    // Weekends and the year-end shopping season sell more.
    const season = (weekday === 0 || weekday === 6 ? 1.25 : 1) * (month >= 10 ? 1.4 : 1);
    for (const profile of this.activeSkus) {
      const cases = b.random.poisson(profile.dailySales * season * profile.afterSalesRate);
      for (let i = 0; i < cases; i++) {
        b.at(dayStart + b.random.between(8, 22) * HOUR_MS, () => openCase(b, profile));
      }
    }
    const salesAt = dayStart + 23.5 * HOUR_MS;
    b.at(salesAt, () => {
      const soldOn = date.toISOString().slice(0, 10);
      for (const profile of this.activeSkus) {
        const quantity = b.random.poisson(profile.dailySales * season);
        if (quantity === 0) continue;
        b.run(salesDecider, salesStream(profile.sku), {
          type: 'RecordSales',
          sku: profile.sku,
          quantity,
          soldOn,
          occurredAt: b.iso(),
          context: { skuRegistered: this.registered.has(profile.sku) },
        });
      }
    });
    b.at(dayStart + DAY_MS, () => this.day(dayStart + DAY_MS));
  }

  /** What `CatalogueUseCases.putVendor` passes: every channel's repair promise in force. */
  private putVendor(vendor: VendorProfile, name: string, turnaroundDays: number): void {
    const { b } = this;
    const policies: ChannelRepairPromise[] = b.cast.channels.flatMap((c) => {
      const terms = b.policyTerms(c.channel);
      return terms
        ? [
            {
              channel: c.channel,
              repairPromiseDays: terms.promiseDays.repair,
              handlingDays: terms.handlingDays,
            },
          ]
        : [];
    });
    b.run(vendorDecider, vendorStream(vendor.vendorId), {
      type: 'SetVendor',
      vendorId: vendor.vendorId,
      name,
      agreement: { turnaroundDays },
      occurredAt: b.iso(),
      context: { policies },
    });
  }

  /** What `CatalogueUseCases.putPolicy` passes: every registered vendor's turnaround. */
  private putPolicy(channel: ChannelProfile, terms: ChannelProfile['terms']): void {
    const { b } = this;
    const vendors = b.cast.vendors.flatMap((v) => {
      const turnaroundDays = b.vendorTurnaroundDays(v.vendorId);
      return turnaroundDays === null ? [] : [{ vendorId: v.vendorId, turnaroundDays }];
    });
    b.run(policyDecider, policyStream(channel.channel), {
      type: 'SetPolicy',
      channel: channel.channel,
      ...terms,
      occurredAt: b.iso(),
      context: { vendors },
    });
  }

  private putSku(
    sku: string,
    details: Omit<SkuProfile, 'sku' | 'prices' | 'dailySales' | 'afterSalesRate'>,
  ): void {
    const { b } = this;
    b.run(skuDecider, skuStream(sku), {
      type: 'SetSku',
      sku,
      name: details.name,
      vendorId: details.vendorId,
      pmId: details.pmId,
      unitCost: details.unitCost,
      category: details.category,
      occurredAt: b.iso(),
      context: { vendorRegistered: b.vendorTurnaroundDays(details.vendorId) !== null },
    });
    this.registered.add(sku);
  }
}
