/**
 * How far can a model of the financial VADER's shape go on the Twitter financial set? Fits, on
 * the same seeded 80/20 search split the trainer uses (sent_valid.csv is never read), two
 * bag-of-words models on the engine's own tokens:
 *
 * - **ordinal**: one additive score per text with two cut-offs — the shape of `vader` (a
 *   lexicon sum, thresholds on compound), but with unconstrained valences and no prior; the
 *   cut-offs are reported as fitted ("own") and re-fitted on the split itself ("oracle", an
 *   optimistic bound);
 * - **multinomial**: three scores per word (logistic regression): no single-score limit.
 *
 * The gap between the two is what the one-score design costs. Full-batch Adam, 300 steps,
 * lr 0.05; words in at least 2 training texts; tickers and URLs collapsed.
 *
 *   npx tsx bench/vader-ceiling.ts [--pairs] [--l2 1e-4,1e-5]     (~5 s per L2 value)
 */
import path from 'node:path';
import { sharedDir } from '../lib/paths';
import type { Label } from '../models/types';
import { VaderEngine } from '../models/vader/engine';
import { readLabelledCsv } from '../models/vader/financial/csv';
import { scoreLabels } from '../models/vader/financial/metrics';
import { fitThresholds } from '../models/vader/financial/thresholds';
import { stratifiedSplit, VALIDATION_SHARE } from '../models/vader/financial/trainer';

const args = process.argv.slice(2);
const pairs = args.includes('--pairs');
const l2At = args.indexOf('--l2');
const l2s = (l2At >= 0 ? (args[l2At + 1] ?? '') : '1e-4').split(',').map(Number);
if (l2s.some((x) => !Number.isFinite(x) || x < 0)) {
  console.error('--l2 needs comma-separated non-negative numbers, e.g. --l2 1e-4,1e-5');
  process.exit(2);
}
const dir = sharedDir('data', 'twitter-financial-news-sentiment');
if (!dir) {
  console.error('../shared/data/twitter-financial-news-sentiment is absent: nothing to measure on');
  process.exit(2);
}

const LABELS: readonly Label[] = ['negative', 'neutral', 'positive'];
const STEPS = 300;
const LR = 0.05;
const { train, validation } = stratifiedSplit(
  readLabelledCsv(path.join(dir, 'sent_train.csv')),
  VALIDATION_SHARE,
  42,
);
const engine = new VaderEngine();

function features(text: string): string[] {
  const words = engine
    .tokenize(text)
    .map((w) => w.replace(/^[^a-z0-9$%+-]+|[^a-z0-9%]+$/g, ''))
    .filter(Boolean)
    .map((w) => (w.startsWith('http') ? '<url>' : w.startsWith('$') ? '<ticker>' : w));
  const out = [...words];
  if (pairs) for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]} ${words[i + 1]}`);
  return [...new Set(out)];
}

const trainFeatures = train.map((x) => features(x.text));
const support = new Map<string, number>();
for (const f of trainFeatures) for (const w of f) support.set(w, (support.get(w) ?? 0) + 1);
const vocab = [...support.keys()].filter((w) => (support.get(w) ?? 0) >= 2).sort();
const index = new Map(vocab.map((w, i) => [w, i]));
const encode = (f: string[]) => f.map((w) => index.get(w)).filter((i): i is number => i !== undefined);
const X = trainFeatures.map(encode);
const V = validation.map((x) => encode(features(x.text)));
const y = train.map((x) => LABELS.indexOf(x.label));
const gold = validation.map((x) => x.label);
const D = vocab.length;
const n = X.length;

function adam(size: number) {
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  let t = 0;
  return (w: Float64Array, g: Float64Array) => {
    t++;
    const c1 = 1 - 0.9 ** t;
    const c2 = 1 - 0.999 ** t;
    for (let j = 0; j < size; j++) {
      m[j] = 0.9 * m[j]! + 0.1 * g[j]!;
      v[j] = 0.999 * v[j]! + 0.001 * g[j]! * g[j]!;
      w[j] = w[j]! - (LR * m[j]!) / c1 / (Math.sqrt(v[j]! / c2) + 1e-8);
    }
  };
}
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function multinomial(l2: number) {
  const W = new Float64Array(3 * D + 3);
  const g = new Float64Array(W.length);
  const step = adam(W.length);
  const logits = (row: number[]) => {
    const z = [W[3 * D]!, W[3 * D + 1]!, W[3 * D + 2]!];
    for (const j of row) for (let c = 0; c < 3; c++) z[c] = z[c]! + W[c * D + j]!;
    return z;
  };
  for (let it = 0; it < STEPS; it++) {
    g.fill(0);
    for (let d = 0; d < n; d++) {
      const z = logits(X[d]!);
      const top = Math.max(...z);
      const e = z.map((a) => Math.exp(a - top));
      const sum = e[0]! + e[1]! + e[2]!;
      for (let c = 0; c < 3; c++) {
        const r = (e[c]! / sum - (y[d] === c ? 1 : 0)) / n;
        g[3 * D + c] = g[3 * D + c]! + r;
        for (const j of X[d]!) g[c * D + j] = g[c * D + j]! + r;
      }
    }
    for (let j = 0; j < 3 * D; j++) g[j] = g[j]! + 2 * l2 * W[j]!;
    step(W, g);
  }
  return scoreLabels(
    gold,
    V.map((row) => {
      const z = logits(row);
      return LABELS[z.indexOf(Math.max(...z))]!;
    }),
  );
}

function ordinal(l2: number) {
  // P(neg) = σ(θ₁ − s), P(neg or neu) = σ(θ₂ − s), θ₂ = θ₁ + e^β so the cut-offs stay ordered.
  const W = new Float64Array(D + 2);
  const g = new Float64Array(W.length);
  W[D] = -1;
  W[D + 1] = Math.log(2);
  const step = adam(W.length);
  for (let it = 0; it < STEPS; it++) {
    g.fill(0);
    const t1 = W[D]!;
    const eb = Math.exp(W[D + 1]!);
    const t2 = t1 + eb;
    for (let d = 0; d < n; d++) {
      let s = 0;
      for (const j of X[d]!) s += W[j]!;
      const a = sigmoid(t1 - s);
      const b = sigmoid(t2 - s);
      let ds: number;
      let d1: number;
      let d2: number;
      if (y[d] === 0) [ds, d1, d2] = [1 - a, -(1 - a), 0];
      else if (y[d] === 2) [ds, d1, d2] = [-b, 0, b];
      else {
        const pa = a * (1 - a);
        const pb = b * (1 - b);
        const p = Math.max(b - a, 1e-12);
        [ds, d1, d2] = [(pb - pa) / p, pa / p, -pb / p];
      }
      for (const j of X[d]!) g[j] = g[j]! + ds / n;
      g[D] = g[D]! + (d1 + d2) / n;
      g[D + 1] = g[D + 1]! + (d2 * eb) / n;
    }
    for (let j = 0; j < D; j++) g[j] = g[j]! + 2 * l2 * W[j]!;
    step(W, g);
  }
  const scores = V.map((row) => row.reduce((acc, j) => acc + W[j]!, 0));
  const t1 = W[D]!;
  const t2 = t1 + Math.exp(W[D + 1]!);
  const own = scoreLabels(
    gold,
    scores.map((s): Label => (s < t1 ? 'negative' : s > t2 ? 'positive' : 'neutral')),
  );
  const oracle = fitThresholds(
    scores.map((s) => s / Math.sqrt(s * s + 15)),
    gold,
    2000,
  );
  return { own, oracleMacroF1: oracle.macroF1 };
}

console.log(
  `search split: ${train.length} train / ${validation.length} validation texts, ${D} features (${pairs ? 'words + word pairs' : 'words'})`,
);
for (const l2 of l2s) {
  const m = multinomial(l2);
  const o = ordinal(l2);
  console.log(
    `L2 ${l2}: multinomial macro-F1 ${m.macroF1.toFixed(3)} (acc ${m.accuracy.toFixed(3)}); ` +
      `ordinal one-score macro-F1 ${o.own.macroF1.toFixed(3)} (acc ${o.own.accuracy.toFixed(3)}), ` +
      `with oracle cut-offs ${o.oracleMacroF1.toFixed(3)}`,
  );
}
