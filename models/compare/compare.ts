import type { PromotionPolicy } from '../../config/promotion';
import { evenSample, predictTimed } from '../evaluation/evaluate';
import { type PairedBootstrapResult, pairedBootstrap } from '../stats/bootstrap';
import { type McNemarResult, mcnemarFromPredictions } from '../stats/mcnemar';
import type { LabelledText } from '../training/types';
import { LABELS, type Label, type Prediction, type SentimentModel } from '../types';
import {
  evaluateLabels,
  type LabelMetrics,
  type LatencySummary,
  labelIndex,
  summariseLatency,
} from './evaluation';
import { costPer1k, decideVerdict, type VerdictResult, type WeightedScore, weightedScore } from './verdict';

/** A model's predictions on the test set plus the timings of single-text calls. */
export interface ScoredModel {
  /** Display id, e.g. `vader@1.1.0`. */
  id: string;
  family: string;
  version: string;
  predictions: Prediction[];
  latencyMs: number[];
}

export interface ModelSide extends LabelMetrics {
  id: string;
  family: string;
  version: string;
  latency: LatencySummary | null;
  costUsdPer1k: number | null;
  score: WeightedScore;
}

export interface TestSet {
  name: string;
  fingerprint: string;
  examples: readonly LabelledText[];
}

/** Everything `finsent compare` found; serialised as comparison.json. B is the candidate. */
export interface ComparisonResult {
  schemaVersion: 1;
  createdAt: string;
  dataset: { name: string; n: number; fingerprint: string };
  a: ModelSide;
  b: ModelSide;
  mcnemar: McNemarResult;
  /** The p-value the policy uses (mid-p or exact). */
  pValue: number;
  bootstrap: PairedBootstrapResult;
  /** B's latency over A's (p50, p95); null unless both were timed. */
  latencyRatio: { p50: number; p95: number } | null;
  policy: PromotionPolicy;
  verdict: VerdictResult;
}

/** The statistical comparison of two already-scored models on the same test set. */
export function compareScored(
  testSet: TestSet,
  a: ScoredModel,
  b: ScoredModel,
  policy: PromotionPolicy,
  now: Date = new Date(),
): ComparisonResult {
  const gold = testSet.examples.map((e) => e.label);
  const truth = Uint8Array.from(gold, labelIndex);
  const predA = indices(a, gold.length);
  const predB = indices(b, gold.length);
  const mc = mcnemarFromPredictions(truth, predA, predB);
  const boot = pairedBootstrap(
    { truth, a: predA, b: predB, k: LABELS.length },
    {
      resamples: policy.bootstrap.resamples,
      seed: policy.bootstrap.seed,
      confidence: policy.bootstrap.confidence,
    },
  );
  const sideA = side(a, gold, policy);
  const sideB = side(b, gold, policy);
  const pValue = policy.test === 'exact' ? mc.exactP : mc.midP;
  const verdict = decideVerdict({
    n: gold.length,
    deltaMacroF1: boot.deltaMacroF1,
    pValue,
    favours: mc.favours,
    latencyA: sideA.latency,
    latencyB: sideB.latency,
    scoreA: sideA.score,
    scoreB: sideB.score,
    policy,
  });
  const latencyRatio =
    sideA.latency && sideB.latency && sideA.latency.p50 > 0 && sideA.latency.p95 > 0
      ? { p50: sideB.latency.p50 / sideA.latency.p50, p95: sideB.latency.p95 / sideA.latency.p95 }
      : null;
  return {
    schemaVersion: 1,
    createdAt: now.toISOString(),
    dataset: { name: testSet.name, n: gold.length, fingerprint: testSet.fingerprint },
    a: sideA,
    b: sideB,
    mcnemar: mc,
    pValue,
    bootstrap: boot,
    latencyRatio,
    policy,
    verdict,
  };
}

function indices(m: ScoredModel, n: number): Uint8Array {
  if (m.predictions.length !== n) {
    throw new RangeError(`${m.id} returned ${m.predictions.length} predictions for ${n} texts`);
  }
  return Uint8Array.from(m.predictions, (p) => labelIndex(p.label));
}

function side(m: ScoredModel, gold: Label[], policy: PromotionPolicy): ModelSide {
  const metrics = evaluateLabels(gold, m.predictions);
  const latency = summariseLatency(m.latencyMs);
  const cost = costPer1k(m.family, latency, policy);
  return {
    id: m.id,
    family: m.family,
    version: m.version,
    ...metrics,
    latency,
    costUsdPer1k: cost,
    score: weightedScore(metrics.macroF1, latency, cost, policy),
  };
}

export interface ScoreOptions {
  /** Texts per predict() call for the accuracy pass. */
  batchSize?: number;
  /** How many single-text calls to time (spread evenly over the set); 0 skips timing. */
  latencySamples?: number;
  /** Untimed single-text calls first, so lazy initialisation does not count. */
  warmup?: number;
  /** Clock in milliseconds (injectable for tests). */
  now?: () => number;
}

/**
 * Runs a model over a test set: predictions in batches, then timed single-text calls — the
 * latency a client of `POST /predict` sees, which is what the budget is about.
 */
export async function scoreModel(
  model: SentimentModel,
  texts: readonly string[],
  options: ScoreOptions = {},
): Promise<ScoredModel> {
  const batchSize = options.batchSize ?? 64;
  const samples = Math.min(options.latencySamples ?? 200, texts.length);
  const warmup = options.warmup ?? 3;
  const now = options.now ?? (() => performance.now());
  const { predictions } = await predictTimed(model, texts, batchSize, now);
  const latencyMs: number[] = [];
  if (samples > 0) {
    for (let w = 0; w < warmup; w++) await model.predict([texts[w % texts.length]!]);
    for (const text of evenSample(texts, samples)) {
      const t0 = now();
      await model.predict([text]);
      latencyMs.push(now() - t0);
    }
  }
  return {
    id: `${model.family}@${model.version}`,
    family: model.family,
    version: model.version,
    predictions,
    latencyMs,
  };
}

/** Scores both models on the test set and compares them under the policy. */
export async function compareModels(
  a: SentimentModel,
  b: SentimentModel,
  testSet: TestSet,
  policy: PromotionPolicy,
  options: ScoreOptions = {},
): Promise<ComparisonResult> {
  const texts = testSet.examples.map((e) => e.text);
  const scoredA = await scoreModel(a, texts, options);
  const scoredB = await scoreModel(b, texts, options);
  return compareScored(testSet, scoredA, scoredB, policy);
}
