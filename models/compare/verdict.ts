import type { PromotionPolicy, Verdict } from '../../config/promotion';
import type { Interval } from '../stats/bootstrap';
import type { LatencySummary } from './evaluation';

/**
 * The promotion rule. B is the candidate, A the baseline; Δ = B − A.
 *
 * - inconclusive: fewer than `minSamples` examples, or none of the rules below decide;
 * - inferior: B's p95 latency breaks the budget, or Δmacro-F1 is clearly negative (the upper CI
 *   bound is below −nonInferiorityMargin, or below 0 with McNemar p < α against B);
 * - superior: the lower CI bound of Δmacro-F1 exceeds `margin` AND McNemar p < α (and latency ok);
 * - non-inferior: the lower CI bound stays above −nonInferiorityMargin (and latency ok).
 *
 * Promotion is allowed when the verdict is listed in `promoteOn`; a non-inferior candidate also
 * needs a weighted score no lower than the baseline's.
 */
export interface WeightedScore {
  /** Macro-F1, in [0, 1]. */
  accuracy: number;
  /** 1 / (1 + p95 / reference); null when latency was not measured. */
  latency: number | null;
  /** 1 / (1 + usdPer1k / reference); null when unknown. */
  cost: number | null;
  /** Weighted mean of the available components. */
  total: number;
}

export interface Check {
  name:
    | 'samples'
    | 'latency-budget'
    | 'latency-ratio'
    | 'ci-margin'
    | 'significance'
    | 'non-inferiority'
    | 'score';
  passed: boolean;
  detail: string;
}

export interface VerdictResult {
  verdict: Verdict;
  /** Whether the policy allows promoting B over A. */
  promote: boolean;
  /** Sentences a reviewer reads: why this verdict, why (not) promote. */
  reasons: string[];
  checks: Check[];
}

export interface VerdictInput {
  n: number;
  deltaMacroF1: Interval;
  /** McNemar p-value of the policy's test (mid-p or exact). */
  pValue: number;
  /** Which model the discordant pairs favour. */
  favours: 'a' | 'b' | 'none';
  latencyA: LatencySummary | null;
  latencyB: LatencySummary | null;
  scoreA: WeightedScore;
  scoreB: WeightedScore;
  policy: PromotionPolicy;
}

export function weightedScore(
  macroF1: number,
  latency: LatencySummary | null,
  costUsdPer1k: number | null,
  policy: PromotionPolicy,
): WeightedScore {
  const { weights, latencyReferenceMs, costReferenceUsdPer1k } = policy.score;
  const lat = latency ? 1 / (1 + latency.p95 / latencyReferenceMs) : null;
  const cost = costUsdPer1k === null ? null : 1 / (1 + costUsdPer1k / costReferenceUsdPer1k);
  let num = weights.accuracy * macroF1;
  let den = weights.accuracy;
  if (lat !== null) {
    num += weights.latency * lat;
    den += weights.latency;
  }
  if (cost !== null) {
    num += weights.cost * cost;
    den += weights.cost;
  }
  return { accuracy: macroF1, latency: lat, cost, total: den === 0 ? 0 : num / den };
}

/** Cost per 1,000 predictions: the family's fixed price, else mean latency priced as CPU time. */
export function costPer1k(
  family: string,
  latency: LatencySummary | null,
  policy: PromotionPolicy,
): number | null {
  const fixed = policy.cost.perFamily[family];
  if (fixed !== undefined) return fixed;
  if (!latency) return null;
  return (latency.mean * policy.cost.usdPerCpuHour) / 3600;
}

const f3 = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);
const pct = (x: number) => `${Math.round(x * 100)}%`;
const fp = (p: number) => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));

export function decideVerdict(input: VerdictInput): VerdictResult {
  const { policy, deltaMacroF1: d } = input;
  const level = pct(policy.bootstrap.confidence);
  const checks: Check[] = [];

  checks.push({
    name: 'samples',
    passed: input.n >= policy.minSamples,
    detail: `${input.n} test examples ${input.n >= policy.minSamples ? '≥' : '<'} minimum ${policy.minSamples}`,
  });

  if (input.latencyB) {
    const budget = policy.latency.p95BudgetMs;
    const ok = input.latencyB.p95 <= budget;
    checks.push({
      name: 'latency-budget',
      passed: ok,
      detail: `candidate p95 latency ${input.latencyB.p95.toFixed(2)} ms ${ok ? '≤' : '>'} budget ${budget} ms`,
    });
    const maxRatio = policy.latency.maxP95Ratio;
    if (maxRatio !== null && input.latencyA && input.latencyA.p95 > 0) {
      const ratio = input.latencyB.p95 / input.latencyA.p95;
      checks.push({
        name: 'latency-ratio',
        passed: ratio <= maxRatio,
        detail: `p95 latency ratio B/A ${ratio.toFixed(2)}× ${ratio <= maxRatio ? '≤' : '>'} allowed ${maxRatio}×`,
      });
    }
  }

  const marginOk = d.lower > policy.margin;
  checks.push({
    name: 'ci-margin',
    passed: marginOk,
    detail: `lower ${level} CI bound of Δmacro-F1 ${f3(d.lower)} ${marginOk ? '>' : '≤'} margin ${policy.margin}`,
  });
  const significant = input.pValue < policy.alpha;
  checks.push({
    name: 'significance',
    passed: significant && input.favours === 'b',
    detail:
      `McNemar ${policy.test} p = ${fp(input.pValue)} ${significant ? '<' : '≥'} α ${policy.alpha}` +
      (input.favours === 'none'
        ? ' (discordant pairs tie)'
        : ` (discordant pairs favour ${input.favours.toUpperCase()})`),
  });
  const nonInferior = d.lower > -policy.nonInferiorityMargin;
  checks.push({
    name: 'non-inferiority',
    passed: nonInferior,
    detail: `lower ${level} CI bound of Δmacro-F1 ${f3(d.lower)} ${nonInferior ? '>' : '≤'} −${policy.nonInferiorityMargin}`,
  });
  const scoreOk = input.scoreB.total >= input.scoreA.total;
  checks.push({
    name: 'score',
    passed: scoreOk,
    detail: `weighted score B ${input.scoreB.total.toFixed(3)} ${scoreOk ? '≥' : '<'} A ${input.scoreA.total.toFixed(3)}`,
  });

  const get = (name: Check['name']) => checks.find((c) => c.name === name);
  const latencyFailures = checks.filter((c) => c.name.startsWith('latency') && !c.passed);
  const ci = `Δmacro-F1 ${f3(d.estimate)} (${level} CI ${f3(d.lower)} to ${f3(d.upper)})`;
  const reasons: string[] = [];
  let verdict: Verdict;

  if (!get('samples')!.passed) {
    verdict = 'inconclusive';
    reasons.push(`too few test examples: ${get('samples')!.detail}`);
  } else if (latencyFailures.length > 0) {
    verdict = 'inferior';
    for (const c of latencyFailures) reasons.push(`latency gate failed: ${c.detail}`);
  } else if (
    d.upper < -policy.nonInferiorityMargin ||
    (d.upper < 0 && significant && input.favours === 'a')
  ) {
    verdict = 'inferior';
    reasons.push(
      d.upper < -policy.nonInferiorityMargin
        ? `${ci}: the whole interval lies below −${policy.nonInferiorityMargin}`
        : `${ci}: the interval lies below 0 and ${get('significance')!.detail}`,
    );
  } else if (marginOk && significant && input.favours === 'b') {
    verdict = 'superior';
    reasons.push(`${ci}: ${get('ci-margin')!.detail}`, get('significance')!.detail);
  } else if (nonInferior) {
    verdict = 'non-inferior';
    reasons.push(`${ci}: ${get('non-inferiority')!.detail}`);
    if (!marginOk) reasons.push(`not superior: ${get('ci-margin')!.detail}`);
    else reasons.push(`not superior: ${get('significance')!.detail}`);
  } else {
    verdict = 'inconclusive';
    reasons.push(`${ci}: the interval is too wide to decide (${get('non-inferiority')!.detail})`);
    reasons.push(get('significance')!.detail);
  }
  for (const c of checks) {
    if (c.name.startsWith('latency') && c.passed) reasons.push(c.detail);
  }

  let promote = policy.promoteOn.includes(verdict);
  if (promote && verdict === 'non-inferior' && !scoreOk) {
    promote = false;
    reasons.push(`not promoted: non-inferior but ${get('score')!.detail}`);
  } else {
    reasons.push(get('score')!.detail);
    reasons.push(
      promote
        ? `promotion allowed: the policy promotes on ${policy.promoteOn.join(', ')}`
        : `promotion not allowed: the policy promotes only on ${policy.promoteOn.join(', ')}`,
    );
  }
  return { verdict, promote, reasons, checks };
}
