import { emptyBecause, iso, num, type SectionContext } from '../context';
import type { Empty, SectionBody } from '../schema';
import { bucket, IN_WINDOW, LABEL_COUNTS, predictionWindow, WINDOW_CTE } from './predictions';

/** Requests without an A/B arm (direct model routes, or no split configured). */
export const DIRECT_ARM = '(direct)';

/**
 * The A/B split as configured (config/models.yaml) beside what the prediction log shows each
 * arm actually received and how it did, plus daily counts per arm.
 */
export async function exportTraffic(
  ctx: SectionContext,
): Promise<{ body: SectionBody<'traffic'>; empty: Empty | null }> {
  const state = await ctx.table('predictions');
  const configured = ctx.config?.serving ?? null;
  const body: SectionBody<'traffic'> = { configured, window: null, arms: [], buckets: [], series: [] };
  const hint = 'serve the API (`finsent serve`); arms come from `serving.split` in config/models.yaml';
  if (!state.available) return { body, empty: emptyBecause(state, 'no traffic logged yet', hint) };
  const window = await predictionWindow(ctx);
  if (!window) return { body, empty: emptyBecause(state, 'no traffic logged yet', hint) };
  body.window = { from: window.from, to: window.to, days: window.days };
  const days = [ctx.options.days, DIRECT_ARM];
  const arms = await ctx.db.query<Record<string, unknown>>(
    `WITH ${WINDOW_CTE}
     SELECT coalesce(p.arm, $2) AS arm, count(*)::int AS n,
       array_agg(DISTINCT p.model || '@' || p.version) AS models,
       avg(p.confidence)::float8 AS mean_confidence, avg(p.sentiment)::float8 AS mean_sentiment,
       ${LABEL_COUNTS},
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.latency_ms)::float8 AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY p.latency_ms)::float8 AS p95,
       avg(CASE WHEN p.cache_hit THEN 1 ELSE 0 END)::float8 AS cache_hit_rate
     FROM predictions p, win WHERE ${IN_WINDOW}
     GROUP BY 1 ORDER BY n DESC, 1`,
    days,
  );
  const total = arms.reduce((s, a) => s + Number(a.n), 0);
  const shareOf = new Map((configured?.split ?? []).map((a) => [a.arm, a.share]));
  body.arms = arms.map((a) => ({
    arm: String(a.arm),
    models: Array.isArray(a.models) ? a.models.map(String).sort() : [],
    n: Number(a.n),
    share: total > 0 ? Number(a.n) / total : 0,
    configured_share: shareOf.get(String(a.arm)) ?? null,
    mean_confidence: num(a.mean_confidence) ?? 0,
    mean_sentiment: num(a.mean_sentiment) ?? 0,
    labels: { positive: Number(a.positive), negative: Number(a.negative), neutral: Number(a.neutral) },
    latency_p50: num(a.p50) ?? 0,
    latency_p95: num(a.p95) ?? 0,
    cache_hit_rate: num(a.cache_hit_rate) ?? 0,
  }));
  const rows = await ctx.db.query<{ b: unknown; arm: string; n: number }>(
    `WITH ${WINDOW_CTE}
     SELECT ${bucket(window.unit)} AS b, coalesce(p.arm, $2) AS arm, count(*)::int AS n
     FROM predictions p, win WHERE ${IN_WINDOW} GROUP BY 1, 2 ORDER BY 1, 2`,
    days,
  );
  const buckets = [...new Set(rows.map((r) => iso(r.b)))];
  const index = new Map(buckets.map((b, i) => [b, i]));
  body.buckets = buckets;
  body.series = body.arms.map((a) => {
    const counts = new Array<number>(buckets.length).fill(0);
    for (const r of rows) if (r.arm === a.arm) counts[index.get(iso(r.b))!] = r.n;
    return { arm: a.arm, counts };
  });
  return { body, empty: null };
}
