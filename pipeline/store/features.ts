import { InputError } from '../../lib/errors';
import type { Prediction } from '../../models/types';
import type { TextFeatures } from '../features/text';
import type { Db } from './types';

/** One article scored by one model version, with the features of the text that was scored. */
export interface FeatureRow {
  articleId: string;
  model: string;
  version: string;
  publishedAt: Date | string;
  tickers: readonly string[];
  language?: string | null;
  prediction: Pick<Prediction, 'label' | 'scores' | 'sentiment' | 'confidence'>;
  text: TextFeatures;
}

/** Rows per statement: ~1 kB of JSON each, so a statement carries a few MB at most. */
export const UPSERT_CHUNK = 2000;

/** Upper-cases, trims, drops empties and duplicates: `[' aapl', 'AAPL', '']` → `['AAPL']`. */
export function normaliseTickers(tickers: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of tickers) {
    const v = String(t).trim().toUpperCase();
    if (v !== '' && v.length <= 20 && !/\s/u.test(v)) out.add(v);
  }
  return [...out];
}

const FEATURE_COLUMNS = `article_id text, model text, version text, published_at timestamptz, tickers text[],
  language text, label text, score_positive float8, score_negative float8, score_neutral float8,
  sentiment float8, confidence float8, text_hash text, char_count int, token_count int,
  avg_token_length float8, uppercase_ratio float8, all_caps_tokens int, number_count int,
  has_number boolean, has_percent boolean, has_currency boolean, exclamation_count int,
  question_count int, cashtag_count int, negation_count int, ticker_count int`;
const COLUMN_NAMES = FEATURE_COLUMNS.split(',').map((c) => c.trim().split(/\s+/u)[0]!);
const UPDATE_SET = [
  ...COLUMN_NAMES.slice(3).map((c) => `${c} = EXCLUDED.${c}`),
  'featurized_at = now()',
].join(', ');

/**
 * Writes feature rows idempotently: re-writing a row (same article, model, version) replaces
 * it, and its ticker rows follow (a ticker no longer on the article is removed). Three batch
 * statements per chunk of {@link UPSERT_CHUNK} rows, all in one transaction.
 *
 * @example
 * await upsertFeatures(db, [{ articleId: 'a1', model: 'vader', version: '1.0.0', publishedAt: new Date(),
 *   tickers: ['AAPL'], prediction, text: textFeatures(headline) }]); // → 1
 */
export async function upsertFeatures(db: Db, rows: readonly FeatureRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  // Last write wins inside one call: ON CONFLICT cannot touch the same row twice in a statement.
  const unique = new Map<string, FeatureRow>();
  for (const r of rows) unique.set(`${r.articleId}\u0000${r.model}\u0000${r.version}`, r);
  const records = [...unique.values()].map(toRecord);
  await db.transaction(async (tx) => {
    for (let i = 0; i < records.length; i += UPSERT_CHUNK) {
      const json = JSON.stringify(records.slice(i, i + UPSERT_CHUNK));
      await tx.query(
        `INSERT INTO processed_features (${COLUMN_NAMES.join(', ')})
         SELECT ${COLUMN_NAMES.join(', ')} FROM json_to_recordset($1::json) AS x(${FEATURE_COLUMNS})
         ON CONFLICT (article_id, model, version) DO UPDATE SET ${UPDATE_SET}`,
        [json],
      );
      await tx.query(
        `DELETE FROM ticker_features t
         USING json_to_recordset($1::json) AS x(article_id text, model text, version text, tickers text[])
         WHERE t.article_id = x.article_id AND t.model = x.model AND t.version = x.version
           AND NOT (t.ticker = ANY (x.tickers))`,
        [json],
      );
      await tx.query(
        `INSERT INTO ticker_features (ticker, article_id, model, version, published_at, label, sentiment, confidence)
         SELECT tk.ticker, x.article_id, x.model, x.version, x.published_at, x.label, x.sentiment, x.confidence
         FROM json_to_recordset($1::json) AS x(${FEATURE_COLUMNS})
         CROSS JOIN LATERAL unnest(x.tickers) AS tk(ticker)
         ON CONFLICT (article_id, model, version, ticker) DO UPDATE SET
           published_at = EXCLUDED.published_at, label = EXCLUDED.label,
           sentiment = EXCLUDED.sentiment, confidence = EXCLUDED.confidence`,
        [json],
      );
    }
  });
  return records.length;
}

function toRecord(r: FeatureRow): Record<string, unknown> {
  const published = r.publishedAt instanceof Date ? r.publishedAt : new Date(r.publishedAt);
  if (Number.isNaN(published.getTime())) {
    throw new InputError(`article ${r.articleId} has an invalid published_at (${String(r.publishedAt)})`, {
      action: 'writing features',
      input: r.articleId,
    });
  }
  const tickers = normaliseTickers(r.tickers);
  const p = r.prediction;
  const t = r.text;
  return {
    article_id: r.articleId,
    model: r.model,
    version: r.version,
    published_at: published.toISOString(),
    tickers,
    language: r.language ?? null,
    label: p.label,
    score_positive: p.scores.positive,
    score_negative: p.scores.negative,
    score_neutral: p.scores.neutral,
    sentiment: p.sentiment,
    confidence: p.confidence,
    text_hash: t.textHash,
    char_count: t.charCount,
    token_count: t.tokenCount,
    avg_token_length: t.avgTokenLength,
    uppercase_ratio: t.uppercaseRatio,
    all_caps_tokens: t.allCapsTokens,
    number_count: t.numberCount,
    has_number: t.hasNumber,
    has_percent: t.hasPercent,
    has_currency: t.hasCurrency,
    exclamation_count: t.exclamationCount,
    question_count: t.questionCount,
    cashtag_count: t.cashtagCount,
    negation_count: t.negationCount,
    ticker_count: tickers.length,
  };
}
