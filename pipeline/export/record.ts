import { createHash } from 'node:crypto';
import type { EvalReport } from '../../models/evaluation/report';
import type { Prediction } from '../../models/types';
import type { Db } from '../store/db';

/**
 * Stores an EvalReport as one `model_performance` row: the headline figures in columns (for
 * charts and queries) and the whole report in `metrics`, which the comparisons exporter reads
 * (confusion matrix, reliability bins, latency percentiles). Returns the row id.
 *
 * @example await recordEvaluation(db, await evaluateModel(model, rows, { dataset }), 'eval')
 */
export async function recordEvaluation(db: Db, report: EvalReport, context = 'eval'): Promise<string> {
  const lat = report.latency.single?.ms ?? report.latency.batched.perTextMs;
  const { environment: _env, ...kept } = report;
  const [row] = await db.query<{ id: unknown }>(
    `INSERT INTO model_performance
       (model, version, dataset, dataset_fingerprint, context, n, accuracy, macro_f1, ece,
        latency_p50_ms, latency_p95_ms, latency_p99_ms, metrics, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text::jsonb, $14)
     RETURNING id`,
    [
      report.model.family,
      report.model.version,
      report.dataset.source,
      report.dataset.fingerprint,
      context,
      report.metrics.n,
      report.metrics.accuracy,
      report.metrics.macroF1,
      report.calibration.ece,
      lat.p50,
      lat.p95,
      lat.p99,
      JSON.stringify(kept),
      report.createdAt,
    ],
  );
  return String(row?.id);
}

/** One served prediction as the log keeps it (see migration 040). */
export interface LoggedPrediction {
  id: string;
  createdAt: string;
  prediction: Prediction;
  text: string;
  latencyMs: number;
  arm?: string | null;
  shadow?: boolean;
  cacheHit?: boolean;
  ticker?: string | null;
}

export function textHash(text: string): string {
  return createHash('sha256').update(text.trim().normalize('NFC')).digest('hex');
}

/** Inserts predictions in one statement per 500 rows; re-inserting an id is a no-op. */
export async function insertPredictions(db: Db, rows: readonly LoggedPrediction[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const batch = rows.slice(i, i + 500).map((r) => ({
      id: r.id,
      created_at: r.createdAt,
      model: r.prediction.model,
      version: r.prediction.version,
      arm: r.arm ?? null,
      shadow: r.shadow ?? false,
      label: r.prediction.label,
      sentiment: r.prediction.sentiment,
      confidence: r.prediction.confidence,
      score_positive: r.prediction.scores.positive,
      score_negative: r.prediction.scores.negative,
      score_neutral: r.prediction.scores.neutral,
      latency_ms: r.latencyMs,
      cache_hit: r.cacheHit ?? false,
      ticker: r.ticker ?? null,
      text_hash: textHash(r.text),
      text_length: r.text.length,
      text: r.text,
    }));
    const out = await db.query<{ id: string }>(
      `INSERT INTO predictions (id, created_at, model, version, arm, shadow, label, sentiment, confidence,
         score_positive, score_negative, score_neutral, latency_ms, cache_hit, ticker, text_hash, text_length, text)
       SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS x(
         id text, created_at timestamptz, model text, version text, arm text, shadow boolean, label text,
         sentiment float8, confidence float8, score_positive float8, score_negative float8, score_neutral float8,
         latency_ms float8, cache_hit boolean, ticker text, text_hash text, text_length int, text text)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [JSON.stringify(batch)],
    );
    inserted += out.length;
  }
  return inserted;
}
