export * from './decider.js';
export * from './shared/personal-data.js';
