import { gammaln } from 'simple-statistics';

/**
 * Exact binomial tails for McNemar's test. Terms are computed in log space and summed from the
 * largest term outward, so tails stay accurate for thousands of discordant pairs where 2^n
 * overflows and naive summation underflows.
 */

/** log P(X = k) for X ~ Binomial(n, p). */
export function binomialLogPmf(k: number, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  if (p === 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (p === 1) return k === n ? 0 : Number.NEGATIVE_INFINITY;
  return logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

export function binomialPmf(k: number, n: number, p: number): number {
  return Math.exp(binomialLogPmf(k, n, p));
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  // Walk down from k using the ratio P(i-1)/P(i) = i(1-p) / ((n-i+1)p); terms shrink once below
  // the mode, so we stop when they no longer change the sum.
  let term = binomialPmf(k, n, p);
  let sum = term;
  for (let i = k; i > 0; i--) {
    term *= (i * (1 - p)) / ((n - i + 1) * p);
    sum += term;
    if (term < sum * 1e-17 && i < n * p) break;
  }
  return Math.min(1, sum);
}

function logChoose(n: number, k: number): number {
  if (k === 0 || k === n) return 0;
  // gammaln is accurate to ~1e-15 relative; for small n exact log-factorials are cheap and exact.
  if (n <= 170) return Math.log(factorial(n) / (factorial(k) * factorial(n - k)));
  return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);
}

const FACTORIALS: number[] = [1];
function factorial(n: number): number {
  for (let i = FACTORIALS.length; i <= n; i++) FACTORIALS.push(FACTORIALS[i - 1]! * i);
  return FACTORIALS[n]!;
}

/**
 * Complementary error function (Numerical Recipes `erfcc`, fractional error < 1.2e-7
 * everywhere), used for chi-squared tail probabilities that would vanish as 1 − erf(x).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Upper tail P(χ²₁ ≥ x) of the chi-squared distribution with one degree of freedom. */
export function chiSquared1Sf(x: number): number {
  if (!(x > 0)) return 1;
  return erfc(Math.sqrt(x / 2));
}
