/**
 * VADER in finsent: the faithful 3.3.1 engine (`vader-base`) and the financial variant (`vader`).
 *
 *   import { VaderEngine, vaderTrainer } from './models/vader';
 *   new VaderEngine().polarityScores('Acme beat estimates')   // → { neg, neu, pos, compound }
 */
export { VaderEngine, type VaderEngineOptions, type VaderScores } from './engine';
export { VADER_BASE_VERSION, vaderBaseFamily } from './family';
export {
  ARTIFACT_FILE,
  ARTIFACT_FORMAT_V1,
  ARTIFACT_FORMAT_V2,
  type FinancialArtifact,
  parseArtifact,
  readArtifactDir,
  serializeArtifact,
} from './financial/artifact';
export { BUILTIN_DIR, BUILTIN_VERSION, financialModel, vaderFamily } from './financial/family';
export {
  DEFAULT_GRID,
  GATE_GRID,
  OVERLAY_GRID,
  trainFinancialVader,
  vaderTrainer,
} from './financial/trainer';
export { PolarityGate, type PolarityGateSpec } from './gate';
export {
  DEFAULT_THRESHOLDS,
  gatedScores,
  labelOf,
  type Thresholds,
  vaderPrediction,
  vaderScores,
} from './mapping';
export { hasRawScores, VaderModel, type VaderModelOptions } from './model';
