import type { EventStore, RecordedEvent } from '@rma-ledger/event-store';
import { v4 as uuidv4 } from 'uuid';
import { CaseUseCases } from './case-use-cases.js';
import { CatalogueDirectory } from './catalogue-directory.js';
import { CatalogueUseCases } from './catalogue-use-cases.js';
import { type Clock, CommandHandler } from './command-handler.js';
import { CustomerUseCases } from './customer-use-cases.js';
import { decodeDomainEvent } from './domain-codecs.js';
import type { KeyStore } from './key-store.js';
import { PersonalDataVault } from './personal-data-vault.js';
import { CustodyProcessManager } from './process-manager.js';
import { ReconciliationUseCases } from './reconciliation-use-cases.js';
import { StreamStates } from './stream-states.js';
import { UnitUseCases } from './unit-use-cases.js';

export interface LedgerOptions {
  readonly store: EventStore;
  /** Where the per-customer personal-data keys live (e.g. a `SqliteKeyStore` on `keys.db`). */
  readonly keys: KeyStore;
  readonly clock?: Clock;
  /** Ids for cases and refunds the caller does not name; default uuid v4. */
  readonly newId?: () => string;
  /** Attempts of a command whose stream keeps changing under it; default 5. */
  readonly maxAttempts?: number;
  /** An inline process-manager reaction failed (the case event is written; the reactor completes it). */
  readonly onReactionError?: (error: unknown, trigger: RecordedEvent) => void;
}

/**
 * The ledger's use cases on one event store: what the HTTP service and the CLI call. Every command
 * takes its input as the caller sent it and a `CommandContext` (actor, correlation id, optional
 * idempotency key and `If-Match` revision); every read is side-effect free.
 */
export class Ledger {
  readonly catalogue: CatalogueUseCases;
  readonly cases: CaseUseCases;
  readonly units: UnitUseCases;
  readonly customers: CustomerUseCases;
  /** Finance's reconciliation runs against payment-provider reports. */
  readonly reconciliations: ReconciliationUseCases;
  /** Start its catch-up reactor (`start` / `catchUp`) next to the service: the safety net for custody. */
  readonly processManager: CustodyProcessManager;
  readonly vault: PersonalDataVault;
  private readonly store: EventStore;

  constructor(options: LedgerOptions) {
    this.store = options.store;
    const states = new StreamStates(options.store);
    const handler = new CommandHandler(options.store, {
      states,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    });
    this.vault = new PersonalDataVault(options.keys);
    this.processManager = new CustodyProcessManager(options.store, handler, states);
    const deps = {
      store: options.store,
      states,
      handler,
      vault: this.vault,
      directory: new CatalogueDirectory(options.store),
      processManager: this.processManager,
      newId: options.newId ?? (() => uuidv4()),
      onReactionError: options.onReactionError ?? (() => undefined),
    };
    this.catalogue = new CatalogueUseCases(deps);
    this.cases = new CaseUseCases(deps);
    this.units = new UnitUseCases(deps);
    this.customers = new CustomerUseCases(deps);
    this.reconciliations = new ReconciliationUseCases(deps);
  }

  /**
   * Any stream's events exactly as stored (data, metadata, `prevHash`, `hash`), in order; with
   * `asOf`, only those that happened at or before that business instant.
   */
  async history(streamName: string, options: { readonly asOf?: Date } = {}): Promise<RecordedEvent[]> {
    const asOf = options.asOf?.getTime();
    const events: RecordedEvent[] = [];
    for await (const recorded of this.store.readStream(streamName)) {
      if (asOf !== undefined && Date.parse(decodeDomainEvent(recorded).data.occurredAt) > asOf) break;
      events.push(recorded);
    }
    return events;
  }
}
