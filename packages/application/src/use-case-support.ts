import {
  type Decider,
  type PolicyTerms,
  policyDecider,
  policyStream,
  type SkuDetails,
  skuDecider,
  skuStream,
  vendorDecider,
  vendorStream,
} from '@rma-ledger/domain';
import type { EventStore, RecordedEvent } from '@rma-ledger/event-store';
import type { CatalogueDirectory } from './catalogue-directory.js';
import type { CommandHandler, CommandOutcome } from './command-handler.js';
import { parseInstant } from './command-handler.js';
import { policyCodec, skuCodec, vendorCodec } from './domain-codecs.js';
import type { EventCodec } from './event-codec.js';
import type { PersonalDataVault } from './personal-data-vault.js';
import type { CustodyProcessManager } from './process-manager.js';
import { loadStream } from './stream-reader.js';
import type { StreamStates } from './stream-states.js';

/** What every group of use cases shares. */
export interface LedgerDeps {
  readonly store: EventStore;
  /** Current states of streams, kept between commands. */
  readonly states: StreamStates;
  readonly handler: CommandHandler;
  readonly vault: PersonalDataVault;
  readonly directory: CatalogueDirectory;
  readonly processManager: CustodyProcessManager;
  /** New case and refund ids when the caller supplies none; uuid v4 by default. */
  readonly newId: () => string;
  /** An inline reaction failed after its case event was written; the catch-up reactor will finish it. */
  readonly onReactionError: (error: unknown, trigger: RecordedEvent) => void;
}

/** Every command's business time: ISO-8601 with an offset, default now, at most 5 minutes ahead. */
export interface Timed {
  readonly occurredAt?: string;
}

/** What every write returns: enough for `ETag`, `Location` and an audit trail of what was written. */
export interface WriteResult {
  readonly streamName: string;
  /** The stream's revision after the command (the `ETag`); null when the stream does not exist. */
  readonly revision: number | null;
  /** True when an idempotency key matched: nothing was written, this is the first result. */
  readonly deduplicated: boolean;
  /** The events written (or first written), with their metadata and hashes. */
  readonly events: readonly RecordedEvent[];
}

export function writeResult(outcome: CommandOutcome<unknown>): WriteResult {
  return {
    streamName: outcome.streamName,
    revision: outcome.revision,
    deduplicated: outcome.deduplicated,
    events: outcome.events.map((e) => e.recorded),
  };
}

/** Instants reach the domain in UTC; anything unparsable is passed on for the domain to name the field. */
export function utcInstant(value: string): string {
  return parseInstant(value)?.toISOString() ?? value;
}

/**
 * The business instant to read reference data (SKU, vendor, policy) as of for a command timed
 * `occurredAt`; undefined, meaning what is in force now, when the caller gave no time (the
 * handler defaults it to now) or one the handler will refuse.
 */
export function referenceInstant(occurredAt: string | undefined): Date | undefined {
  return occurredAt === undefined ? undefined : (parseInstant(occurredAt) ?? undefined);
}

/**
 * Reference data as it stood at `asOf`, or as it is now (from the kept states) without one. An
 * event backdated before the entity was first set (an import of old cases into a catalogue set up
 * later) gets the entity as it is now instead.
 */
async function inForceAt<Command, Event, State, T>(
  states: StreamStates,
  decider: Decider<Command, Event, State>,
  codec: EventCodec<Event>,
  streamName: string,
  pick: (state: State) => T | null,
  asOf: Date | undefined,
): Promise<T | null> {
  const now = async () => pick((await states.load(decider, codec, streamName)).state);
  if (asOf === undefined) return now();
  const then = pick((await loadStream(states.store, decider, codec, streamName, { asOf })).state);
  return then ?? now();
}

export function policyTerms(states: StreamStates, channel: string, asOf?: Date): Promise<PolicyTerms | null> {
  return inForceAt(states, policyDecider, policyCodec, policyStream(channel), (state) => state.terms, asOf);
}

export function skuDetails(states: StreamStates, sku: string, asOf?: Date): Promise<SkuDetails | null> {
  return inForceAt(states, skuDecider, skuCodec, skuStream(sku), (state) => state.details, asOf);
}

export function vendorTurnaroundDays(
  states: StreamStates,
  vendorId: string,
  asOf?: Date,
): Promise<number | null> {
  return inForceAt(
    states,
    vendorDecider,
    vendorCodec,
    vendorStream(vendorId),
    (state) => state.turnaroundDays,
    asOf,
  );
}
