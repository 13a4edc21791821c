import { binomialCdf, binomialPmf, chiSquared1Sf } from './binomial';

/**
 * McNemar's test on paired classifications: did models A and B make errors at different rates
 * on the same examples? Only the discordant pairs carry information:
 *   b = A right, B wrong;   c = A wrong, B right.
 * Under H0 (equal error rates) b ~ Binomial(b + c, 1/2).
 *
 * - `exactP`: two-sided exact conditional p = min(1, 2·P(X ≤ min(b, c))).
 * - `midP`: the mid-p variant, exact − P(X = min(b, c)); Fagerland, Lydersen & Laake (2013)
 *   show it keeps the nominal level closely while the exact test is conservative.
 * - `chiSquaredCc`: (|b − c| − 1)² / (b + c) with its χ²₁ p, Edwards' continuity correction,
 *   for reference and comparison with textbooks.
 *
 * ```ts
 * mcnemar(1, 7); // { b: 1, c: 7, n: 8, exactP: 0.0703, midP: 0.0391, chiSquaredCc: 3.125, chiSquaredCcP: 0.0771, ... }
 * ```
 */
export interface McNemarResult {
  /** A right, B wrong. */
  b: number;
  /** A wrong, B right. */
  c: number;
  /** Discordant pairs, b + c. */
  n: number;
  exactP: number;
  midP: number;
  chiSquaredCc: number;
  chiSquaredCcP: number;
  /** Which model the discordant pairs favour (`none` on a tie). */
  favours: 'a' | 'b' | 'none';
}

export function mcnemar(b: number, c: number): McNemarResult {
  for (const [name, v] of [
    ['b', b],
    ['c', c],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  }
  const n = b + c;
  const favours = b > c ? 'a' : c > b ? 'b' : 'none';
  if (n === 0) {
    return { b, c, n, exactP: 1, midP: 1, chiSquaredCc: 0, chiSquaredCcP: 1, favours };
  }
  const k = Math.min(b, c);
  const tail = binomialCdf(k, n, 0.5);
  const exactP = Math.min(1, 2 * tail);
  // Mid-p halves the weight of the observed outcome; with b = c it is exactly 1.
  const midP = Math.min(1, 2 * (tail - 0.5 * binomialPmf(k, n, 0.5)));
  const chi = Math.max(0, Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, n, exactP, midP, chiSquaredCc: chi, chiSquaredCcP: chiSquared1Sf(chi), favours };
}

/** Counts the discordant pairs from per-example correctness of A and B. */
export function discordantPairs(
  correctA: ArrayLike<boolean | number>,
  correctB: ArrayLike<boolean | number>,
): { b: number; c: number } {
  if (correctA.length !== correctB.length) {
    throw new RangeError(`paired samples differ in length: ${correctA.length} vs ${correctB.length}`);
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < correctA.length; i++) {
    const a = Boolean(correctA[i]);
    const bb = Boolean(correctB[i]);
    if (a && !bb) b++;
    else if (!a && bb) c++;
  }
  return { b, c };
}

/** McNemar's test straight from gold labels and two prediction vectors (label indices). */
export function mcnemarFromPredictions(
  truth: ArrayLike<number>,
  predA: ArrayLike<number>,
  predB: ArrayLike<number>,
): McNemarResult {
  if (truth.length !== predA.length || truth.length !== predB.length) {
    throw new RangeError('truth and both prediction vectors must have the same length');
  }
  const ca = new Uint8Array(truth.length);
  const cb = new Uint8Array(truth.length);
  for (let i = 0; i < truth.length; i++) {
    ca[i] = truth[i] === predA[i] ? 1 : 0;
    cb[i] = truth[i] === predB[i] ? 1 : 0;
  }
  const { b, c } = discordantPairs(ca, cb);
  return mcnemar(b, c);
}
