/**
 * Evaluation: metrics, calibration, latency and the report. Pure functions except
 * evaluateModel/predictTimed (which call the model and read the clock); reused by compare,
 * promotion and monitoring.
 */
export {
  binIndex,
  type CalibrationResult,
  DEFAULT_ECE_BINS,
  expectedCalibrationError,
  type ReliabilityBin,
} from './calibration';
export { type EvaluateOptions, evaluateModel, evenSample, predictTimed, scorePredictions } from './evaluate';
export { type LatencySummary, percentile, summariseLatencies } from './latency';
export {
  type ClassificationMetrics,
  type ClassMetrics,
  type ConfusionMatrix,
  classificationMetrics,
  confusionMatrix,
} from './metrics';
export {
  formatCount,
  formatMs,
  msDigits,
  renderClassTable,
  renderConfusion,
  renderEvalReport,
  renderLatency,
  renderReliability,
  renderTable,
} from './render';
export { EVAL_REPORT_SCHEMA, type EvalReport, type LatencyReport } from './report';
