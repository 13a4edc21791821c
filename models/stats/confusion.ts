/**
 * Metrics from a k×k confusion matrix stored row-major in a typed array (rows = truth,
 * columns = prediction). The bootstrap calls these thousands of times, so they allocate nothing.
 *
 * Macro-F1 follows scikit-learn's `f1_score(average='macro')` with default labels: the mean F1
 * over the classes that occur in the truth or the predictions (a class absent from both has
 * an undefined F1 and is left out rather than counted as 0 or 1).
 */
export function accuracyFromConfusion(counts: ArrayLike<number>, k: number): number {
  let correct = 0;
  let total = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = counts[i * k + j]!;
      total += v;
      if (i === j) correct += v;
    }
  }
  return total === 0 ? 0 : correct / total;
}

export function macroF1FromConfusion(counts: ArrayLike<number>, k: number): number {
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    const tp = counts[c * k + c]!;
    let rowSum = 0; // tp + fn
    let colSum = 0; // tp + fp
    for (let j = 0; j < k; j++) {
      rowSum += counts[c * k + j]!;
      colSum += counts[j * k + c]!;
    }
    const denom = rowSum + colSum; // = 2tp + fp + fn
    if (denom === 0) continue;
    sum += (2 * tp) / denom;
    classes++;
  }
  return classes === 0 ? 0 : sum / classes;
}

/** Fills `out` (length k*k) with the confusion counts of truth vs pred (label indices < k). */
export function confusionInto(
  out: Int32Array | Float64Array,
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  k: number,
): void {
  out.fill(0);
  for (let i = 0; i < truth.length; i++) out[truth[i]! * k + pred[i]!]!++;
}
