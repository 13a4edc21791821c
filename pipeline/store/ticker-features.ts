import { InputError } from '../../lib/errors';
import type { Db } from './types';

/**
 * The per-ticker features serving adds to a prediction, in this order. Windows end at `asOf`
 * (default: now) and cover one model version's scores of the articles naming the ticker.
 * Means and shares are null when their window holds no article; counts are then 0.
 */
export const TICKER_FEATURE_NAMES = [
  'sentiment_1h', //       mean sentiment in [-1, 1] over the last hour
  'count_1h', //           articles in the last hour
  'bullish_share_1h', //   share labelled positive in the last hour
  'bearish_share_1h', //   share labelled negative in the last hour
  'sentiment_1d', //       mean sentiment over the last day
  'count_1d', //           articles in the last day
  'bullish_share_1d',
  'bearish_share_1d',
  'sentiment_std_1d', //   sample standard deviation of sentiment over the day (null below 2)
  'confidence_1d', //      mean model confidence over the day
  'momentum', //           sentiment_1h − sentiment_1d: is the news turning?
  'attention_1h', //       count_1h / (count_1d / 24): 1 is the day's usual hourly rate
  'latest_sentiment', //   the newest article's sentiment (any age)
  'latest_confidence',
  'minutes_since_latest', // age of the newest article at asOf
] as const;
export type TickerFeatureName = (typeof TICKER_FEATURE_NAMES)[number];

export interface TickerFeatures {
  ticker: string;
  model: string;
  version: string;
  /** ISO time the windows end at. */
  asOf: string;
  latestArticleId: string;
  latestPublishedAt: string;
  latestLabel: 'positive' | 'negative' | 'neutral';
  features: Record<TickerFeatureName, number | null>;
  /** How many of `features` have a value (the API's `features_count`). */
  featuresCount: number;
}

export interface LatestFeaturesOptions {
  /** Model family; default: whichever model scored the ticker's newest article. */
  model?: string;
  /** Version of `model`; default: the version that scored the ticker's newest article. */
  version?: string;
  asOf?: Date;
}

const TICKER_PATTERN = /^[A-Z0-9][A-Z0-9.\-=^:/]{0,19}$/u;

export function parseTicker(raw: string): string {
  const ticker = String(raw ?? '')
    .trim()
    .toUpperCase()
    .replace(/^\$/u, '');
  if (!TICKER_PATTERN.test(ticker)) {
    throw new InputError(
      `"${String(raw).slice(0, 40)}" is not a ticker; use a symbol such as AAPL, BRK.B or ^GSPC (1-20 characters)`,
      { action: 'reading ticker features', input: String(raw).slice(0, 40) },
    );
  }
  return ticker;
}

interface Row {
  article_id: string;
  model: string;
  version: string;
  published_at: Date | string;
  label: 'positive' | 'negative' | 'neutral';
  latest_sentiment: number;
  latest_confidence: number;
  count_1h: number;
  sentiment_1h: number | null;
  bullish_share_1h: number | null;
  bearish_share_1h: number | null;
  count_1d: number;
  sentiment_1d: number | null;
  bullish_share_1d: number | null;
  bearish_share_1d: number | null;
  sentiment_std_1d: number | null;
  confidence_1d: number | null;
}

/**
 * The newest per-ticker features, in one round trip: the newest scored article for the ticker
 * picks the model version (unless given), then one range scan of ticker_features_recent_idx
 * aggregates the day. Undefined when no article naming the ticker was scored by then.
 *
 * @example
 * await latestFeatures(db, 'AAPL', { model: 'vader', version: '1.0.0' });
 * // → { ticker: 'AAPL', model: 'vader', version: '1.0.0', featuresCount: 15,
 * //     features: { sentiment_1h: 0.41, count_1h: 3, bullish_share_1h: 0.67, … }, … }
 */
export async function latestFeatures(
  db: Db,
  ticker: string,
  options: LatestFeaturesOptions = {},
): Promise<TickerFeatures | undefined> {
  const symbol = parseTicker(ticker);
  const asOf = options.asOf ?? new Date();
  if (Number.isNaN(asOf.getTime())) {
    throw new InputError('asOf is not a valid time', { action: 'reading ticker features' });
  }
  if (options.version !== undefined && options.model === undefined) {
    throw new InputError(
      'a version was given without its model; pass both, e.g. { model: "vader", version }',
      {
        action: 'reading ticker features',
      },
    );
  }
  const params: unknown[] = [symbol, asOf.toISOString()];
  let pick = '';
  if (options.model !== undefined) {
    params.push(options.model);
    pick += ` AND model = $${params.length}`;
  }
  if (options.version !== undefined) {
    params.push(options.version);
    pick += ` AND version = $${params.length}`;
  }
  const share = (label: string, window: string) =>
    `avg((t.label = '${label}')::int::float8) FILTER (WHERE ${window})`;
  const hour = `t.published_at > $2::timestamptz - interval '1 hour'`;
  const rows = await db.query<Row>(
    `WITH latest AS (
       SELECT article_id, model, version, published_at, label, sentiment, confidence
       FROM ticker_features
       WHERE ticker = $1 AND published_at <= $2::timestamptz${pick}
       ORDER BY published_at DESC, version DESC, article_id DESC
       LIMIT 1
     )
     SELECT l.article_id, l.model, l.version, l.published_at, l.label,
            l.sentiment AS latest_sentiment, l.confidence AS latest_confidence, w.*
     FROM latest l
     CROSS JOIN LATERAL (
       SELECT (count(*) FILTER (WHERE ${hour}))::int AS count_1h,
              avg(t.sentiment) FILTER (WHERE ${hour}) AS sentiment_1h,
              ${share('positive', hour)} AS bullish_share_1h,
              ${share('negative', hour)} AS bearish_share_1h,
              count(*)::int AS count_1d,
              avg(t.sentiment) AS sentiment_1d,
              ${share('positive', 'true')} AS bullish_share_1d,
              ${share('negative', 'true')} AS bearish_share_1d,
              stddev_samp(t.sentiment) AS sentiment_std_1d,
              avg(t.confidence) AS confidence_1d
       FROM ticker_features t
       WHERE t.ticker = $1 AND t.model = l.model AND t.version = l.version
         AND t.published_at > $2::timestamptz - interval '1 day' AND t.published_at <= $2::timestamptz
     ) w`,
    params,
  );
  const r = rows[0];
  if (!r) return undefined;
  const published = new Date(r.published_at);
  const num = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  const mean1h = num(r.sentiment_1h);
  const mean1d = num(r.sentiment_1d);
  const count1d = Number(r.count_1d);
  const features: Record<TickerFeatureName, number | null> = {
    sentiment_1h: mean1h,
    count_1h: Number(r.count_1h),
    bullish_share_1h: num(r.bullish_share_1h),
    bearish_share_1h: num(r.bearish_share_1h),
    sentiment_1d: mean1d,
    count_1d: count1d,
    bullish_share_1d: num(r.bullish_share_1d),
    bearish_share_1d: num(r.bearish_share_1d),
    sentiment_std_1d: num(r.sentiment_std_1d),
    confidence_1d: num(r.confidence_1d),
    momentum: mean1h !== null && mean1d !== null ? mean1h - mean1d : null,
    attention_1h: count1d > 0 ? (Number(r.count_1h) * 24) / count1d : null,
    latest_sentiment: Number(r.latest_sentiment),
    latest_confidence: Number(r.latest_confidence),
    minutes_since_latest: Math.max(0, (asOf.getTime() - published.getTime()) / 60_000),
  };
  return {
    ticker: symbol,
    model: r.model,
    version: r.version,
    asOf: asOf.toISOString(),
    latestArticleId: r.article_id,
    latestPublishedAt: published.toISOString(),
    latestLabel: r.label,
    features,
    featuresCount: Object.values(features).filter((v) => v !== null).length,
  };
}
