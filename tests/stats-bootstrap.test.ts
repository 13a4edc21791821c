import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../models/stats/bootstrap';
import { accuracyFromConfusion, macroF1FromConfusion } from '../models/stats/confusion';
import { createRng } from '../models/stats/prng';

/** n examples, 3 classes; A right with probability pa, B with pb, independently. */
function synthetic(n: number, pa: number, pb: number, seed: number) {
  const rng = createRng(seed);
  const truth = new Uint8Array(n);
  const a = new Uint8Array(n);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = rng.int(3);
    truth[i] = t;
    a[i] = rng.next() < pa ? t : (t + 1 + rng.int(2)) % 3;
    b[i] = rng.next() < pb ? t : (t + 1 + rng.int(2)) % 3;
  }
  return { truth, a, b, k: 3 };
}

describe('metrics from a confusion matrix', () => {
  it('matches scikit-learn on a hand-checked case', () => {
    // truth/pred counts: rows truth, cols pred.
    const m = [5, 1, 0, 2, 3, 1, 0, 0, 4];
    // F1: c0 = 10/(6+7)=0.76923, c1 = 6/(6+4)=0.6, c2 = 8/(5+4)... computed: 2tp/(row+col)
    const f1 = [10 / (6 + 7), 6 / (6 + 4), 8 / (4 + 5)];
    expect(macroF1FromConfusion(m, 3)).toBeCloseTo((f1[0]! + f1[1]! + f1[2]!) / 3, 12);
    expect(accuracyFromConfusion(m, 3)).toBeCloseTo(12 / 16, 12);
  });

  it('leaves out a class absent from both truth and predictions', () => {
    const m = [3, 1, 0, 1, 3, 0, 0, 0, 0];
    expect(macroF1FromConfusion(m, 3)).toBeCloseTo(0.75, 12);
  });
});

describe('paired bootstrap', () => {
  it('gives identical intervals for the same seed and different ones for another seed', () => {
    const s = synthetic(400, 0.7, 0.75, 3);
    const r1 = pairedBootstrap(s, { resamples: 1000, seed: 11 });
    const r2 = pairedBootstrap(s, { resamples: 1000, seed: 11 });
    const r3 = pairedBootstrap(s, { resamples: 1000, seed: 12 });
    expect(r2).toEqual(r1);
    expect(r3.deltaMacroF1.lower).not.toBe(r1.deltaMacroF1.lower);
  });

  it('reports the full-sample statistic as the estimate and an interval around it', () => {
    const s = synthetic(500, 0.6, 0.8, 5);
    const r = pairedBootstrap(s, { resamples: 2000, seed: 1 });
    const direct = new Int32Array(9);
    for (let i = 0; i < 500; i++) direct[s.truth[i]! * 3 + s.b[i]!]!++;
    expect(r.macroF1B.estimate).toBeCloseTo(macroF1FromConfusion(direct, 3), 12);
    expect(r.deltaMacroF1.lower).toBeLessThan(r.deltaMacroF1.estimate);
    expect(r.deltaMacroF1.upper).toBeGreaterThan(r.deltaMacroF1.estimate);
    // B is clearly better: the whole interval lies above zero.
    expect(r.deltaMacroF1.lower).toBeGreaterThan(0.1);
    expect(r.probDeltaMacroF1AtMostZero).toBe(0);
  });

  it('covers the true difference in accuracy on about 95% of synthetic samples', () => {
    // True Δaccuracy = 0.78 − 0.72 = 0.06 by construction. 40 independent samples of 300.
    let covered = 0;
    const trials = 40;
    for (let t = 0; t < trials; t++) {
      const s = synthetic(300, 0.72, 0.78, 1000 + t);
      const r = pairedBootstrap(s, { resamples: 1000, seed: t });
      if (r.deltaAccuracy.lower <= 0.06 && 0.06 <= r.deltaAccuracy.upper) covered++;
    }
    // Binomial(40, 0.95): P(covered ≤ 33) ≈ 0.01, so this only fails if coverage is really off.
    expect(covered).toBeGreaterThanOrEqual(34);
  });

  it('is narrower for the paired difference than the independent intervals suggest when models agree', () => {
    const s = synthetic(400, 0.7, 0.7, 9);
    // B equals A except on 20 examples: highly correlated models.
    const b = Uint8Array.from(s.a);
    for (let i = 0; i < 20; i++) b[i] = s.truth[i]!;
    const r = pairedBootstrap({ ...s, b }, { resamples: 1000, seed: 2 });
    const independentWidth = r.macroF1A.upper - r.macroF1A.lower + (r.macroF1B.upper - r.macroF1B.lower);
    expect(r.deltaMacroF1.upper - r.deltaMacroF1.lower).toBeLessThan(independentWidth / 3);
  });

  it('rejects mismatched lengths, empty samples and too few resamples', () => {
    expect(() => pairedBootstrap({ truth: [0], a: [0, 1], b: [0], k: 3 })).toThrow(/differ in length/);
    expect(() => pairedBootstrap({ truth: [], a: [], b: [], k: 3 })).toThrow(/empty/);
    expect(() => pairedBootstrap({ truth: [0], a: [0], b: [0], k: 3 }, { resamples: 10 })).toThrow(/≥ 100/);
  });
});
