import {
  type ClassMetrics,
  DEFAULT_ECE_BINS,
  type LatencySummary,
  type ReliabilityBin,
  scorePredictions,
  summariseLatencies,
} from '../evaluation';
import { LABELS, type Label, type Prediction } from '../types';

/**
 * What a comparison reports for each model, computed by models/evaluation (the same figures as
 * `finsent eval`: scikit-learn macro-F1, ECE over 15 equal-width bins, linear-interpolated latency
 * percentiles), flattened into the shape the report, the verdict, the chart and the store read.
 */
export type { ClassMetrics, LatencySummary, ReliabilityBin };

export interface LabelMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<Label, ClassMetrics>;
  /** confusion[truth][prediction], both in LABELS order. */
  confusion: number[][];
  /** Expected calibration error over equal-width confidence bins. */
  ece: number;
  reliability: ReliabilityBin[];
}

export function labelIndex(label: Label): number {
  return LABELS.indexOf(label);
}

/**
 * Accuracy, macro-F1, per-class figures, confusion and calibration of predictions against gold
 * labels (both non-empty and paired one to one, else an InputError).
 *
 *   evaluateLabels(['positive', 'neutral'], predictions).macroF1
 */
export function evaluateLabels(
  gold: readonly Label[],
  predictions: readonly Pick<Prediction, 'label' | 'confidence'>[],
  bins: number = DEFAULT_ECE_BINS,
): LabelMetrics {
  const { metrics, calibration } = scorePredictions(gold, predictions, bins);
  return {
    n: metrics.n,
    accuracy: metrics.accuracy,
    macroF1: metrics.macroF1,
    perClass: metrics.perClass,
    confusion: metrics.confusion.matrix,
    ece: calibration.ece,
    reliability: calibration.bins,
  };
}

/** Percentiles of timed calls (milliseconds); null when nothing was timed. */
export function summariseLatency(samplesMs: readonly number[]): LatencySummary | null {
  return samplesMs.length === 0 ? null : summariseLatencies(samplesMs);
}
