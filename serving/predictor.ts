import { performance } from 'node:perf_hooks';
import { InputError, ModelUnavailableError } from '../lib/errors';
import type { Prediction } from '../models/types';
import type { PredictionLog } from '../pipeline/predictions/log';
import { normaliseText, textHash } from '../pipeline/predictions/record';
import type { PredictionCache } from './cache-guard';
import type { LiveStats } from './live-stats';
import type { ServingMetrics } from './metrics';
import type { ModelPool } from './pool/pool';

export interface PredictRequest {
  /** The pool slot: `vader`, `finbert`, `vader@1.3.0`. */
  key: string;
  /** As received; scored in normalised form (see normaliseText). */
  texts: readonly string[];
  /** A/B arm, `default`, `direct`, `compare` or `shadow`; logged and labelled on metrics. */
  arm: string;
  /** The route, for metrics (`/predict`, `/predict/vader`, …). */
  route: string;
  requestId: string;
  ticker?: string | null;
  /** Shadow scoring: logged with shadow=true, counted apart, never served. */
  shadow?: boolean;
}

export interface PredictItem {
  id: string;
  prediction: Prediction;
  cacheHit: boolean;
  hash: string;
}

export interface PredictOutcome {
  key: string;
  family: string;
  version: string;
  arm: string;
  items: PredictItem[];
  ms: number;
}

export interface PredictorDeps {
  pool: ModelPool;
  cache: PredictionCache;
  log?: PredictionLog | null | undefined;
  metrics: ServingMetrics;
  live: LiveStats;
  /** Store the text itself in the prediction log (drift on vocabulary needs it). */
  keepText: boolean;
}

/**
 * One request's predictions: borrow the model from the pool, answer what the cache knows, score
 * the rest in one batch, then count, time and log everything without waiting on the store.
 *
 *   const out = await predictor.predict({ key: 'vader', texts: ['Apple beats'], arm: 'default',
 *     route: '/predict', requestId: 'r1' });
 *   out.items[0].prediction.label  // → 'positive'
 */
export class Predictor {
  readonly #d: PredictorDeps;

  constructor(deps: PredictorDeps) {
    this.#d = deps;
  }

  async predict(req: PredictRequest): Promise<PredictOutcome> {
    const started = performance.now();
    const normalised = req.texts.map(normaliseText);
    normalised.forEach((t, i) => {
      if (t.length === 0) {
        throw new InputError(
          req.texts.length === 1
            ? 'text is empty once whitespace is removed: send a headline or sentence'
            : `texts[${i}] is empty once whitespace is removed: send a headline or sentence`,
        );
      }
    });
    const hashes = normalised.map(textHash);
    let lease: ReturnType<ModelPool['acquire']>;
    try {
      lease = this.#d.pool.acquire(req.key);
    } catch (error) {
      this.#countFailure(req, req.key, 'none');
      throw error;
    }
    const { family, version } = lease;
    let predictions: Prediction[];
    const hit: boolean[] = new Array(normalised.length).fill(false);
    try {
      const cached = await this.#d.cache.lookup(family, version, hashes);
      predictions = new Array(normalised.length);
      const misses: number[] = [];
      normalised.forEach((_, i) => {
        const c = cached?.[i];
        if (c) {
          predictions[i] = { ...c, model: family, version };
          hit[i] = true;
        } else misses.push(i);
      });
      if (misses.length > 0) {
        const fresh = await lease.model.predict(misses.map((i) => normalised[i]!));
        if (!Array.isArray(fresh) || fresh.length !== misses.length) {
          throw new ModelUnavailableError(`${family}@${version} returned a wrong number of predictions`);
        }
        misses.forEach((idx, j) => {
          predictions[idx] = fresh[j]!;
        });
        this.#d.cache.store(
          family,
          version,
          misses.map((idx) => ({ hash: hashes[idx]!, prediction: predictions[idx]! })),
        );
      }
      this.#countCache(cached === undefined, hit);
    } catch (error) {
      this.#countFailure(req, family, version);
      throw error;
    } finally {
      lease.release();
    }
    const ms = performance.now() - started;
    const idBase = req.shadow ? `${req.requestId}:shadow:${req.key}` : req.requestId;
    const items = predictions.map((prediction, i) => ({
      id: `${idBase}.${i}`,
      prediction,
      cacheHit: hit[i]!,
      hash: hashes[i]!,
    }));
    this.#record(req, family, version, items, ms, normalised);
    return { key: req.key, family, version, arm: req.arm, items, ms };
  }

  #countCache(skipped: boolean, hit: boolean[]): void {
    const m = this.#d.metrics.cache;
    if (skipped) m.inc({ result: 'skipped' }, hit.length);
    else {
      const hits = hit.filter(Boolean).length;
      if (hits > 0) m.inc({ result: 'hit' }, hits);
      if (hits < hit.length) m.inc({ result: 'miss' }, hit.length - hits);
    }
  }

  #countFailure(req: PredictRequest, family: string, version: string): void {
    const m = this.#d.metrics;
    if (req.shadow) m.shadowPredictions.inc({ model: family, version, outcome: 'error' });
    else m.predictRequests.inc({ route: req.route, model: family, version, arm: req.arm, outcome: 'error' });
  }

  #record(
    req: PredictRequest,
    family: string,
    version: string,
    items: PredictItem[],
    ms: number,
    normalised: string[],
  ): void {
    const m = this.#d.metrics;
    const hits = items.filter((x) => x.cacheHit).length;
    if (req.shadow) {
      m.shadowPredictions.inc({ model: family, version, outcome: 'ok' }, items.length);
    } else {
      const labels = { route: req.route, model: family, version, arm: req.arm };
      m.predictRequests.inc({ ...labels, outcome: 'ok' });
      m.predictDuration.observe(labels, ms / 1000);
      m.batchSize.observe({ route: req.route }, items.length);
      for (const x of items)
        m.labels.inc({ model: family, version, arm: req.arm, label: x.prediction.label });
    }
    this.#d.live.record(family, version, req.arm, ms, items.length, hits);
    const log = this.#d.log;
    if (!log) return;
    const now = new Date();
    items.forEach((x, i) => {
      const p = x.prediction;
      log.add({
        id: x.id,
        createdAt: now,
        model: family,
        version,
        arm: req.arm,
        shadow: req.shadow === true,
        label: p.label,
        sentiment: p.sentiment,
        confidence: p.confidence,
        scores: p.scores,
        latencyMs: ms,
        cacheHit: x.cacheHit,
        ticker: req.ticker ?? null,
        textHash: x.hash,
        textLength: normalised[i]!.length,
        text: this.#d.keepText ? normalised[i]! : null,
      });
    });
  }
}
