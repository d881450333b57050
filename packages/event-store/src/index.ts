export * from './errors.js';
export * from './hash-chain.js';
export type * from './types.js';
