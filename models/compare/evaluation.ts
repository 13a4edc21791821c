import { quantileSorted } from 'simple-statistics';
import { LABELS, type Label, type Prediction } from '../types';

/**
 * The evaluation metrics a comparison reports for each model. These are small local versions
 * of what models/evaluation provides (accuracy, macro-F1, confusion, ECE, reliability, latency
 * percentiles); the integrator may swap the bodies for that module's functions — the shapes here
 * are what the report, the verdict and the manifest read.
 */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence of the predictions in the bin. */
  confidence: number;
  /** Share of them that were right. */
  accuracy: number;
}

export interface LatencySummary {
  /** Number of timed single-text calls. */
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface LabelMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<Label, ClassMetrics>;
  /** confusion[truth][prediction], both in LABELS order. */
  confusion: number[][];
  /** Expected calibration error over `bins` equal-width confidence bins. */
  ece: number;
  reliability: ReliabilityBin[];
}

export function labelIndex(label: Label): number {
  return LABELS.indexOf(label);
}

/** Accuracy, macro-F1 (scikit-learn convention), per-class figures, confusion and calibration. */
export function evaluateLabels(
  gold: readonly Label[],
  predictions: readonly Prediction[],
  bins = 10,
): LabelMetrics {
  if (gold.length !== predictions.length) {
    throw new RangeError(`${gold.length} gold labels but ${predictions.length} predictions`);
  }
  const k = LABELS.length;
  const confusion = LABELS.map(() => LABELS.map(() => 0));
  for (let i = 0; i < gold.length; i++)
    confusion[labelIndex(gold[i]!)]![labelIndex(predictions[i]!.label)]!++;
  const perClass = {} as Record<Label, ClassMetrics>;
  let f1Sum = 0;
  let present = 0;
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    correct += tp;
    const support = confusion[c]!.reduce((s, v) => s + v, 0);
    const predicted = confusion.reduce((s, row) => s + row[c]!, 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = support + predicted === 0 ? 0 : (2 * tp) / (support + predicted);
    if (support + predicted > 0) {
      f1Sum += f1;
      present++;
    }
    perClass[LABELS[c]!] = { precision, recall, f1, support };
  }
  const { ece, reliability } = calibration(gold, predictions, bins);
  return {
    n: gold.length,
    accuracy: gold.length === 0 ? 0 : correct / gold.length,
    macroF1: present === 0 ? 0 : f1Sum / present,
    perClass,
    confusion,
    ece,
    reliability,
  };
}

function calibration(gold: readonly Label[], predictions: readonly Prediction[], bins: number) {
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const right = new Array<number>(bins).fill(0);
  for (let i = 0; i < gold.length; i++) {
    const p = predictions[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p.confidence * bins)));
    count[b]!++;
    conf[b]! += p.confidence;
    if (p.label === gold[i]) right[b]!++;
  }
  let ece = 0;
  const reliability: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = count[b]!;
    const bin = {
      lower: b / bins,
      upper: (b + 1) / bins,
      count: n,
      confidence: n === 0 ? 0 : conf[b]! / n,
      accuracy: n === 0 ? 0 : right[b]! / n,
    };
    reliability.push(bin);
    if (gold.length > 0) ece += (n / gold.length) * Math.abs(bin.accuracy - bin.confidence);
  }
  return { ece, reliability };
}

/** Percentiles of timed calls (milliseconds); null when nothing was timed. */
export function summariseLatency(samplesMs: readonly number[]): LatencySummary | null {
  if (samplesMs.length === 0) return null;
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    n: sorted.length,
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
  };
}
