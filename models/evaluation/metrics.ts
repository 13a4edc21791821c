import { InputError } from '../../lib/errors';
import { LABELS, type Label } from '../types';

export interface ClassMetrics {
  /** Of the texts predicted as this class, the share that truly are; 0 when it was never predicted. */
  precision: number;
  /** Of the texts truly in this class, the share predicted as it; 0 when the class has no support. */
  recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  f1: number;
  /** How many texts truly are this class. */
  support: number;
  /** How many texts were predicted as this class. */
  predicted: number;
}

/** `matrix[i][j]`: texts whose true label is `labels[i]` and predicted label is `labels[j]`. */
export interface ConfusionMatrix {
  labels: Label[];
  matrix: number[][];
}

export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  /** Unweighted mean of per-class F1 over `averagedOver`. */
  macroF1: number;
  /** Per-class F1 weighted by support. */
  weightedF1: number;
  perClass: Record<Label, ClassMetrics>;
  /** The classes present in the gold labels or the predictions (scikit-learn's default). */
  averagedOver: Label[];
  confusion: ConfusionMatrix;
}

function checkPair(gold: readonly Label[], predicted: readonly Label[]): void {
  if (gold.length !== predicted.length) {
    throw new InputError(
      `${gold.length} gold labels but ${predicted.length} predictions: they must pair one to one`,
    );
  }
  if (gold.length === 0) throw new InputError('cannot compute metrics on zero examples');
}

/**
 * @example confusionMatrix(['positive', 'neutral'], ['positive', 'positive']).matrix
 * // [[1, 0, 0], [0, 0, 0], [1, 0, 0]]   (rows: true positive, negative, neutral)
 */
export function confusionMatrix(
  gold: readonly Label[],
  predicted: readonly Label[],
  labels: readonly Label[] = LABELS,
): ConfusionMatrix {
  checkPair(gold, predicted);
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (let k = 0; k < gold.length; k++) {
    const i = index.get(gold[k]!);
    const j = index.get(predicted[k]!);
    if (i === undefined || j === undefined) {
      throw new InputError(
        `label "${i === undefined ? gold[k] : predicted[k]}" is not one of ${labels.join(', ')}`,
      );
    }
    matrix[i]![j]!++;
  }
  return { labels: [...labels], matrix };
}

/**
 * Accuracy, per-class precision/recall/F1 and their macro and weighted means, computed the way
 * scikit-learn does with `zero_division=0`: a class never predicted has precision 0 (not NaN), a
 * class absent from the gold labels has recall 0, and the macro mean runs over the classes that
 * occur in the gold labels or the predictions — a two-class test set is not penalised for the
 * third class that nobody used.
 *
 * @example
 * classificationMetrics(['positive', 'negative', 'neutral', 'neutral'], ['positive', 'neutral', 'neutral', 'neutral'])
 * // { n: 4, accuracy: 0.75, macroF1: 0.6,  perClass.negative: { precision: 0, recall: 0, f1: 0, support: 1, predicted: 0 }, … }
 */
export function classificationMetrics(
  gold: readonly Label[],
  predicted: readonly Label[],
): ClassificationMetrics {
  const confusion = confusionMatrix(gold, predicted);
  const { matrix } = confusion;
  const n = gold.length;
  let correct = 0;
  const perClass = {} as Record<Label, ClassMetrics>;
  LABELS.forEach((label, i) => {
    const tp = matrix[i]![i]!;
    correct += tp;
    const support = matrix[i]!.reduce((s, v) => s + v, 0);
    const predictedCount = matrix.reduce((s, row) => s + row[i]!, 0);
    const precision = predictedCount === 0 ? 0 : tp / predictedCount;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[label] = { precision, recall, f1, support, predicted: predictedCount };
  });
  const averagedOver = LABELS.filter((l) => perClass[l].support > 0 || perClass[l].predicted > 0);
  const macroF1 = averagedOver.reduce((s, l) => s + perClass[l].f1, 0) / averagedOver.length;
  const weightedF1 = LABELS.reduce((s, l) => s + perClass[l].f1 * perClass[l].support, 0) / n;
  return { n, accuracy: correct / n, macroF1, weightedF1, perClass, averagedOver, confusion };
}
