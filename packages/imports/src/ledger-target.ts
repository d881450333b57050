import { type CommandContext, Ledger, SqliteKeyStore } from '@rma-ledger/application';
import { type Money, policyStream, skuStream, vendorStream } from '@rma-ledger/domain';
import type { EventStore, RecordedEvent } from '@rma-ledger/event-store';
import { openSqliteEventStore } from '@rma-ledger/store-sqlite';
import { ImportError } from './errors.js';

/** Registers SKUs the catalogue does not know instead of refusing their rows. */
export interface RegisterUnknownSkus {
  readonly vendorId: string;
  readonly pmId: string;
  /** Default zero in the mapping's `currency`. */
  readonly unitCost?: Money;
  /** Default `imported`. */
  readonly category?: string;
}

/** The scratch ledger is recreated after this many commands, so a long import keeps bounded memory. */
const SCRATCH_COMMANDS_PER_GENERATION = 20_000;

/**
 * The ledger an import writes to, and a scratch ledger on an in-memory store that rows are
 * validated against first (and only, in a dry run). The scratch ledger holds a copy of the
 * catalogue streams the rows touch (SKU, its vendor, the channel's policy), copied on first use,
 * so the domain decides each row exactly as it will on the real ledger.
 */
export class LedgerTarget {
  private scratch: { store: EventStore; keys: SqliteKeyStore; ledger: Ledger } | null = null;
  private readonly copied = new Set<string>();
  private readonly skus = new Map<string, { vendorId: string }>();
  private readonly registeredInScratch = new Map<string, string | null>();
  private scratchCommands = 0;

  constructor(
    readonly real: Ledger,
    readonly dryRun: boolean,
    private readonly context: CommandContext,
    private readonly register: RegisterUnknownSkus | undefined,
    private readonly defaultCurrency: string | undefined,
  ) {}

  async checkOptions(): Promise<void> {
    if (this.register && !this.register.unitCost && !this.defaultCurrency) {
      throw new ImportError(
        'LDG_IMPORT_MAPPING_INVALID',
        'registerUnknownSkus needs a unitCost when the mapping names no currency',
      );
    }
    if (this.register && (await this.real.history(vendorStream(this.register.vendorId))).length === 0) {
      throw new ImportError(
        'LDG_IMPORT_VENDOR_NOT_FOUND',
        `registerUnknownSkus names vendor '${this.register.vendorId}', which is not registered`,
      );
    }
  }

  /**
   * Whether the SKU can be used: known to the catalogue, or registered now (in a dry run, in the
   * scratch ledger only). Returns `registered` the first time a SKU is registered.
   */
  async ensureSku(sku: string, name: string | null): Promise<'known' | 'registered' | 'unknown'> {
    if (this.skus.get(sku)) return 'known';
    const details = await this.skuDetails(sku);
    if (details) return 'known';
    if (!this.register) return 'unknown';
    const input = this.skuInput(sku, name);
    if (this.dryRun) {
      const scratch = await this.validation();
      await this.copy(vendorStream(this.register.vendorId));
      await scratch.catalogue.putSku(sku, input, this.context);
      this.registeredInScratch.set(sku, name);
      this.copied.add(`scratch:${skuStream(sku)}`);
    } else {
      await this.real.catalogue.putSku(sku, input, { ...this.context, idempotencyKey: `import:sku:${sku}` });
    }
    this.skus.set(sku, { vendorId: this.register.vendorId });
    return 'registered';
  }

  /** The scratch ledger, with the catalogue a row on `sku` and `channel` needs copied into it. */
  async validationFor(sku: string, channel: string | null): Promise<Ledger> {
    const ledger = await this.validation();
    await this.copy(skuStream(sku));
    const vendorId = this.skus.get(sku)?.vendorId ?? (await this.skuDetails(sku))?.vendorId;
    if (vendorId !== undefined) await this.copy(vendorStream(vendorId));
    const registered = this.registeredInScratch.get(sku);
    if (registered !== undefined && !this.copied.has(`scratch:${skuStream(sku)}`) && this.register) {
      // A dry-run registration lives only in the scratch ledger: redo it in a new generation.
      await this.copy(vendorStream(this.register.vendorId));
      await ledger.catalogue.putSku(sku, this.skuInput(sku, registered), this.context);
      this.copied.add(`scratch:${skuStream(sku)}`);
    }
    if (channel !== null) await this.copy(policyStream(channel));
    return ledger;
  }

  /** Counts commands run on the scratch ledger; past a bound, the next use starts a fresh one. */
  countScratchCommands(commands: number): void {
    this.scratchCommands += commands;
  }

  async close(): Promise<void> {
    await this.closeScratch();
  }

  private async validation(): Promise<Ledger> {
    if (this.scratch && this.scratchCommands >= SCRATCH_COMMANDS_PER_GENERATION) await this.closeScratch();
    if (!this.scratch) {
      const store = openSqliteEventStore({ path: ':memory:', synchronous: 'normal' });
      const keys = new SqliteKeyStore({ path: ':memory:' });
      this.scratch = { store, keys, ledger: new Ledger({ store, keys }) };
      this.scratchCommands = 0;
    }
    return this.scratch.ledger;
  }

  private async closeScratch(): Promise<void> {
    if (!this.scratch) return;
    await this.scratch.store.close();
    await this.scratch.keys.close();
    this.scratch = null;
    this.copied.clear();
  }

  private skuInput(sku: string, name: string | null) {
    const register = this.register!;
    return {
      name: (name ?? sku).slice(0, 200) || sku,
      vendorId: register.vendorId,
      pmId: register.pmId,
      unitCost: register.unitCost ?? { amount: 0, currency: this.defaultCurrency ?? '' },
      category: register.category ?? 'imported',
    };
  }

  private async skuDetails(sku: string): Promise<{ vendorId: string } | null> {
    const cached = this.skus.get(sku);
    if (cached !== undefined) return cached;
    const events = await this.real.history(skuStream(sku));
    const vendorId = events.map(vendorOf).findLast((id) => id !== null) ?? null;
    const details = vendorId === null ? null : { vendorId };
    // Unknown SKUs are not cached: another process may register them during the import.
    if (details) this.skus.set(sku, details);
    return details;
  }

  /** Copies a stream of the real ledger into the scratch store once (nothing when it is absent). */
  private async copy(streamName: string): Promise<void> {
    if (this.copied.has(streamName) || !this.scratch) return;
    const events = await this.real.history(streamName);
    if (events.length === 0) return;
    await this.scratch.store.append(
      streamName,
      events.map((event) => ({
        type: event.type,
        data: event.data,
        metadata: {
          actor: event.metadata.actor,
          correlationId: event.metadata.correlationId,
          causationId: event.metadata.causationId,
          schemaVersion: event.metadata.schemaVersion,
        },
      })),
    );
    this.copied.add(streamName);
  }
}

function vendorOf(event: RecordedEvent | undefined): string | null {
  const data = event?.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
  const vendorId = (data as Record<string, unknown>).vendorId;
  return typeof vendorId === 'string' ? vendorId : null;
}
