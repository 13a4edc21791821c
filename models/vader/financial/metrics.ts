import { LABELS, type Label } from '../../types';

/**
 * Macro-F1 and accuracy for the trainer's own model selection (the evaluation reports of
 * `finsent eval` are computed by models/eval; these few lines keep training self-contained).
 */
export interface Confusion {
  /** counts[gold][predicted] */
  counts: Record<Label, Record<Label, number>>;
  n: number;
}

export function confusion(gold: readonly Label[], predicted: readonly Label[]): Confusion {
  const counts = Object.fromEntries(
    LABELS.map((g) => [g, Object.fromEntries(LABELS.map((p) => [p, 0]))]),
  ) as Record<Label, Record<Label, number>>;
  for (let i = 0; i < gold.length; i++) counts[gold[i]!][predicted[i]!]++;
  return { counts, n: gold.length };
}

/** Macro-F1 from per-class true positives, predicted counts and gold counts. */
export function macroF1FromCounts(
  tp: readonly number[],
  predicted: readonly number[],
  gold: readonly number[],
): number {
  let sum = 0;
  for (let k = 0; k < tp.length; k++) {
    const denominator = predicted[k]! + gold[k]!;
    sum += denominator === 0 ? 0 : (2 * tp[k]!) / denominator;
  }
  return sum / tp.length;
}

export function scoreLabels(
  gold: readonly Label[],
  predicted: readonly Label[],
): { macroF1: number; accuracy: number } {
  const { counts, n } = confusion(gold, predicted);
  const tp = LABELS.map((l) => counts[l][l]);
  const pred = LABELS.map((p) => LABELS.reduce((s, g) => s + counts[g][p], 0));
  const goldCounts = LABELS.map((g) => LABELS.reduce((s, p) => s + counts[g][p], 0));
  const correct = tp.reduce((a, b) => a + b, 0);
  return { macroF1: macroF1FromCounts(tp, pred, goldCounts), accuracy: n === 0 ? 0 : correct / n };
}
