/**
 * Macro-F1 over class indices, for early stopping. (The evaluation module computes the full
 * report; this is the one number the trainer watches.)
 *
 * @example
 *   macroF1([0, 1, 2, 2], [0, 1, 2, 1], 3) // 0.777…
 */
export function macroF1(truth: readonly number[], predicted: readonly number[], classes: number): number {
  const tp = new Array<number>(classes).fill(0);
  const fp = new Array<number>(classes).fill(0);
  const fn = new Array<number>(classes).fill(0);
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    if (p === t) tp[t]!++;
    else {
      fp[p]!++;
      fn[t]!++;
    }
  });
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const denom = 2 * tp[c]! + fp[c]! + fn[c]!;
    sum += denom === 0 ? 0 : (2 * tp[c]!) / denom;
  }
  return sum / classes;
}

export function accuracy(truth: readonly number[], predicted: readonly number[]): number {
  if (truth.length === 0) return 0;
  return truth.filter((t, i) => t === predicted[i]).length / truth.length;
}
