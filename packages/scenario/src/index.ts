export { type PersonalDataSealer, SCENARIO_ACTOR, type ScenarioHighlights } from './business.js';
export {
  resolveScenarioOptions,
  SCENARIO_PRESETS,
  SCENARIO_VERSION,
  type ScenarioInput,
  type ScenarioOptions,
  type ScenarioPreset,
  sizedScenario,
} from './options.js';
export {
  generateScenario,
  type ScenarioProgress,
  type ScenarioRun,
  type ScenarioSummary,
} from './scenario.js';
export { type ScenarioAppend, ScenarioCommandRefusedError } from './stream-book.js';
export { type WriteScenarioDeps, writeScenario } from './write-scenario.js';
