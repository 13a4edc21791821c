import { emptyBecause, iso, num, type SectionContext } from '../context';
import type { Empty, SectionBody } from '../schema';

/**
 * The served predictions (shadow ones excluded) of the last `days` days before the newest one:
 * anchored on the data, not the clock, so a stalled pipeline still shows its last activity (the
 * overview's health check says how stale it is).
 */
export const WINDOW_CTE = `win AS (
  SELECT max(created_at) AS hi, max(created_at) - make_interval(days => $1::int) AS lo
  FROM predictions WHERE NOT shadow
)`;
export const IN_WINDOW = 'NOT p.shadow AND p.created_at > win.lo AND p.created_at <= win.hi';

export interface PredictionWindow {
  from: string;
  to: string;
  days: number;
  /** `hour` when the window's data spans under three days, else `day`. */
  unit: 'hour' | 'day';
}

export async function predictionWindow(ctx: SectionContext): Promise<PredictionWindow | null> {
  const [w] = await ctx.db.query<{ lo: unknown; hi: unknown }>(
    `WITH ${WINDOW_CTE}
     SELECT min(p.created_at) AS lo, max(p.created_at) AS hi FROM predictions p, win WHERE ${IN_WINDOW}`,
    [ctx.options.days],
  );
  if (!w || w.hi === null || w.hi === undefined) return null;
  const from = iso(w.lo);
  const to = iso(w.hi);
  const spanH = (Date.parse(to) - Date.parse(from)) / 3_600_000;
  return { from, to, days: ctx.options.days, unit: spanH < 72 ? 'hour' : 'day' };
}

/** A UTC bucket expression (date_trunc alone follows the session's time zone). */
export function bucket(unit: 'hour' | 'day', column = 'p.created_at'): string {
  return `(date_trunc('${unit}', ${column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;
}

const LABEL_COUNTS = `count(*) FILTER (WHERE p.label = 'positive')::int AS positive,
  count(*) FILTER (WHERE p.label = 'negative')::int AS negative,
  count(*) FILTER (WHERE p.label = 'neutral')::int AS neutral`;

export { LABEL_COUNTS };

export async function exportPredictions(
  ctx: SectionContext,
): Promise<{ body: SectionBody<'predictions'>; empty: Empty | null }> {
  const state = await ctx.table('predictions');
  const hint = 'serve the API (`finsent serve`) and send it texts, or run `npm start`';
  const body: SectionBody<'predictions'> = {
    window: null,
    total: 0,
    labels: { positive: 0, negative: 0, neutral: 0 },
    by_model: [],
    latency: null,
    cache_hit_rate: null,
    mean_confidence: null,
    volume: [],
    text_included: false,
    recent: [],
  };
  if (!state.available) return { body, empty: emptyBecause(state, 'no prediction logged yet', hint) };
  const window = await predictionWindow(ctx);
  if (!window) return { body, empty: emptyBecause(state, 'no prediction logged yet', hint) };
  const days = [ctx.options.days];
  const [t] = await ctx.db.query<Record<string, unknown>>(
    `WITH ${WINDOW_CTE}
     SELECT count(*)::int AS n, ${LABEL_COUNTS},
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.latency_ms)::float8 AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY p.latency_ms)::float8 AS p95,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY p.latency_ms)::float8 AS p99,
       avg(CASE WHEN p.cache_hit THEN 1 ELSE 0 END)::float8 AS cache_hit_rate,
       avg(p.confidence)::float8 AS mean_confidence
     FROM predictions p, win WHERE ${IN_WINDOW}`,
    days,
  );
  const total = Number(t?.n ?? 0);
  body.window = { from: window.from, to: window.to, days: window.days };
  body.total = total;
  body.labels = {
    positive: Number(t?.positive ?? 0),
    negative: Number(t?.negative ?? 0),
    neutral: Number(t?.neutral ?? 0),
  };
  const p50 = num(t?.p50);
  const p95 = num(t?.p95);
  const p99 = num(t?.p99);
  body.latency = p50 !== null && p95 !== null && p99 !== null ? { p50, p95, p99 } : null;
  body.cache_hit_rate = num(t?.cache_hit_rate);
  body.mean_confidence = num(t?.mean_confidence);

  const models = await ctx.db.query<{ model: string; version: string; n: number }>(
    `WITH ${WINDOW_CTE}
     SELECT p.model, p.version, count(*)::int AS n FROM predictions p, win WHERE ${IN_WINDOW}
     GROUP BY p.model, p.version ORDER BY n DESC, p.model, p.version`,
    days,
  );
  body.by_model = models.map((m) => ({ ...m, share: total > 0 ? m.n / total : 0 }));

  const volume = await ctx.db.query<{
    b: unknown;
    n: number;
    positive: number;
    negative: number;
    neutral: number;
  }>(
    `WITH ${WINDOW_CTE}
     SELECT ${bucket(window.unit)} AS b, count(*)::int AS n, ${LABEL_COUNTS}
     FROM predictions p, win WHERE ${IN_WINDOW} GROUP BY 1 ORDER BY 1`,
    days,
  );
  body.volume = volume.map((v) => ({
    bucket: iso(v.b),
    n: v.n,
    positive: v.positive,
    negative: v.negative,
    neutral: v.neutral,
  }));

  const withText = ctx.options.includeText && state.columns.has('text');
  body.text_included = withText;
  const recent = await ctx.db.query<Record<string, unknown>>(
    `SELECT id, created_at, model, version, arm, label, sentiment::float8 AS sentiment,
            confidence::float8 AS confidence, latency_ms::float8 AS latency_ms, ticker,
            ${withText ? 'left(text, 280)' : 'NULL::text'} AS text
     FROM predictions WHERE NOT shadow ORDER BY created_at DESC, id DESC LIMIT $1`,
    [ctx.options.recentLimit],
  );
  body.recent = recent.map((r) => ({
    id: String(r.id),
    created_at: iso(r.created_at),
    model: String(r.model),
    version: String(r.version),
    arm: r.arm === null || r.arm === undefined ? null : String(r.arm),
    label: r.label as 'positive' | 'negative' | 'neutral',
    sentiment: num(r.sentiment) ?? 0,
    confidence: num(r.confidence) ?? 0,
    latency_ms: num(r.latency_ms) ?? 0,
    ticker: r.ticker === null || r.ticker === undefined ? null : String(r.ticker),
    text: typeof r.text === 'string' ? r.text : null,
  }));
  return { body, empty: null };
}
