import type { Db } from '../store/db';
import type { PredictionRecord } from './record';

/**
 * Writes a batch of predictions in ONE statement (jsonb_to_recordset), so a batch of 500 costs
 * one round trip. The parameter is cast `::text::jsonb`, not `::jsonb`: told the type is jsonb,
 * postgres.js would JSON-encode the (already JSON) string a second time; PGlite accepts both.
 * `ON CONFLICT DO NOTHING` makes a retried batch idempotent: if a flush reached
 * the database but its acknowledgement was lost, re-sending it writes nothing twice.
 */
export async function insertPredictions(db: Db, records: readonly PredictionRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  const rows = records.map((r) => ({
    id: r.id,
    created_at: r.createdAt.toISOString(),
    model: r.model,
    version: r.version,
    arm: r.arm,
    shadow: r.shadow,
    label: r.label,
    sentiment: r.sentiment,
    confidence: r.confidence,
    score_positive: r.scores.positive,
    score_negative: r.scores.negative,
    score_neutral: r.scores.neutral,
    latency_ms: r.latencyMs,
    cache_hit: r.cacheHit,
    ticker: r.ticker,
    text_hash: r.textHash,
    text_length: r.textLength,
    text: r.text,
  }));
  const [result] = await db.query<{ n: number }>(
    `WITH inserted AS (INSERT INTO predictions (id, created_at, model, version, arm, shadow, label, sentiment, confidence,
       score_positive, score_negative, score_neutral, latency_ms, cache_hit, ticker, text_hash, text_length, text)
     SELECT id, created_at, model, version, arm, shadow, label, sentiment, confidence,
       score_positive, score_negative, score_neutral, latency_ms, cache_hit, ticker, text_hash, text_length, text
     FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, created_at timestamptz, model text, version text,
       arm text, shadow boolean, label text, sentiment double precision, confidence double precision,
       score_positive double precision, score_negative double precision, score_neutral double precision,
       latency_ms double precision, cache_hit boolean, ticker text, text_hash text, text_length integer, text text)
     ON CONFLICT (id) DO NOTHING
     RETURNING 1)
     SELECT count(*)::int AS n FROM inserted`,
    [JSON.stringify(rows)],
  );
  return result?.n ?? 0;
}
