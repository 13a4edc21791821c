import os from 'node:os';
import { InputError } from '../../lib/errors';
import { fingerprintRows } from '../datasets/fingerprint';
import type { LabelledText } from '../training/types';
import type { Label, Prediction, SentimentModel } from '../types';
import { DEFAULT_ECE_BINS, expectedCalibrationError } from './calibration';
import { summariseLatencies } from './latency';
import { classificationMetrics } from './metrics';
import { EVAL_REPORT_SCHEMA, type EvalReport, type LatencyReport } from './report';

export interface EvaluateOptions {
  /** Texts per timed `predict` call. Default 64. */
  batchSize?: number;
  /** How many texts to time one at a time; 0 turns it off. Default 200 (or all, if fewer). */
  latencySample?: number;
  /** Texts scored untimed before measuring, in batches (capped at the dataset size). Default 256. */
  warmupTexts?: number;
  /** Bins for ECE. Default 15. */
  eceBins?: number;
  /** The id the model was asked for (e.g. `vader`), shown beside its resolved version. */
  modelId?: string;
  /** Dataset facts for the report; the rows alone are enough to evaluate. */
  dataset?: {
    source?: string;
    format?: string;
    fingerprint?: string;
    warnings?: readonly { line: number; message: string }[];
  };
  /** Injected for tests: a millisecond clock and the report's creation time. */
  clock?: () => number;
  now?: () => Date;
}

const MAX_REPORTED_WARNINGS = 50;

/** Runs `predict` over all texts in batches, timing each call. */
export async function predictTimed(
  model: SentimentModel,
  texts: readonly string[],
  batchSize: number,
  clock: () => number = () => performance.now(),
): Promise<{ predictions: Prediction[]; batchMs: number[]; batchSizes: number[] }> {
  const predictions: Prediction[] = [];
  const batchMs: number[] = [];
  const batchSizes: number[] = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const batch = texts.slice(start, start + batchSize);
    const t0 = clock();
    const out = await model.predict(batch);
    batchMs.push(clock() - t0);
    if (out.length !== batch.length) {
      throw new InputError(
        `model ${model.family}@${model.version} returned ${out.length} predictions for ${batch.length} texts: it breaks the one-prediction-per-text contract`,
      );
    }
    batchSizes.push(batch.length);
    predictions.push(...out);
  }
  return { predictions, batchMs, batchSizes };
}

/** An evenly spaced, deterministic sample of at most `size` items (every k-th). */
export function evenSample<T>(items: readonly T[], size: number): T[] {
  if (size >= items.length) return [...items];
  const step = items.length / size;
  return Array.from({ length: size }, (_, i) => items[Math.floor(i * step)]!);
}

/** Metrics and calibration from predictions alone: no timing, no model. */
export function scorePredictions(
  gold: readonly Label[],
  predictions: readonly Pick<Prediction, 'label' | 'confidence'>[],
  eceBins: number = DEFAULT_ECE_BINS,
): Pick<EvalReport, 'metrics' | 'calibration'> {
  const predicted = predictions.map((p) => p.label);
  const metrics = classificationMetrics(gold, predicted);
  const calibration = expectedCalibrationError(
    predictions.map((p) => p.confidence),
    predicted.map((label, i) => label === gold[i]),
    eceBins,
  );
  return { metrics, calibration };
}

/**
 * Evaluates a model on labelled rows: quality metrics, calibration and latency, as one
 * JSON-serialisable report. Order of work: an untimed warm-up (up to 256 texts, in batches), the
 * timed batched pass (whose predictions are scored), then the single-text latency sample.
 *
 * @example
 * const data = await loadProjectHeadlines('test');
 * const report = await evaluateModel(model, data.rows, { dataset: data });
 * report.metrics.macroF1; report.latency.batched.perTextMs.p95
 */
export async function evaluateModel(
  model: SentimentModel,
  rows: readonly LabelledText[],
  options: EvaluateOptions = {},
): Promise<EvalReport> {
  const batchSize = options.batchSize ?? 64;
  const eceBins = options.eceBins ?? DEFAULT_ECE_BINS;
  const clock = options.clock ?? (() => performance.now());
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new InputError(`batch size must be a positive integer, got ${batchSize}`);
  if (rows.length === 0) throw new InputError('nothing to evaluate: the dataset has no rows');
  const texts = rows.map((r) => r.text);

  // Warm up on a few hundred texts, not one call: a JIT-compiled engine is still cold after one
  // small batch, and the first timed batches would then measure compilation, not the model.
  const warmup = texts.slice(0, Math.min(options.warmupTexts ?? 256, texts.length));
  for (let start = 0; start < warmup.length; start += batchSize) {
    await model.predict(warmup.slice(start, start + batchSize));
  }

  const { predictions, batchMs, batchSizes } = await predictTimed(model, texts, batchSize, clock);
  const perText = batchMs.flatMap((ms, i) => new Array<number>(batchSizes[i]!).fill(ms / batchSizes[i]!));
  const totalMs = batchMs.reduce((s, v) => s + v, 0);

  const sampleSize = Math.min(options.latencySample ?? 200, texts.length);
  let single: LatencyReport['single'] = null;
  if (sampleSize > 0) {
    const singleMs: number[] = [];
    for (const text of evenSample(texts, sampleSize)) {
      const t0 = clock();
      await model.predict([text]);
      singleMs.push(clock() - t0);
    }
    single = { sampleSize, ms: summariseLatencies(singleMs) };
  }

  const { metrics, calibration } = scorePredictions(
    rows.map((r) => r.label),
    predictions,
    eceBins,
  );
  const warnings = options.dataset?.warnings ?? [];
  const counts = metrics.perClass;
  return {
    schema: EVAL_REPORT_SCHEMA,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    model: { id: options.modelId ?? model.family, family: model.family, version: model.version },
    dataset: {
      source: options.dataset?.source ?? '(in memory)',
      format: options.dataset?.format ?? 'rows',
      n: rows.length,
      fingerprint: options.dataset?.fingerprint ?? fingerprintRows(rows),
      counts: {
        positive: counts.positive.support,
        negative: counts.negative.support,
        neutral: counts.neutral.support,
      },
      skippedRows: warnings.length,
      warnings: warnings.slice(0, MAX_REPORTED_WARNINGS).map((w) => ({ line: w.line, message: w.message })),
    },
    metrics,
    calibration,
    latency: {
      warmupTexts: warmup.length,
      batched: {
        batchSize,
        batches: batchMs.length,
        totalMs,
        // A clock too coarse to see the pass (0 ms) gives no finite throughput; report 0, not Infinity.
        throughputPerSec: totalMs > 0 ? (texts.length / totalMs) * 1000 : 0,
        perTextMs: summariseLatencies(perText),
      },
      single,
    },
    environment: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: os.cpus().length,
    },
  };
}
