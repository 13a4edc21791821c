import { LABELS, type Label } from '../../models/types';

/**
 * Classification metrics from a confusion matrix of counts. A small local twin of
 * models/evaluation (the eval helper's module): swap these calls for it once both are merged.
 */
export type Confusion = Record<Label, Record<Label, number>>; // confusion[actual][predicted]

export function emptyConfusion(): Confusion {
  const row = () => Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  return Object.fromEntries(LABELS.map((l) => [l, row()])) as Confusion;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ConfusionMetrics {
  n: number;
  accuracy: number;
  /** Mean F1 over the labels that occur as truth or prediction (scikit-learn's macro average). */
  macroF1: number;
  perClass: Record<Label, ClassMetrics>;
}

export function metricsFromConfusion(c: Confusion): ConfusionMetrics {
  let n = 0;
  let correct = 0;
  for (const a of LABELS) {
    for (const p of LABELS) n += c[a][p];
    correct += c[a][a];
  }
  const perClass = {} as Record<Label, ClassMetrics>;
  const f1s: number[] = [];
  for (const l of LABELS) {
    const tp = c[l][l];
    const predicted = LABELS.reduce((s, a) => s + c[a][l], 0);
    const support = LABELS.reduce((s, p) => s + c[l][p], 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[l] = { precision, recall, f1, support };
    if (predicted > 0 || support > 0) f1s.push(f1);
  }
  return {
    n,
    accuracy: n > 0 ? correct / n : Number.NaN,
    macroF1: f1s.length > 0 ? f1s.reduce((s, x) => s + x, 0) / f1s.length : Number.NaN,
    perClass,
  };
}

/** Wilson score interval for a proportion (95 % by default). */
export function wilson(hits: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN];
  const p = hits / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
