import { describeError, FinsentError } from '../../lib/errors';
import { isLabel, type Prediction, type SentimentModel } from '../../models/types';
import { cacheKeys, deleteKeys } from '../cache/keys';
import type { Cache } from '../cache/types';
import { type FeatureRow, normaliseTickers, upsertFeatures } from '../store/features';
import { type Db, StoreError } from '../store/types';
import { textFeatures } from './text';

export const DEFAULT_FEATURIZE_BATCH = 256;

export interface FeaturizeProgress {
  model: string;
  version: string;
  /** Articles featurized for this model version so far in this run. */
  done: number;
  batches: number;
}

export interface FeaturizeStageOptions {
  db: Db;
  /** Every model scores every article it has not scored yet (per family and version). */
  models: readonly SentimentModel[];
  /** Only articles published at or after this time. */
  since?: Date;
  /** Articles per model call and per write (default 256). */
  batchSize?: number;
  /** Stop after this many articles per model version (default: all). */
  maxArticles?: number;
  /** Which text is scored: the headline (default; what the models are trained on) or headline + summary. */
  text?: 'headline' | 'headline+summary';
  /** Cached ticker features of touched tickers are dropped after each batch. */
  cache?: Cache;
  /** Stops between batches; what was written stays written. */
  signal?: AbortSignal;
  onProgress?: (progress: FeaturizeProgress) => void;
}

export interface ModelFeaturizeResult {
  model: string;
  version: string;
  featurized: number;
  batches: number;
  durationMs: number;
  /** Set when this model failed; the others still ran. Re-running resumes where it stopped. */
  error?: string;
}

export interface FeaturizeResult {
  ok: boolean;
  aborted: boolean;
  featurized: number;
  models: ModelFeaturizeResult[];
}

interface ArticleRow {
  id: string;
  headline: string;
  summary: string | null;
  tickers: string[] | null;
  published_at: Date | string;
  language: string | null;
}

/**
 * The featurize stage: scores, with each model, the articles in raw_data it has not scored
 * yet, and bulk-upserts processed_features (+ ticker_features). Batches are committed one by
 * one, and "not scored yet" is read from processed_features itself, so a crashed or aborted
 * run resumes where it stopped and a re-run writes nothing twice.
 *
 * @example
 * const result = await runFeaturizeStage({ db, models: [vader, finbert] });
 * // → { ok: true, aborted: false, featurized: 2400, models: [{ model: 'vader', featurized: 1200, … }, …] }
 */
export async function runFeaturizeStage(options: FeaturizeStageOptions): Promise<FeaturizeResult> {
  const results: ModelFeaturizeResult[] = [];
  let aborted = false;
  for (const model of options.models) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    const result = await featurizeWith(model, options);
    results.push(result);
    if (options.signal?.aborted) aborted = true;
  }
  return {
    ok: results.every((r) => r.error === undefined),
    aborted,
    featurized: results.reduce((n, r) => n + r.featurized, 0),
    models: results,
  };
}

async function featurizeWith(
  model: SentimentModel,
  options: FeaturizeStageOptions,
): Promise<ModelFeaturizeResult> {
  const started = performance.now();
  const batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULT_FEATURIZE_BATCH, 5000));
  const limit = options.maxArticles ?? Number.POSITIVE_INFINITY;
  const result: ModelFeaturizeResult = {
    model: model.family,
    version: model.version,
    featurized: 0,
    batches: 0,
    durationMs: 0,
  };
  let after = '';
  let sinceAnalyze = 0;
  try {
    await analyze(options.db, true);
    while (result.featurized < limit && !options.signal?.aborted) {
      if (sinceAnalyze >= ANALYZE_EVERY) {
        await analyze(options.db, false);
        sinceAnalyze = 0;
      }
      const take = Math.min(batchSize, limit - result.featurized);
      const articles = await pendingArticles(options.db, model, after, take, options.since);
      if (articles.length === 0) break;
      after = articles[articles.length - 1]!.id;
      const texts = articles.map((a) => textOf(a, options.text));
      const predictions = checkPredictions(model, await model.predict(texts), texts.length);
      const rows: FeatureRow[] = articles.map((a, i) => ({
        articleId: a.id,
        model: model.family,
        version: model.version,
        publishedAt: a.published_at,
        tickers: a.tickers ?? [],
        language: a.language,
        prediction: predictions[i]!,
        text: textFeatures(texts[i]!),
      }));
      await upsertFeatures(options.db, rows);
      if (options.cache) await invalidateTickers(options.cache, rows, model).catch(() => {});
      result.featurized += rows.length;
      sinceAnalyze += rows.length;
      result.batches++;
      options.onProgress?.({
        model: model.family,
        version: model.version,
        done: result.featurized,
        batches: result.batches,
      });
    }
    // Leave fresh statistics for the readers (latestFeatures) after a sizeable run.
    if (sinceAnalyze >= 1000) await analyze(options.db, false);
  } catch (error) {
    result.error = `${model.family}@${model.version}: ${describeError(error)}`;
  }
  result.durationMs = performance.now() - started;
  return result;
}

async function pendingArticles(
  db: Db,
  model: SentimentModel,
  after: string,
  limit: number,
  since: Date | undefined,
): Promise<ArticleRow[]> {
  const params: unknown[] = [after, model.family, model.version, limit];
  let sinceClause = '';
  if (since) {
    params.push(since.toISOString());
    sinceClause = ` AND COALESCE(r.published_at, r.collected_at) >= $5::timestamptz`;
  }
  try {
    // Keyset on id: each batch starts where the last ended, and the anti-join skips what an
    // earlier (possibly crashed) run already wrote. The redundant `p.article_id > $1` lets the
    // merge anti-join start its scan of processed_features at the keyset too: without it every
    // batch re-reads all of a model's earlier rows (quadratic over a run).
    return await db.query<ArticleRow>(
      `SELECT r.id, r.headline, r.summary, r.tickers,
              COALESCE(r.published_at, r.collected_at) AS published_at, r.language
       FROM raw_data r
       WHERE r.id > $1 AND r.headline IS NOT NULL AND btrim(r.headline) <> ''${sinceClause}
         AND NOT EXISTS (SELECT 1 FROM processed_features p
                         WHERE p.article_id = r.id AND p.article_id > $1 AND p.model = $2 AND p.version = $3)
       ORDER BY r.id
       LIMIT $4`,
      params,
    );
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') {
      throw new StoreError('the raw_data table does not exist yet; run `finsent collect` first', {
        action: 'featurizing',
      });
    }
    throw error;
  }
}

/** Rows written between statistics refreshes within one run. */
const ANALYZE_EVERY = 20_000;

/**
 * Refreshes planner statistics. PGlite runs no autovacuum, so without this its planner keeps
 * believing processed_features is empty and picks plans that scan it whole on every batch
 * (and latestFeatures slows down too); on Postgres it only anticipates autovacuum. An
 * optimisation: a failure (e.g. not the table owner) is ignored.
 */
async function analyze(db: Db, withRawData: boolean): Promise<void> {
  const tables = withRawData
    ? 'raw_data, processed_features, ticker_features'
    : 'processed_features, ticker_features';
  await db.exec(`ANALYZE ${tables}`).catch(() => {});
}

function textOf(a: ArticleRow, mode: FeaturizeStageOptions['text']): string {
  if (mode === 'headline+summary' && a.summary && a.summary.trim() !== '') {
    return `${a.headline.trim()}. ${a.summary.trim()}`;
  }
  return a.headline.trim();
}

/** A model bug must not reach the store: wrong length, unknown label, NaN or out-of-range numbers. */
function checkPredictions(model: SentimentModel, predictions: Prediction[], expected: number): Prediction[] {
  const fail = (why: string) =>
    new FinsentError('MODEL_UNAVAILABLE', `model ${model.family}@${model.version} returned ${why}`, {
      action: 'featurizing',
      input: `${model.family}@${model.version}`,
    });
  if (!Array.isArray(predictions) || predictions.length !== expected) {
    throw fail(`${Array.isArray(predictions) ? predictions.length : 'no'} predictions for ${expected} texts`);
  }
  const inRange = (v: unknown, lo: number, hi: number) => typeof v === 'number' && v >= lo && v <= hi;
  predictions.forEach((p, i) => {
    const s = p?.scores;
    if (
      !isLabel(p?.label) ||
      !inRange(p.sentiment, -1, 1) ||
      !inRange(p.confidence, 0, 1) ||
      !s ||
      !inRange(s.positive, 0, 1) ||
      !inRange(s.negative, 0, 1) ||
      !inRange(s.neutral, 0, 1)
    ) {
      throw fail(`an invalid prediction for text ${i} of the batch: ${JSON.stringify(p).slice(0, 200)}`);
    }
  });
  return predictions;
}

async function invalidateTickers(
  cache: Cache,
  rows: readonly FeatureRow[],
  model: SentimentModel,
): Promise<void> {
  const tickers = new Set(rows.flatMap((r) => normaliseTickers(r.tickers)));
  const keys = [...tickers].flatMap((t) => [
    cacheKeys.tickerFeatures(t),
    cacheKeys.tickerFeatures(t, model.family),
    cacheKeys.tickerFeatures(t, model.family, model.version),
  ]);
  await deleteKeys(cache, keys);
}
