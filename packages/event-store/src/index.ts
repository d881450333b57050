export * from './errors.js';
export * from './fingerprint.js';
export * from './hash-chain.js';
export type * from './types.js';
