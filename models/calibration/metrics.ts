import { expectedCalibrationError as evaluationEce } from '../evaluation/calibration';

/**
 * Calibration metrics for fitting and checking calibrators. ECE itself is the evaluation
 * module's (one definition for reports and calibrators); this adds the zero-example case and
 * the NLL the calibrators minimise.
 */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanConfidence: number;
  accuracy: number;
}

/** Per-bin accuracy and mean confidence over `bins` equal-width bins of [0, 1]. */
export function reliabilityBins(
  confidence: readonly number[],
  correct: readonly boolean[],
  bins = 15,
): ReliabilityBin[] {
  if (confidence.length !== correct.length) throw new RangeError('confidence and correct differ in length');
  const sums = Array.from({ length: bins }, () => ({ n: 0, conf: 0, right: 0 }));
  confidence.forEach((c, i) => {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(c * bins)));
    sums[b]!.n++;
    sums[b]!.conf += c;
    if (correct[i]) sums[b]!.right++;
  });
  return sums.map((s, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: s.n,
    meanConfidence: s.n === 0 ? 0 : s.conf / s.n,
    accuracy: s.n === 0 ? 0 : s.right / s.n,
  }));
}

/**
 * Expected calibration error: Σ (n_b / N) · |accuracy_b − confidence_b|. 0 is perfectly
 * calibrated; a model that says 0.9 and is right half the time scores 0.4.
 *
 * @example
 *   expectedCalibrationError([0.9, 0.9], [true, false]) // 0.4
 */
export function expectedCalibrationError(
  confidence: readonly number[],
  correct: readonly boolean[],
  bins = 15,
): number {
  if (confidence.length === 0) return 0;
  return evaluationEce(confidence, correct, bins).ece;
}

/** Mean negative log-likelihood of the true classes under the given distributions. */
export function negativeLogLikelihood(
  probabilities: readonly (readonly number[])[],
  targets: readonly number[],
): number {
  if (probabilities.length === 0) return 0;
  let total = 0;
  probabilities.forEach((p, i) => {
    total -= Math.log(Math.max(p[targets[i]!]!, 1e-12));
  });
  return total / probabilities.length;
}
