import { InputError } from '../../lib/errors';

/** One equal-width confidence bin of a reliability diagram. */
export interface ReliabilityBin {
  /** Bin covers (lower, upper]; the first bin also holds confidence 0. */
  lower: number;
  upper: number;
  count: number;
  /** Share of correct predictions in the bin; null when the bin is empty. */
  accuracy: number | null;
  /** Mean confidence in the bin; null when the bin is empty. */
  confidence: number | null;
}

export interface CalibrationResult {
  /** Expected calibration error: Σ (count/n)·|accuracy − confidence| over non-empty bins. */
  ece: number;
  /** Maximum calibration error: the largest |accuracy − confidence| of a non-empty bin. */
  mce: number;
  nBins: number;
  bins: ReliabilityBin[];
}

export const DEFAULT_ECE_BINS = 15;

// c·B lands a hair above an integer for edges such as 0.2·15; without the slack 0.2 would
// fall into (0.2, 0.267] instead of (0.133, 0.2].
const EDGE_SLACK = 1e-9;

export function binIndex(confidence: number, nBins: number): number {
  return Math.min(nBins - 1, Math.max(0, Math.ceil(confidence * nBins - EDGE_SLACK) - 1));
}

/**
 * ECE over `nBins` equal-width bins of the predicted label's confidence (Guo et al., 2017),
 * plus the bins themselves for a reliability diagram. Pure; JSON-serialisable output.
 *
 * @example
 * expectedCalibrationError([0.9, 0.9, 0.6, 0.6], [true, false, true, true]).ece // 0.4
 */
export function expectedCalibrationError(
  confidences: readonly number[],
  correct: readonly boolean[],
  nBins: number = DEFAULT_ECE_BINS,
): CalibrationResult {
  if (confidences.length !== correct.length) {
    throw new InputError(
      `${confidences.length} confidences but ${correct.length} outcomes: they must pair one to one`,
    );
  }
  if (confidences.length === 0) throw new InputError('cannot compute calibration on zero examples');
  if (!Number.isInteger(nBins) || nBins < 1)
    throw new InputError(`number of bins must be a positive integer, got ${nBins}`);
  const count = new Array<number>(nBins).fill(0);
  const hits = new Array<number>(nBins).fill(0);
  const confSum = new Array<number>(nBins).fill(0);
  confidences.forEach((c, k) => {
    if (!(c >= 0 && c <= 1)) throw new InputError(`confidence ${c} at position ${k} is outside [0, 1]`);
    const b = binIndex(c, nBins);
    count[b]!++;
    confSum[b]! += c;
    if (correct[k]) hits[b]!++;
  });
  const n = confidences.length;
  let ece = 0;
  let mce = 0;
  const bins: ReliabilityBin[] = count.map((m, b) => {
    const lower = b / nBins;
    const upper = (b + 1) / nBins;
    if (m === 0) return { lower, upper, count: 0, accuracy: null, confidence: null };
    const accuracy = hits[b]! / m;
    const confidence = confSum[b]! / m;
    const gap = Math.abs(accuracy - confidence);
    ece += (m / n) * gap;
    mce = Math.max(mce, gap);
    return { lower, upper, count: m, accuracy, confidence };
  });
  return { ece, mce, nBins, bins };
}
