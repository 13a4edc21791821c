import type { Label } from '../../types';
import type { Thresholds } from '../mapping';
import { macroF1FromCounts } from './metrics';

const POS = 0;
const NEG = 1;
const NEU = 2;
const INDEX: Record<Label, number> = { positive: POS, negative: NEG, neutral: NEU };

/**
 * The (negative, positive) thresholds on compound that maximise macro-F1 on the given texts.
 * Candidate cuts are the midpoints between consecutive distinct compound values (at most
 * `maxCuts` of them, spread by rank); each pair is scored in O(1) from prefix counts per class.
 * Ties keep the first pair found, scanning from the narrowest neutral band outwards, so the
 * result is deterministic.
 *
 *   fitThresholds([-0.6, 0, 0.5], ['negative', 'neutral', 'positive']) // → { negative: -0.3, positive: 0.25 }
 */
export function fitThresholds(
  compounds: readonly number[],
  gold: readonly Label[],
  maxCuts = 400,
): Thresholds & { macroF1: number } {
  const order = compounds.map((c, i) => [c, INDEX[gold[i]!]] as const).sort((a, b) => a[0] - b[0]);
  const distinct: number[] = [];
  for (const [c] of order) if (distinct.at(-1) !== c) distinct.push(c);
  // Cuts between values, plus one below everything and one above everything.
  let cuts = [distinct[0]! - 1e-6];
  for (let k = 1; k < distinct.length; k++) cuts.push((distinct[k - 1]! + distinct[k]!) / 2);
  cuts.push(distinct.at(-1)! + 1e-6);
  if (cuts.length > maxCuts) {
    const step = (cuts.length - 1) / (maxCuts - 1);
    cuts = Array.from({ length: maxCuts }, (_, k) => cuts[Math.round(k * step)]!);
  }
  // below[k][class] = number of texts of that class with compound < cuts[k].
  const below: number[][] = [];
  const goldCounts = [0, 0, 0];
  for (const [, g] of order) goldCounts[g]!++;
  let p = 0;
  const running = [0, 0, 0];
  for (const cut of cuts) {
    while (p < order.length && order[p]![0] < cut) running[order[p++]![1]]!++;
    below.push([...running]);
  }
  let best = { negative: cuts[0]!, positive: cuts.at(-1)!, macroF1: -1 };
  const n = order.length;
  for (let width = 1; width < cuts.length; width++) {
    for (let lo = 0; lo + width < cuts.length; lo++) {
      const hi = lo + width;
      const neg = below[lo]!; // compound < cuts[lo] → negative
      const notPos = below[hi]!; // compound < cuts[hi] → not positive
      const predNeg = neg[0]! + neg[1]! + neg[2]!;
      const predNotPos = notPos[0]! + notPos[1]! + notPos[2]!;
      const tp = [goldCounts[POS]! - notPos[POS]!, neg[NEG]!, notPos[NEU]! - neg[NEU]!];
      const predicted = [n - predNotPos, predNeg, predNotPos - predNeg];
      const f1 = macroF1FromCounts(tp, predicted, goldCounts);
      if (f1 > best.macroF1 + 1e-12) best = { negative: cuts[lo]!, positive: cuts[hi]!, macroF1: f1 };
    }
  }
  // Compounds have 4 decimals and cuts lie between them, so inclusive thresholds
  // (compound <= negative, >= positive) give the same partition as the strict cuts.
  return {
    negative: clampThreshold(best.negative),
    positive: clampThreshold(best.positive),
    macroF1: best.macroF1,
  };
}

function clampThreshold(x: number): number {
  return Math.min(1, Math.max(-1, Math.round(x * 1e6) / 1e6));
}
