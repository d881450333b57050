export * from './case-use-cases.js';
export * from './catalogue-use-cases.js';
export {
  type Clock,
  type CommandContext,
  CommandHandler,
  type CommandHandlerOptions,
  type CommandOutcome,
  type CommandRequest,
  commandFingerprint,
  MAX_FUTURE_SKEW_MS,
  systemClock,
} from './command-handler.js';
export * from './customer-use-cases.js';
export * from './domain-codecs.js';
export * from './errors.js';
export type * from './event-codec.js';
export type * from './key-store.js';
export * from './ledger.js';
export * from './personal-data-vault.js';
export * from './process-manager.js';
export * from './reconciliation-use-cases.js';
export * from './sqlite-key-store.js';
export * from './stream-reader.js';
export * from './unit-use-cases.js';
export type { Timed, WriteResult } from './use-case-support.js';
