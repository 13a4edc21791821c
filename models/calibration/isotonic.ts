/**
 * Isotonic regression of correctness on confidence (pool-adjacent-violators), for models whose
 * scores are not logits of anything (VADER's proportions): the calibrated confidence is a
 * non-decreasing function of the raw one, read off piecewise-linearly between the fitted blocks.
 */
export interface IsotonicMap {
  /** Block centres (mean raw confidence), increasing. */
  x: number[];
  /** Block accuracies, non-decreasing. */
  y: number[];
}

/** Fits the map on (raw confidence, was the label right) pairs. */
export function fitIsotonic(confidence: readonly number[], correct: readonly boolean[]): IsotonicMap {
  if (confidence.length !== correct.length) throw new RangeError('confidence and correct differ in length');
  if (confidence.length === 0)
    throw new RangeError('cannot fit isotonic regression on an empty validation split');
  const order = confidence.map((c, i) => [c, correct[i] ? 1 : 0] as const).sort((p, q) => p[0] - q[0]);
  // Each block: summed x, summed y, weight. Merge while a block's mean falls below its predecessor's.
  const blocks: { sx: number; sy: number; w: number }[] = [];
  for (const [c, y] of order) {
    blocks.push({ sx: c, sy: y, w: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const prev = blocks[blocks.length - 2]!;
      if (prev.sy / prev.w <= last.sy / last.w) break;
      blocks.pop();
      prev.sx += last.sx;
      prev.sy += last.sy;
      prev.w += last.w;
    }
  }
  return { x: blocks.map((b) => b.sx / b.w), y: blocks.map((b) => b.sy / b.w) };
}

/** Calibrated confidence for a raw one: linear between block centres, flat beyond the ends. */
export function applyIsotonic(map: IsotonicMap, confidence: number): number {
  const { x, y } = map;
  if (x.length === 0) return confidence;
  if (confidence <= x[0]!) return y[0]!;
  if (confidence >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= confidence) lo = mid;
    else hi = mid;
  }
  const t = (confidence - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}
