import { customerDecider, customerStream } from '@rma-ledger/domain';
import type { CommandContext } from './command-handler.js';
import { customerCodec } from './domain-codecs.js';
import { DomainRejectedError } from './errors.js';
import { loadStream } from './stream-reader.js';
import { type LedgerDeps, type Timed, type WriteResult, writeResult } from './use-case-support.js';

export interface EraseCustomerResult extends WriteResult {
  readonly customerId: string;
  /** True when the customer had already been erased: nothing new was written. */
  readonly alreadyErased: boolean;
}

export class CustomerUseCases {
  constructor(private readonly deps: LedgerDeps) {}

  /**
   * Crypto-shredding: destroys the customer's key, then records `PersonalDataErased`. The key goes
   * first, so a crash in between leaves the data unreadable and a retry records the event. Erasing
   * an erased customer is not an error: it writes nothing and says so.
   */
  async erase(
    customerId: string,
    input: Timed & { readonly reason?: string },
    context: CommandContext,
  ): Promise<EraseCustomerResult> {
    await this.deps.vault.erase(customerId);
    try {
      const outcome = await this.deps.handler.handle(
        {
          decider: customerDecider,
          codec: customerCodec,
          streamName: customerStream(customerId),
          operation: 'customer.erase',
          input,
          occurredAt: input.occurredAt,
          build: (_state, occurredAt) => ({
            type: 'ErasePersonalData' as const,
            customerId,
            ...(input.reason === undefined ? {} : { reason: input.reason }),
            occurredAt,
          }),
        },
        context,
      );
      return { customerId, alreadyErased: false, ...writeResult(outcome) };
    } catch (error) {
      if (!(error instanceof DomainRejectedError) || error.code !== 'LDG_PERSONAL_DATA_ALREADY_ERASED')
        throw error;
      const stream = customerStream(customerId);
      const loaded = await loadStream(this.deps.store, customerDecider, customerCodec, stream);
      return {
        customerId,
        alreadyErased: true,
        streamName: stream,
        revision: loaded.revision,
        deduplicated: false,
        events: [],
      };
    }
  }
}
