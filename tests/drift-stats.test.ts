import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chiSquaredSf,
  chiSquaredTest,
  compressValueCounts,
  ecdfAtReference,
  ksAsymptoticPValue,
  ksStatistic,
  ksTwoSample,
  psi,
  quantileEdges,
  twoProportionTest,
  valueCounts,
} from '../pipeline/monitor/stats';

// Computed by SciPy (tests/fixtures/monitor/make-stat-references.py).
const REF = JSON.parse(
  readFileSync(new URL('./fixtures/monitor/stat-references.json', import.meta.url), 'utf8'),
) as {
  ks: Array<{
    name: string;
    a: number[];
    b: number[];
    statistic: number;
    pvalue: number;
    pvalue_exact?: number;
  }>;
  chi2_sf: Array<{ x: number; df: number; sf: number }>;
  chi2_contingency: Array<{ table: number[][]; chi2: number; p: number; dof: number; cramers_v: number }>;
};

describe('two-sample Kolmogorov-Smirnov', () => {
  it.each(REF.ks.map((k) => [k.name, k] as const))('matches SciPy on %s', (_name, k) => {
    const r = ksTwoSample(k.a, k.b);
    expect(r.statistic).toBeCloseTo(k.statistic, 12);
    if (k.pvalue_exact !== undefined) {
      expect(r.method).toBe('exact');
      expect(r.pValue).toBeCloseTo(k.pvalue_exact, 9);
    } else {
      // SciPy's asymptotic is kstwo(round(en)); Stephens' corrected limit stays within 5 %.
      expect(r.method).toBe('asymptotic');
      expect(Math.abs(r.pValue / k.pvalue - 1)).toBeLessThan(0.05);
    }
  });

  it('agrees with SciPy asymptotic p-values within 5 % where SciPy used them', () => {
    for (const k of REF.ks.filter((x) => x.name.includes('asymp'))) {
      const p = ksAsymptoticPValue(k.a.length, k.b.length, k.statistic);
      expect(Math.abs(p / k.pvalue - 1)).toBeLessThan(0.05);
    }
  });

  it('gives D = 1 and the exact p 2/C(6,3) = 0.1 for fully separated triples', () => {
    const r = ksTwoSample([1, 2, 3], [4, 5, 6]);
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(0.1, 12);
  });

  it('computes D from reference counts exactly as from raw samples, ties included', () => {
    const a = [0, 0, 0, 0.5, 0.5, 1, 2, 2, 3];
    const b = [0, 0.5, 0.5, 0.5, 2, 4, 4];
    const ref = valueCounts(a);
    expect(ksStatistic(ref, ecdfAtReference(ref, b))).toBeCloseTo(ksTwoSample(b, a).statistic, 12);
  });

  it('keeps D within one group of mass after compressing the reference to 200 points', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => Math.sin(i) * 3);
    const b = Array.from({ length: 5_000 }, (_, i) => Math.sin(i * 1.7) * 3 + 0.2);
    const full = valueCounts(a);
    const small = compressValueCounts(full, 200);
    expect(small.values.length).toBeLessThanOrEqual(200);
    const exact = ksStatistic(full, ecdfAtReference(full, b));
    const approx = ksStatistic(small, ecdfAtReference(small, b));
    expect(Math.abs(exact - approx)).toBeLessThanOrEqual(1 / 200 + 1e-9);
  });
});

describe('chi-squared', () => {
  it.each(REF.chi2_sf.map((c) => [c.x, c.df, c.sf] as const))(
    'P(χ² ≥ %d | df %d) matches SciPy',
    (x, df, sf) => {
      expect(Math.abs(chiSquaredSf(x, df) - sf)).toBeLessThanOrEqual(1e-12 + 1e-10 * sf);
    },
  );

  it('has the closed form exp(-x/2) for two degrees of freedom', () => {
    for (const x of [0.1, 1, 7.5, 40]) expect(chiSquaredSf(x, 2)).toBeCloseTo(Math.exp(-x / 2), 14);
  });

  it.each(REF.chi2_contingency.map((c) => [JSON.stringify(c.table), c] as const))(
    'tests homogeneity of %s like SciPy, with Cramér’s V',
    (_t, c) => {
      const r = chiSquaredTest(c.table);
      expect(r.statistic).toBeCloseTo(c.chi2, 9);
      expect(r.df).toBe(c.dof);
      expect(r.pValue).toBeCloseTo(c.p, 12);
      expect(r.cramersV).toBeCloseTo(c.cramers_v, 12);
    },
  );
});

describe('population stability index', () => {
  const ref = valueCounts(Array.from({ length: 1000 }, (_, i) => i));

  it('puts quantile edges at the deciles of the reference', () => {
    expect(quantileEdges(ref, 10)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('is zero for the same distribution and matches the hand-computed value for a known shift', () => {
    const same = psi(
      ref,
      ecdfAtReference(
        ref,
        Array.from({ length: 500 }, (_, i) => 2 * i),
      ),
    );
    expect(same.psi).toBeCloseTo(0, 12);
    // Everything moved up by 5 %: the first bin halves, a bin above 1 does not exist, so the
    // last bin takes the other half: (0.05-0.1)ln(0.5) + (0.15-0.1)ln(1.5).
    const shifted = psi(
      ref,
      ecdfAtReference(
        ref,
        Array.from({ length: 1000 }, (_, i) => i + 50),
      ),
    );
    expect(shifted.psi).toBeCloseTo(-0.05 * Math.log(0.5) + 0.05 * Math.log(1.5), 9);
  });

  it('merges tied quantiles instead of making empty bins', () => {
    const lumpy = valueCounts([
      ...new Array(600).fill(0),
      ...Array.from({ length: 400 }, (_, i) => 0.1 + i / 400),
    ]);
    const edges = quantileEdges(lumpy, 10);
    expect(new Set(edges).size).toBe(edges.length);
    expect(edges[0]).toBeGreaterThan(0);
  });
});

describe('proportions', () => {
  it('reports the difference, Cohen’s h and the two-sided z-test p', () => {
    const t = twoProportionTest(50, 1000, 100, 1000);
    expect(t.difference).toBeCloseTo(0.05, 12);
    expect(t.cohensH).toBeCloseTo(2 * Math.asin(Math.sqrt(0.1)) - 2 * Math.asin(Math.sqrt(0.05)), 12);
    // z = 0.05 / sqrt(0.075·0.925·0.002) = 4.2447…; p = erfc(z/√2) ≈ 2.19e-5.
    expect(t.pValue).toBeGreaterThan(2.1e-5);
    expect(t.pValue).toBeLessThan(2.3e-5);
  });
});
