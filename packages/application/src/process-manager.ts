import {
  type CaseOpenedData,
  caseDecider,
  type RmaUnitEvent,
  rmaUnitDecider,
  rmaUnitStream,
  streamCategory,
} from '@rma-ledger/domain';
import type { EventStore, RecordedEvent, Subscription, SubscriptionError } from '@rma-ledger/event-store';
import type { CommandContext, CommandHandler, CommandOutcome } from './command-handler.js';
import { caseCodec, rmaUnitCodec } from './domain-codecs.js';
import { DomainRejectedError, NotFoundError } from './errors.js';
import type { StreamStates } from './stream-states.js';
import { skuDetails } from './use-case-support.js';

export const PROCESS_MANAGER_ACTOR = 'system:process-manager';

const TRIGGERS = new Set(['ItemReceived', 'ItemInspected']);

/** How many inline reactions are remembered for the catch-up reactor to skip; beyond, it re-runs them. */
const REMEMBERED_REACTIONS = 10_000;

export interface ReactorOptions {
  /** Exclusive checkpoint: react to events strictly after this global position. */
  readonly after?: number;
  /** Called after each event was handled (reacted to or skipped): store it as the checkpoint. */
  readonly onCheckpoint?: (position: number) => void | Promise<void>;
  /** A reaction the domain refused (an anomaly, e.g. a unit changed by hand): reported, then skipped. */
  readonly onRejected?: (error: DomainRejectedError, trigger: RecordedEvent) => void;
  readonly onError?: (error: SubscriptionError) => void;
  readonly onCaughtUp?: (position: number | null) => void;
}

/**
 * Ties the customer cycle to the vendor-return cycle: a case's `ItemReceived { unitId }` puts the
 * unit into RMA custody (`UnitEnteredCustody` on `rma-unit-<unitId>`, attributed to the vendor and PM
 * of its SKU at the receipt), and `ItemInspected { unitId, grade }` grades it (`UnitGraded`).
 *
 * Every reaction is idempotent: its idempotency key is derived from the triggering event's id, so
 * running it inline after the case command, again on a retried request, and again from the
 * catch-up reactor writes the unit event exactly once.
 */
export class CustodyProcessManager {
  /**
   * Triggers this process has already reacted to inline (event id → position): the catch-up
   * reactor, meeting them in the log moments later, skips them instead of re-reading their streams
   * to find nothing to do. One the reactor passed before the inline reaction finished is dropped
   * at the next sweep.
   */
  private readonly reactedInline = new Map<string, number>();
  private handledSinceSweep = 0;

  constructor(
    private readonly store: EventStore,
    private readonly handler: CommandHandler,
    private readonly states: StreamStates,
  ) {}

  static triggeredBy(recorded: RecordedEvent): boolean {
    return TRIGGERS.has(recorded.type) && streamCategory(recorded.streamName) === 'case';
  }

  /** Applies the reaction a case event calls for, right after the command that wrote it; null when it calls for none. */
  async react(recorded: RecordedEvent): Promise<CommandOutcome<RmaUnitEvent> | null> {
    const outcome = await this.apply(recorded);
    if (outcome !== null && this.reactedInline.size < REMEMBERED_REACTIONS) {
      this.reactedInline.set(recorded.eventId, recorded.position);
    }
    return outcome;
  }

  private async apply(recorded: RecordedEvent): Promise<CommandOutcome<RmaUnitEvent> | null> {
    if (!CustodyProcessManager.triggeredBy(recorded)) return null;
    const event = caseCodec.decode(recorded);
    const context: CommandContext = {
      actor: PROCESS_MANAGER_ACTOR,
      correlationId: recorded.metadata.correlationId,
      causationId: recorded.eventId,
      idempotencyKey: `process-manager:${recorded.eventId}`,
    };
    const request = {
      decider: rmaUnitDecider,
      codec: rmaUnitCodec,
      operation: `process-manager.${event.type}`,
      input: { trigger: recorded.eventId },
      occurredAt: event.data.occurredAt,
    };
    switch (event.type) {
      case 'ItemReceived': {
        const { unitId, location, occurredAt } = event.data;
        const opened = await this.openedCase(recorded.streamName);
        // The unit entered custody at the receipt: vendor, PM and unit cost are its SKU's then.
        const sku = await skuDetails(this.states, opened.sku, new Date(occurredAt));
        if (!sku) throw new NotFoundError('sku', opened.sku);
        return this.handler.handle(
          {
            ...request,
            streamName: rmaUnitStream(unitId),
            build: (_state, at) => ({
              type: 'EnterCustody' as const,
              unitId,
              caseId: opened.caseId,
              sku: opened.sku,
              vendorId: sku.vendorId,
              pmId: sku.pmId,
              unitCost: sku.unitCost,
              ...(location === null ? {} : { location }),
              occurredAt: at,
            }),
          },
          context,
        );
      }
      case 'ItemInspected': {
        const { unitId, grade } = event.data;
        return this.handler.handle(
          {
            ...request,
            streamName: rmaUnitStream(unitId),
            build: (_state, at) => ({ type: 'RecordGrade' as const, unitId, grade, occurredAt: at }),
          },
          context,
        );
      }
      default:
        return null;
    }
  }

  /**
   * Re-applies every reaction after the checkpoint, up to the head of the log now. Returns the last
   * position seen (the new checkpoint), or `after` when there was nothing.
   */
  async catchUp(options: Omit<ReactorOptions, 'onError' | 'onCaughtUp'> = {}): Promise<number | null> {
    let position = options.after ?? null;
    for await (const recorded of this.store.readAll(
      options.after === undefined ? {} : { after: options.after },
    )) {
      await this.reactTolerantly(recorded, options.onRejected);
      position = recorded.position;
      await options.onCheckpoint?.(position);
    }
    return position;
  }

  /** The safety net: a catch-up subscription that keeps applying reactions as case events arrive. */
  start(options: ReactorOptions = {}): Subscription {
    return this.store.subscribeToAll({
      ...(options.after === undefined ? {} : { after: options.after }),
      handler: async (recorded) => {
        await this.reactTolerantly(recorded, options.onRejected);
        await options.onCheckpoint?.(recorded.position);
      },
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onCaughtUp ? { onCaughtUp: options.onCaughtUp } : {}),
    });
  }

  private async reactTolerantly(
    recorded: RecordedEvent,
    onRejected: ReactorOptions['onRejected'],
  ): Promise<void> {
    if (++this.handledSinceSweep >= 1000) this.sweep(recorded.position);
    if (this.reactedInline.delete(recorded.eventId)) return;
    try {
      await this.apply(recorded);
    } catch (error) {
      // Anything else (store down, a bug) stops the reactor so it is retried from its checkpoint.
      if (!(error instanceof DomainRejectedError)) throw error;
      onRejected?.(error, recorded);
    }
  }

  private sweep(position: number): void {
    this.handledSinceSweep = 0;
    for (const [eventId, at] of this.reactedInline) if (at < position) this.reactedInline.delete(eventId);
  }

  private async openedCase(streamName: string): Promise<CaseOpenedData> {
    const loaded = await this.states.load(caseDecider, caseCodec, streamName);
    if (!loaded.state.opened) throw new NotFoundError('case', streamName);
    return loaded.state.opened;
  }
}
