import { type ChannelRepairPromise, streamCategory } from '@rma-ledger/domain';
import type { EventStore } from '@rma-ledger/event-store';
import { decodeDomainEvent } from './domain-codecs.js';

export interface VendorTurnaround {
  readonly vendorId: string;
  readonly turnaroundDays: number;
}

/**
 * Every vendor's turnaround and every channel's repair promise, which a vendor or policy change
 * checks for promise conflicts. Kept in memory and brought up to date from the global log before
 * each use (reading only what was appended since), so it also sees other processes' writes.
 */
export class CatalogueDirectory {
  private position: number | undefined;
  private readonly vendors = new Map<string, number>();
  private readonly policies = new Map<string, ChannelRepairPromise>();
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly store: EventStore) {}

  async vendorTurnarounds(): Promise<VendorTurnaround[]> {
    await this.refresh();
    return [...this.vendors].map(([vendorId, turnaroundDays]) => ({ vendorId, turnaroundDays }));
  }

  async channelRepairPromises(): Promise<ChannelRepairPromise[]> {
    await this.refresh();
    return [...this.policies.values()];
  }

  private refresh(): Promise<void> {
    // One catch-up at a time, so the position only moves forwards.
    const next = this.refreshing.catch(() => undefined).then(() => this.catchUp());
    this.refreshing = next;
    return next;
  }

  private async catchUp(): Promise<void> {
    for await (const recorded of this.store.readAll(
      this.position === undefined ? {} : { after: this.position },
    )) {
      this.position = recorded.position;
      const category = streamCategory(recorded.streamName);
      if (category !== 'vendor' && category !== 'policy') continue;
      const event = decodeDomainEvent(recorded);
      switch (event.type) {
        case 'VendorRegistered':
        case 'VendorAgreementChanged':
          this.vendors.set(event.data.vendorId, event.data.turnaroundDays);
          break;
        case 'ChannelPolicySet':
          this.policies.set(event.data.channel, {
            channel: event.data.channel,
            repairPromiseDays: event.data.promiseDays.repair,
            handlingDays: event.data.handlingDays,
          });
          break;
      }
    }
  }
}
