import { emptyBecause, iso, isoOrNull, num, type SectionContext, str } from '../context';
import type { Empty, SectionBody } from '../schema';

interface DriftRow {
  computed_at: unknown;
  model: string;
  version: string;
  metric: string;
  feature: unknown;
  value: unknown;
  p_value?: unknown;
  threshold: unknown;
  status: unknown;
}

/** Status words other modules may use, folded onto the dashboard's three. */
export function driftLevel(status: string | null): 'ok' | 'warn' | 'alert' | null {
  if (status === null) return null;
  const s = status.toLowerCase();
  if (['ok', 'pass', 'passed', 'stable', 'none', 'green'].includes(s)) return 'ok';
  if (['warn', 'warning', 'watch', 'amber', 'yellow'].includes(s)) return 'warn';
  if (['alert', 'drift', 'drifted', 'fail', 'failed', 'critical', 'red', 'breach'].includes(s))
    return 'alert';
  return null;
}

/**
 * Drift metrics over time, one series per (model, version, metric, feature), over the last
 * `days` days before the newest computation. The threshold of a series is its latest one.
 */
export async function exportDrift(
  ctx: SectionContext,
): Promise<{ body: SectionBody<'drift'>; empty: Empty | null }> {
  const state = await ctx.table('drift_metrics');
  const body: SectionBody<'drift'> = { series: [], summary: { ok: 0, warn: 0, alert: 0, latest_at: null } };
  const hint = 'run `finsent monitor` to compute drift against the reference window';
  if (!state.available) return { body, empty: emptyBecause(state, 'no drift computed yet', hint) };
  // The monitor's table (migration 060) keys a computation by its window's end, keeps the
  // severity and puts the threshold in `details`; the demo tables have computed_at/threshold/status.
  const has = (c: string) => state.columns.has(c);
  const at = has('computed_at') ? 'computed_at' : 'window_end';
  const threshold = has('threshold')
    ? 'threshold::float8'
    : has('details')
      ? "CASE WHEN jsonb_typeof(details->'threshold') = 'number' THEN (details->>'threshold')::float8 END"
      : 'NULL::float8';
  const status = has('status') ? 'status' : has('severity') ? 'severity' : 'NULL::text';
  const rows = await ctx.db.query<DriftRow>(
    `SELECT ${at} AS computed_at, model, coalesce(version, 'builtin') AS version, metric, feature,
            value::float8 AS value, p_value, ${threshold} AS threshold, ${status} AS status
     FROM drift_metrics
     WHERE ${at} >= (SELECT max(${at}) FROM drift_metrics) - make_interval(days => $1::int)
     ORDER BY ${at}, id
     LIMIT 20000`,
    [ctx.options.days],
  );
  const series = new Map<string, SectionBody<'drift'>['series'][number]>();
  for (const r of rows) {
    const value = num(r.value);
    if (value === null) continue;
    const feature = str(r.feature);
    const key = JSON.stringify([r.model, r.version, r.metric, feature]);
    let s = series.get(key);
    if (!s) {
      s = {
        model: r.model,
        version: r.version,
        metric: r.metric,
        feature,
        threshold: null,
        latest_status: null,
        points: [],
      };
      series.set(key, s);
    }
    const status = str(r.status);
    s.points.push({ at: iso(r.computed_at), value, p_value: num(r.p_value), status });
    s.threshold = num(r.threshold) ?? s.threshold;
    s.latest_status = status;
  }
  body.series = [...series.values()];
  for (const s of body.series) {
    const level = driftLevel(s.latest_status);
    if (level) body.summary[level]++;
  }
  body.summary.latest_at = isoOrNull(rows.at(-1)?.computed_at);
  return { body, empty: body.series.length > 0 ? null : emptyBecause(state, 'no drift computed yet', hint) };
}
