import { describe, expect, it } from 'vitest';
import { binomialCdf, chiSquared1Sf } from '../models/stats/binomial';
import { discordantPairs, mcnemar, mcnemarFromPredictions } from '../models/stats/mcnemar';

/** P(X ≤ k), X ~ Bin(n, 1/2), computed exactly with BigInt rationals: an independent oracle. */
function exactHalfTail(k: number, n: number): number {
  let choose = 1n;
  let sum = 0n;
  for (let i = 0; i <= k; i++) {
    if (i > 0) choose = (choose * BigInt(n - i + 1)) / BigInt(i);
    sum += choose;
  }
  // Keep the top 64 bits of the exact sum and apply the power of two in log space, so tails far
  // below the smallest double-precision number of 2^-n still come out with ~13 significant digits.
  const shift = Math.max(0, sum.toString(2).length - 64);
  return 2 ** (Math.log2(Number(sum >> BigInt(shift))) + shift - n);
}

describe('exact binomial tails', () => {
  it('match exact rational arithmetic for small and large n', () => {
    for (const [k, n] of [
      [0, 1],
      [1, 8],
      [3, 20],
      [10, 40],
      [45, 100],
      [200, 500],
      [610, 1300],
    ] as const) {
      const want = exactHalfTail(k, n);
      expect(binomialCdf(k, n, 0.5)).toBeCloseTo(want, 12);
      expect(Math.abs(binomialCdf(k, n, 0.5) - want) / want).toBeLessThan(1e-9);
    }
  });

  it('stay accurate deep in the tail where the probability is tiny', () => {
    const want = exactHalfTail(100, 1000); // ≈ 1.5e-147
    const got = binomialCdf(100, 1000, 0.5);
    expect(got).toBeGreaterThan(0);
    expect(Math.abs(got - want) / want).toBeLessThan(1e-9);
  });

  it('handle an asymmetric success probability (checked against a direct sum)', () => {
    // P(X ≤ 2) for Bin(10, 0.3) = 0.3827827864 (exact: Σ C(10,i) 0.3^i 0.7^(10-i), i ≤ 2)
    expect(binomialCdf(2, 10, 0.3)).toBeCloseTo(0.3827827864, 9);
  });
});

describe("McNemar's test", () => {
  it('reproduces the airway hyper-responsiveness example of Fagerland, Lydersen & Laake (2013)', () => {
    // b = 1, c = 7: exact conditional p = 0.0703, mid-p = 0.0391.
    const r = mcnemar(1, 7);
    expect(r.exactP).toBeCloseTo(18 / 256, 12);
    expect(r.midP).toBeCloseTo(10 / 256, 12);
    expect(r.exactP).toBeCloseTo(0.0703, 4);
    expect(r.midP).toBeCloseTo(0.0391, 4);
    expect(r.favours).toBe('b');
  });

  it("reproduces Agresti's presidential approval example (b = 150, c = 86)", () => {
    // Agresti, Categorical Data Analysis: z² = 17.36 without correction; with Edwards'
    // correction (|150 − 86| − 1)² / 236 = 16.818, p ≈ 4.1e-5.
    const r = mcnemar(150, 86);
    expect(r.chiSquaredCc).toBeCloseTo(3969 / 236, 10);
    expect(r.chiSquaredCcP).toBeCloseTo(4.115e-5, 7);
    expect(r.exactP).toBeCloseTo(2 * exactHalfTail(86, 236), 12);
    expect(r.favours).toBe('a');
  });

  it('reproduces the Wikipedia worked example (b = 121, c = 59: χ² with correction 20.672)', () => {
    const r = mcnemar(121, 59);
    expect(r.chiSquaredCc).toBeCloseTo(20.672, 3);
    expect(r.chiSquaredCcP).toBeLessThan(1e-5);
  });

  it('never exceeds 1 and is exactly 1 when there are no discordant pairs', () => {
    expect(mcnemar(0, 0)).toMatchObject({ exactP: 1, midP: 1, chiSquaredCcP: 1, favours: 'none' });
    const tie = mcnemar(5, 5);
    expect(tie.exactP).toBe(1);
    // At a tie the mid-p is exactly 1 as well: the observed outcome is the centre.
    expect(tie.midP).toBeCloseTo(1, 12);
    // b = 5, c = 6: P(X ≤ 5) = 1024/2048, P(X = 5) = 462/2048 → mid-p = 2(1024 − 231)/2048.
    expect(mcnemar(5, 6).midP).toBeCloseTo((2 * (1024 - 231)) / 2048, 12);
  });

  it('mid-p is always below the exact p and both are symmetric in b and c', () => {
    for (const [b, c] of [
      [3, 12],
      [40, 61],
      [0, 9],
    ] as const) {
      const r = mcnemar(b, c);
      expect(r.midP).toBeLessThan(r.exactP);
      expect(mcnemar(c, b).exactP).toBeCloseTo(r.exactP, 14);
    }
  });

  it('rejects negative or fractional counts', () => {
    expect(() => mcnemar(-1, 3)).toThrow(/non-negative integer/);
    expect(() => mcnemar(1.5, 3)).toThrow(/non-negative integer/);
  });

  it('counts discordant pairs from predictions', () => {
    const truth = [0, 1, 2, 0, 1, 2];
    const a = [0, 1, 0, 1, 1, 2]; // right, right, wrong, wrong, right, right
    const b = [0, 0, 2, 0, 1, 1]; // right, wrong, right, right, right, wrong
    expect(discordantPairs([1, 1, 0, 0, 1, 1], [1, 0, 1, 1, 1, 0])).toEqual({ b: 2, c: 2 });
    expect(mcnemarFromPredictions(truth, a, b)).toMatchObject({ b: 2, c: 2 });
  });

  it('chi-squared tail matches known quantiles', () => {
    expect(chiSquared1Sf(3.841458820694124)).toBeCloseTo(0.05, 6);
    expect(chiSquared1Sf(6.634896601021214)).toBeCloseTo(0.01, 6);
    expect(chiSquared1Sf(0)).toBe(1);
  });
});
