import type { Label } from '../../types';
import { gateTerms, type PolarityGateSpec } from '../gate';
import { Adam } from './fit';
import { macroF1FromCounts } from './metrics';
import { isLearnable } from './text';

/** Hyperparameters of the polarity gate (searched by the trainer on the validation split). */
export interface GateParams {
  /** 1: learn a gate; 0: none (the v1 model: two thresholds on compound). */
  gate: number;
  /** L2 penalty on the term weights (per text: the loss is the mean log-loss + gateL2·Σ g²). */
  gateL2: number;
  /** Minimum number of training texts a term must occur in to get a weight. */
  gateMinSupport: number;
  /** 1: adjacent word pairs are terms too; 0: single words only. */
  gatePairs: number;
  /** 1: function and rule words ("will", "not", "to") may get weights; 0: content words only. */
  gateFunctionWords: number;
  gateLearningRate: number;
  gateSteps: number;
}

export interface GateDoc {
  tokens: readonly string[];
  /** VADER's compound for the text, from an overlay that did not see the text. */
  compound: number;
  label: Label;
}

const WORD = /^[a-z][a-z'-]*[a-z]$/;

/** Whether a gate term (a token, or a pair of tokens) may get a weight. */
export function gateLearnable(term: string, excluded: ReadonlySet<string>, functionWords: boolean): boolean {
  const words = term.split(' ');
  return words.every((w) => !excluded.has(w) && (functionWords ? WORD.test(w) : isLearnable(w)));
}

/**
 * Fits the gate's bias, intensity weight and term weights by L2-penalised logistic regression of
 * "polar" (positive or negative) against neutral, on the engine's tokens and VADER's |compound|.
 * The bias and the intensity weight are not penalised: with a strong penalty the gate falls back
 * on "polar when |compound| is large", the shape of the v1 model. Full-batch Adam from zero,
 * fixed steps and term order: the same data and parameters give the same gate. Weights are
 * rounded to 3 decimals and those that round to 0 are dropped.
 */
export function fitGate(
  docs: readonly GateDoc[],
  excluded: ReadonlySet<string>,
  p: GateParams,
): Omit<PolarityGateSpec, 'threshold' | 'midpoint'> {
  const pairs = p.gatePairs > 0;
  const termsOf = docs.map((d) =>
    gateTerms(d.tokens, pairs).filter((t) => gateLearnable(t, excluded, p.gateFunctionWords > 0)),
  );
  const support = new Map<string, number>();
  for (const terms of termsOf) for (const t of terms) support.set(t, (support.get(t) ?? 0) + 1);
  const vocab = [...support.keys()].filter((t) => support.get(t)! >= p.gateMinSupport).sort();
  const index = new Map(vocab.map((t, j) => [t, j]));
  const rows = termsOf.map((terms) =>
    terms.map((t) => index.get(t)).filter((j): j is number => j !== undefined),
  );
  const y = docs.map((d) => (d.label === 'neutral' ? 0 : 1));
  const x = docs.map((d) => Math.abs(d.compound));
  const size = vocab.length;
  // θ = [term weights…, bias, intensity]
  const w = new Float64Array(size + 2);
  const grad = new Float64Array(size + 2);
  const adam = new Adam(size + 2, p.gateLearningRate);
  const n = docs.length;
  for (let step = 0; step < p.gateSteps; step++) {
    grad.fill(0);
    for (let d = 0; d < n; d++) {
      const row = rows[d]!;
      let z = w[size]! + w[size + 1]! * x[d]!;
      for (const j of row) z += w[j]!;
      const r = (1 / (1 + Math.exp(-z)) - y[d]!) / n;
      for (const j of row) grad[j]! += r;
      grad[size]! += r;
      grad[size + 1]! += r * x[d]!;
    }
    for (let j = 0; j < size; j++) grad[j]! += 2 * p.gateL2 * w[j]!;
    adam.step(grad, (j, delta) => {
      w[j] = w[j]! - delta;
    });
  }
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const weights: Record<string, number> = {};
  vocab.forEach((t, j) => {
    const v = round(w[j]!);
    if (v !== 0) weights[t] = v;
  });
  return { bias: round(w[size]!), intensity: round(w[size + 1]!), weights };
}

/**
 * The gate threshold on P(polar) that maximises macro-F1, the direction of a polar text being the
 * sign of (compound − midpoint). Candidate cuts are midpoints between consecutive distinct
 * probabilities (at most `maxCuts`, spread by rank); ties keep the lowest cut.
 */
export function fitGateThreshold(
  probabilities: readonly number[],
  compounds: readonly number[],
  gold: readonly Label[],
  midpoint = 0,
  maxCuts = 400,
): { threshold: number; macroF1: number } {
  const K = { positive: 0, negative: 1, neutral: 2 } as const;
  // A polar text's label; no direction (compound on the midpoint) reads as neutral.
  const direction = compounds.map((c) => (c > midpoint ? 0 : c < midpoint ? 1 : 2));
  const order = probabilities.map((_, i) => i).sort((a, b) => probabilities[a]! - probabilities[b]!);
  const distinct: number[] = [];
  for (const i of order) if (distinct.at(-1) !== probabilities[i]) distinct.push(probabilities[i]!);
  let cuts = [distinct[0]! - 1e-9];
  for (let k = 1; k < distinct.length; k++) cuts.push((distinct[k - 1]! + distinct[k]!) / 2);
  cuts.push(distinct.at(-1)! + 1e-9);
  if (cuts.length > maxCuts) {
    const step = (cuts.length - 1) / (maxCuts - 1);
    cuts = Array.from({ length: maxCuts }, (_, k) => cuts[Math.round(k * step)]!);
  }
  const goldCounts = [0, 0, 0];
  for (const g of gold) goldCounts[K[g]]!++;
  // Start with every text polar (cut below all), then move texts to neutral in order of p.
  const tp = [0, 0, 0];
  const predicted = [0, 0, 0];
  gold.forEach((g, i) => {
    predicted[direction[i]!]!++;
    if (direction[i] === K[g]) tp[direction[i]!]!++;
  });
  let best = { threshold: cuts[0]!, macroF1: -1 };
  let next = 0;
  for (const cut of cuts) {
    while (next < order.length && probabilities[order[next]!]! < cut) {
      const i = order[next++]!;
      const g = K[gold[i]!];
      const from = direction[i]!;
      predicted[from]!--;
      if (from === g) tp[from]!--;
      predicted[2]!++;
      if (g === 2) tp[2]!++;
    }
    const f1 = macroF1FromCounts(tp, predicted, goldCounts);
    if (f1 > best.macroF1 + 1e-12) best = { threshold: cut, macroF1: f1 };
  }
  return { threshold: Math.round(best.threshold * 1e6) / 1e6, macroF1: best.macroF1 };
}
