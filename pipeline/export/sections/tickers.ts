import { emptyBecause, iso, type SectionContext } from '../context';
import type { Empty, SectionBody } from '../schema';

const TOP = 12;

interface TickerRow {
  ticker: string;
  day: unknown;
  n: number;
  mean_sentiment: number;
  positive: number;
  negative: number;
  neutral: number;
}

/**
 * Where per-ticker rows come from: the feature store (each scored article's tickers) when it
 * has rows, else the prediction log's `ticker` column. Both yield (ticker, at, label, sentiment).
 */
async function tickerSource(
  ctx: SectionContext,
): Promise<{ source: 'processed_features' | 'predictions'; sql: string } | null> {
  const pf = await ctx.table('processed_features');
  const raw = await ctx.table('raw_data');
  if (pf.available && raw.available && (pf.rows ?? 0) > 0) {
    const [t] = await ctx.db.query<{ data_type: string }>(
      `SELECT data_type FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = 'raw_data' AND column_name = 'tickers'`,
    );
    // The feature store of migration 010 stamps rows with featurized_at; the demo's with created_at.
    const scoredAt = pf.columns.has('featurized_at')
      ? 'f.featurized_at'
      : pf.columns.has('created_at')
        ? 'f.created_at'
        : 'NULL::timestamptz';
    const unnest = t?.data_type === 'jsonb' ? 'jsonb_array_elements_text(r.tickers)' : 'unnest(r.tickers)';
    // One model's view per article: the model that scored the most rows (usually the champion).
    return {
      source: 'processed_features',
      sql: `SELECT tk.ticker, coalesce(r.published_at, ${scoredAt}) AS at, f.label, f.sentiment::float8 AS sentiment
            FROM processed_features f
            JOIN raw_data r ON r.id = f.article_id
            CROSS JOIN LATERAL ${unnest} AS tk(ticker)
            WHERE (f.model, f.version) = (
              SELECT model, version FROM processed_features GROUP BY model, version ORDER BY count(*) DESC, model LIMIT 1)`,
    };
  }
  const p = await ctx.table('predictions');
  if (p.available && (p.rows ?? 0) > 0) {
    return {
      source: 'predictions',
      sql: `SELECT ticker, created_at AS at, label, sentiment::float8 AS sentiment
            FROM predictions WHERE NOT shadow AND ticker IS NOT NULL AND ticker <> ''`,
    };
  }
  return null;
}

/** Sentiment of the most-mentioned tickers, per UTC day over the last `days` days of data. */
export async function exportTickers(
  ctx: SectionContext,
): Promise<{ body: SectionBody<'tickers'>; empty: Empty | null }> {
  const hint = 'run `finsent collect` and score the articles, or serve predictions with a ticker';
  const body: SectionBody<'tickers'> = { source: null, window: null, tickers: [] };
  const src = await tickerSource(ctx);
  if (!src) {
    const p = await ctx.table('processed_features');
    return {
      body,
      empty: emptyBecause(p.available ? { ...p, note: null } : p, 'no ticker sentiment yet', hint),
    };
  }
  const rows = await ctx.db.query<TickerRow & { last_at: unknown }>(
    `WITH s AS (${src.sql}),
     w AS (SELECT max(at) - make_interval(days => $1::int) AS lo FROM s),
     top AS (SELECT ticker FROM s, w WHERE at > w.lo GROUP BY ticker ORDER BY count(*) DESC, ticker LIMIT $2)
     SELECT s.ticker, (date_trunc('day', s.at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS day,
       count(*)::int AS n, avg(s.sentiment)::float8 AS mean_sentiment,
       count(*) FILTER (WHERE s.label = 'positive')::int AS positive,
       count(*) FILTER (WHERE s.label = 'negative')::int AS negative,
       count(*) FILTER (WHERE s.label = 'neutral')::int AS neutral,
       max(s.at) AS last_at
     FROM s JOIN top USING (ticker), w WHERE s.at > w.lo
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [ctx.options.days, TOP],
  );
  const byTicker = new Map<string, SectionBody<'tickers'>['tickers'][number]>();
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    let t = byTicker.get(r.ticker);
    if (!t) {
      t = {
        ticker: r.ticker,
        n: 0,
        mean_sentiment: 0,
        labels: { positive: 0, negative: 0, neutral: 0 },
        last_at: iso(r.last_at),
        series: [],
      };
      byTicker.set(r.ticker, t);
    }
    const day = iso(r.day);
    t.series.push({ day, n: r.n, mean_sentiment: r.mean_sentiment });
    // Running weighted mean: the series holds per-day means, the headline figure the overall one.
    t.mean_sentiment = (t.mean_sentiment * t.n + r.mean_sentiment * r.n) / (t.n + r.n);
    t.n += r.n;
    t.labels.positive += r.positive;
    t.labels.negative += r.negative;
    t.labels.neutral += r.neutral;
    if (iso(r.last_at) > t.last_at) t.last_at = iso(r.last_at);
    from = Math.min(from, Date.parse(day));
    to = Math.max(to, Date.parse(iso(r.last_at)));
  }
  body.source = src.source;
  body.tickers = [...byTicker.values()].sort((a, b) => b.n - a.n || a.ticker.localeCompare(b.ticker));
  if (body.tickers.length > 0) {
    body.window = {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      days: ctx.options.days,
    };
  }
  return { body, empty: body.tickers.length > 0 ? null : { reason: 'no ticker sentiment yet', hint } };
}
