/**
 * The statistics behind drift detection, written out so that they run the same on a sample in
 * memory and on counts that SQL computed over a million rows. Checked against SciPy in
 * tests/drift-stats.test.ts (reference values in tests/fixtures/monitor/stat-references.json).
 */

/** A distribution summarised as sorted distinct values and how often each occurs. */
export interface ValueCounts {
  /** Strictly ascending. */
  values: number[];
  counts: number[];
}

/**
 * Another sample seen through the reference's values: for each reference value v_k, how many
 * of its observations fall strictly below v_k and how many equal it. This is exactly what the
 * empirical CDFs need at every point where the reference CDF jumps, and SQL can compute it with
 * one `width_bucket` pass (see window.ts).
 */
export interface EcdfAtReference {
  total: number;
  lt: number[];
  eq: number[];
}

// ---------------------------------------------------------------------------------------------
// Building summaries in memory

/** Sorted distinct values with counts; NaN and infinities are dropped. */
export function valueCounts(sample: Iterable<number>): ValueCounts {
  const sorted = [...sample].filter(Number.isFinite).sort((a, b) => a - b);
  const values: number[] = [];
  const counts: number[] = [];
  for (const x of sorted) {
    if (values.length > 0 && values[values.length - 1] === x) counts[counts.length - 1]! += 1;
    else {
      values.push(x);
      counts.push(1);
    }
  }
  return { values, counts };
}

export function totalOf(vc: ValueCounts): number {
  let n = 0;
  for (const c of vc.counts) n += c;
  return n;
}

/**
 * Keeps at most `maxPoints` values by merging runs of neighbours into their largest value. The
 * CDF stays exact at every kept value and is off by at most one group's mass in between, so KS
 * distances computed against it err by at most ~1/maxPoints (ties kept whole).
 */
export function compressValueCounts(vc: ValueCounts, maxPoints = 2000): ValueCounts {
  if (vc.values.length <= maxPoints) return vc;
  const n = totalOf(vc);
  const step = n / maxPoints;
  const values: number[] = [];
  const counts: number[] = [];
  let acc = 0;
  let cum = 0;
  let nextCut = step;
  for (let i = 0; i < vc.values.length; i++) {
    acc += vc.counts[i]!;
    cum += vc.counts[i]!;
    if (cum >= nextCut || i === vc.values.length - 1) {
      values.push(vc.values[i]!);
      counts.push(acc);
      acc = 0;
      while (nextCut <= cum) nextCut += step;
    }
  }
  return { values, counts };
}

/** Where a sample falls relative to the reference values (the in-memory twin of the SQL pass). */
export function ecdfAtReference(ref: ValueCounts, sample: readonly number[]): EcdfAtReference {
  const sorted = sample.filter(Number.isFinite).sort((a, b) => a - b);
  const lt: number[] = [];
  const eq: number[] = [];
  let i = 0;
  for (const v of ref.values) {
    while (i < sorted.length && sorted[i]! < v) i++;
    let j = i;
    while (j < sorted.length && sorted[j] === v) j++;
    lt.push(i);
    eq.push(j - i);
  }
  return { total: sorted.length, lt, eq };
}

export function meanSd(vc: ValueCounts): { mean: number; sd: number } {
  const n = totalOf(vc);
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN };
  let s = 0;
  for (let i = 0; i < vc.values.length; i++) s += vc.values[i]! * vc.counts[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < vc.values.length; i++) ss += vc.counts[i]! * (vc.values[i]! - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

// ---------------------------------------------------------------------------------------------
// Two-sample Kolmogorov–Smirnov

export interface KsResult {
  /** sup |F_ref − F_cur|: itself the effect size (a share of the distribution). */
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
  nReference: number;
  nCurrent: number;
}

/** Exact p-values are computed while n·m stays below this many lattice cells. */
export const KS_EXACT_MAX_CELLS = 1_000_000;

/** The KS statistic from the reference counts and the current sample's ECDF at them. */
export function ksStatistic(ref: ValueCounts, cur: EcdfAtReference): number {
  const n = totalOf(ref);
  const m = cur.total;
  if (n === 0 || m === 0) return Number.NaN;
  let refLt = 0;
  let d = 0;
  for (let k = 0; k < ref.values.length; k++) {
    const refLe = refLt + ref.counts[k]!;
    const curLt = cur.lt[k]!;
    const curLe = curLt + cur.eq[k]!;
    // Between reference jumps F_ref is flat and F_cur only rises, so the supremum is reached
    // just before a jump (the "<" counts) or at it (the "≤" counts).
    d = Math.max(d, Math.abs(refLt / n - curLt / m), Math.abs(refLe / n - curLe / m));
    refLt = refLe;
  }
  return d;
}

/**
 * Two-sample KS test. The p-value is exact (lattice-path count, as SciPy's `method='exact'`)
 * when n·m ≤ KS_EXACT_MAX_CELLS, otherwise the Kolmogorov limit with Stephens' small-sample
 * correction, within a few per cent of SciPy's `kstwo` for the sizes monitoring sees.
 *
 * @example ksTest(valueCounts([1, 2, 3]), ecdfAtReference(valueCounts([1, 2, 3]), [4, 5, 6]))
 * // → { statistic: 1, pValue: 0.1, method: 'exact', nReference: 3, nCurrent: 3 }
 */
export function ksTest(ref: ValueCounts, cur: EcdfAtReference): KsResult {
  const n = totalOf(ref);
  const m = cur.total;
  const statistic = ksStatistic(ref, cur);
  if (!Number.isFinite(statistic)) {
    return { statistic, pValue: Number.NaN, method: 'asymptotic', nReference: n, nCurrent: m };
  }
  if (n * m <= KS_EXACT_MAX_CELLS) {
    return { statistic, pValue: ksExactPValue(n, m, statistic), method: 'exact', nReference: n, nCurrent: m };
  }
  return {
    statistic,
    pValue: ksAsymptoticPValue(n, m, statistic),
    method: 'asymptotic',
    nReference: n,
    nCurrent: m,
  };
}

/** Convenience for two in-memory samples. */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const ref = valueCounts(a);
  return ksTest(ref, ecdfAtReference(ref, b));
}

/**
 * P(D ≥ d) under H0 for sample sizes n, m: one minus the probability that a uniformly random
 * interleaving of the two samples keeps |i/n − j/m| < d all the way. The walk is carried in
 * probabilities (each step's chance given the elements left), so nothing overflows.
 */
export function ksExactPValue(n: number, m: number, d: number): number {
  // D·n·m is an integer; rounding absorbs the floating error of d.
  const limit = Math.round(d * n * m);
  if (limit <= 0) return 1;
  const inside = (i: number, j: number) => Math.abs(i * m - j * n) < limit;
  let row = new Float64Array(m + 1);
  row[0] = 1;
  for (let j = 1; j <= m; j++) {
    row[j] = inside(0, j) ? row[j - 1]! * ((m - j + 1) / (n + m - j + 1)) : 0;
  }
  for (let i = 1; i <= n; i++) {
    const next = new Float64Array(m + 1);
    next[0] = inside(i, 0) ? row[0]! * ((n - i + 1) / (n + m - i + 1)) : 0;
    for (let j = 1; j <= m; j++) {
      if (!inside(i, j)) continue;
      const left = n + m - i - j + 1;
      next[j] = row[j]! * ((n - i + 1) / left) + next[j - 1]! * ((m - j + 1) / left);
    }
    row = next;
  }
  return clamp01(1 - row[m]!);
}

/** Kolmogorov's limiting distribution with Stephens' correction (Press et al., §14.3). */
export function ksAsymptoticPValue(n: number, m: number, d: number): number {
  const en = (n * m) / (n + m);
  const s = Math.sqrt(en);
  return kolmogorovSf((s + 0.12 + 0.11 / s) * d);
}

/** Q_KS(λ) = 2 Σ (−1)^{k−1} exp(−2k²λ²). */
export function kolmogorovSf(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 200; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) <= 1e-12 * Math.abs(sum) || Math.abs(term) <= 1e-300) break;
  }
  return clamp01(sum);
}

// ---------------------------------------------------------------------------------------------
// Chi-squared

/** ln Γ(x) by Lanczos (g = 7, n = 9), accurate to ~1e-15 for x > 0. */
export function lnGamma(x: number): number {
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x): series below a+1, Lentz continued fraction above. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPre = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let k = 1; k < 10_000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return clamp01(1 - sum * Math.exp(lnPre));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return clamp01(Math.exp(lnPre) * h);
}

/** P(χ²_df ≥ x). */
export function chiSquaredSf(x: number, df: number): number {
  if (!(df > 0)) return Number.NaN;
  return gammaQ(df / 2, x / 2);
}

export interface ChiSquaredResult {
  statistic: number;
  df: number;
  pValue: number;
  /** Cramér's V in [0, 1]: the effect size that does not grow with n. */
  cramersV: number;
  n: number;
}

/**
 * Pearson's chi-squared test of homogeneity on an r×k table of counts (no continuity
 * correction, as SciPy's `chi2_contingency(correction=False)`); empty rows and columns are
 * dropped first.
 */
export function chiSquaredTest(table: readonly (readonly number[])[]): ChiSquaredResult {
  const rows = table.filter((r) => r.reduce((s, x) => s + x, 0) > 0);
  const width = rows[0]?.length ?? 0;
  const cols: number[] = [];
  for (let j = 0; j < width; j++) if (rows.some((r) => (r[j] ?? 0) > 0)) cols.push(j);
  const n = rows.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  if (rows.length < 2 || cols.length < 2) {
    return { statistic: 0, df: 0, pValue: 1, cramersV: 0, n };
  }
  const rowSums = rows.map((r) => cols.reduce((s, j) => s + r[j]!, 0));
  const colSums = cols.map((j) => rows.reduce((s, r) => s + r[j]!, 0));
  let statistic = 0;
  rows.forEach((r, i) => {
    cols.forEach((j, jj) => {
      const expected = (rowSums[i]! * colSums[jj]!) / n;
      statistic += (r[j]! - expected) ** 2 / expected;
    });
  });
  const df = (rows.length - 1) * (cols.length - 1);
  const k = Math.min(rows.length, cols.length) - 1;
  return { statistic, df, pValue: chiSquaredSf(statistic, df), cramersV: Math.sqrt(statistic / (n * k)), n };
}

// ---------------------------------------------------------------------------------------------
// Population Stability Index

/** Empty bins are floored at this share so log(0) never appears (a common PSI convention). */
export const PSI_EPSILON = 1e-4;

/**
 * Bin edges at the reference's quantiles: each edge is the first value with at least k/bins of
 * the reference strictly below it. Ties collapse edges, so a lumpy reference gives fewer bins.
 * Bins are lower-inclusive, [e_j, e_{j+1}), the convention of SQL's `width_bucket`.
 */
export function quantileEdges(ref: ValueCounts, bins: number): number[] {
  const n = totalOf(ref);
  const edges: number[] = [];
  let below = 0;
  let k = 1;
  for (let i = 0; i < ref.values.length && k < bins; i++) {
    while (k < bins && below / n >= k / bins) {
      if (i > 0 && edges[edges.length - 1] !== ref.values[i]) edges.push(ref.values[i]!);
      k++;
    }
    below += ref.counts[i]!;
  }
  return edges;
}

export interface PsiResult {
  psi: number;
  bins: number;
  edges: number[];
  reference: number[];
  current: number[];
}

/** PSI = Σ (c − r)·ln(c / r) over shares in the reference's quantile bins. */
export function psi(ref: ValueCounts, cur: EcdfAtReference, bins = 10): PsiResult {
  const edges = quantileEdges(ref, bins);
  const n = totalOf(ref);
  const index = new Map(ref.values.map((v, i) => [v, i]));
  // Count below each edge in both samples; bins are the differences.
  const refBelow: number[] = [];
  let acc = 0;
  let e = 0;
  for (let i = 0; i < ref.values.length && e < edges.length; i++) {
    if (ref.values[i] === edges[e]) {
      refBelow.push(acc);
      e++;
    }
    acc += ref.counts[i]!;
  }
  const curBelow = edges.map((edge) => cur.lt[index.get(edge)!]!);
  const refBins = diffs([0, ...refBelow, n]);
  const curBins = diffs([0, ...curBelow, cur.total]);
  let value = 0;
  for (let j = 0; j < refBins.length; j++) {
    const r = Math.max(refBins[j]! / n, PSI_EPSILON);
    const c = Math.max(curBins[j]! / (cur.total || 1), PSI_EPSILON);
    value += (c - r) * Math.log(c / r);
  }
  return { psi: value, bins: refBins.length, edges, reference: refBins, current: curBins };
}

function diffs(xs: number[]): number[] {
  return xs.slice(1).map((x, i) => x - xs[i]!);
}

// ---------------------------------------------------------------------------------------------
// Proportions

export interface ProportionTest {
  reference: number;
  current: number;
  /** current − reference: the effect size thresholds apply to. */
  difference: number;
  /** Cohen's h = 2·asin√p₁ − 2·asin√p₂, reported beside the raw difference. */
  cohensH: number;
  pValue: number;
}

/** Two-proportion z-test (pooled), two-sided. */
export function twoProportionTest(
  refHits: number,
  refN: number,
  curHits: number,
  curN: number,
): ProportionTest {
  const p1 = refN > 0 ? refHits / refN : Number.NaN;
  const p2 = curN > 0 ? curHits / curN : Number.NaN;
  const pooled = (refHits + curHits) / (refN + curN);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / refN + 1 / curN));
  const z = se > 0 ? (p2 - p1) / se : 0;
  return {
    reference: p1,
    current: p2,
    difference: p2 - p1,
    cohensH: 2 * Math.asin(Math.sqrt(p2)) - 2 * Math.asin(Math.sqrt(p1)),
    pValue: refN > 0 && curN > 0 ? chiSquaredSf(z * z, 1) : Number.NaN,
  };
}

/** Two-sided p for a proportion against a fixed expected rate (normal approximation). */
export function oneProportionTest(hits: number, n: number, expected: number): ProportionTest {
  const p = n > 0 ? hits / n : Number.NaN;
  const se = Math.sqrt((expected * (1 - expected)) / n);
  const z = se > 0 ? (p - expected) / se : 0;
  return {
    reference: expected,
    current: p,
    difference: p - expected,
    cohensH: 2 * Math.asin(Math.sqrt(p)) - 2 * Math.asin(Math.sqrt(expected)),
    pValue: n > 0 ? chiSquaredSf(z * z, 1) : Number.NaN,
  };
}

function clamp01(x: number): number {
  return Math.min(Math.max(x, 0), 1);
}
