import type { DriftConfig } from '../../config/drift';
import { isLabel, type Label } from '../../models/types';
import type { Db } from '../store/db';
import { classify, fmt, type Signal } from './drift';
import {
  type Confusion,
  type ConfusionMetrics,
  emptyConfusion,
  metricsFromConfusion,
  wilson,
} from './metrics';
import { oneProportionTest } from './stats';
import { analytic, type WindowFilter } from './window';

/** Live performance of one model version: serving health from the log, quality from feedback. */
export interface VersionPerformance {
  model: string;
  version: string;
  /** Non-shadow predictions in the window. */
  predictions: number;
  throughputPerMinute: number;
  latencyMs: { p50: number; p95: number; p99: number } | null;
  cacheHitRate: number | null;
  errors: number;
  errorRate: number | null;
  feedback: (ConfusionMetrics & { confusion: Confusion; accuracyCi95: [number, number] }) | null;
  baseline: { accuracy: number | null; macroF1: number | null; dataset: string } | null;
  signals: Signal[];
}

type Q = { version: string; n: number; q: number[] | string | null; cache: number | null };

/**
 * Latency percentiles (exact, percentile_cont), throughput, cache and error rates per version
 * from the prediction log, and rolling accuracy / macro-F1 from the feedback received within
 * `feedbackWindow`. Shadow predictions count for quality but not for latency: they are off the request path.
 */
export async function loadPerformance(
  db: Db,
  filter: WindowFilter,
  feedbackWindow: { from: Date; to: Date },
  config: DriftConfig,
): Promise<VersionPerformance[]> {
  const window = [filter.model, filter.from.toISOString(), filter.to.toISOString()];
  // An exact percentile sorts the window: analytic() keeps 1M latencies in memory.
  const served = await analytic(db, (tx) =>
    tx.query<Q>(
      `SELECT version, count(*)::int AS n,
         percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS q,
         avg(CASE WHEN cache_hit THEN 1 ELSE 0 END)::float8 AS cache
       FROM predictions WHERE model = $1 AND created_at >= $2 AND created_at < $3 AND NOT shadow
       GROUP BY version`,
      window,
    ),
  );
  const errors = await db.query<{ version: string | null; n: number }>(
    `SELECT version, count(*)::int AS n FROM prediction_errors
     WHERE model = $1 AND created_at >= $2 AND created_at < $3 AND status_code >= 500 GROUP BY version`,
    window,
  );
  // Feedback on a prediction id scores that prediction; feedback on a text scores each version's
  // prediction of that text once (DISTINCT), however often it was requested.
  const cells = await db.query<{ version: string; predicted: string; actual: string; c: number }>(
    `SELECT version, predicted, actual, count(*)::int AS c FROM (
       SELECT p.version, p.label AS predicted, f.label AS actual, f.id::text AS k
       FROM feedback f JOIN predictions p ON p.id = f.prediction_id
       WHERE f.prediction_id IS NOT NULL AND p.model = $1 AND f.updated_at >= $2 AND f.updated_at < $3
       UNION ALL
       SELECT DISTINCT p.version, p.label, f.label, f.id::text
       FROM feedback f JOIN predictions p ON p.text_hash = f.text_hash
       WHERE f.prediction_id IS NULL AND p.model = $1 AND f.updated_at >= $2 AND f.updated_at < $3
     ) x GROUP BY version, predicted, actual`,
    [filter.model, feedbackWindow.from.toISOString(), feedbackWindow.to.toISOString()],
  );
  const versions = new Set<string>([...served.map((r) => r.version), ...cells.map((r) => r.version)]);
  const minutes = (filter.to.getTime() - filter.from.getTime()) / 60_000;
  const unattributedErrors = errors.filter((e) => e.version === null).reduce((s, e) => s + Number(e.n), 0);
  const out: VersionPerformance[] = [];
  for (const version of [...versions].sort()) {
    const s = served.find((r) => r.version === version);
    const n = Number(s?.n ?? 0);
    const q = parseFloatArray(s?.q ?? null);
    const e =
      Number(errors.find((r) => r.version === version)?.n ?? 0) +
      (versions.size === 1 ? unattributedErrors : 0);
    const confusion = emptyConfusion();
    let any = false;
    for (const c of cells.filter((x) => x.version === version)) {
      if (!isLabel(c.actual) || !isLabel(c.predicted)) continue;
      confusion[c.actual as Label][c.predicted as Label] += Number(c.c);
      any = true;
    }
    const m = any ? metricsFromConfusion(confusion) : null;
    const feedback = m ? { ...m, confusion, accuracyCi95: wilson(Math.round(m.accuracy * m.n), m.n) } : null;
    const baseline = await offlineBaseline(db, filter.model, version);
    const perf: VersionPerformance = {
      model: filter.model,
      version,
      predictions: n,
      throughputPerMinute: minutes > 0 ? n / minutes : 0,
      latencyMs: q.length === 3 ? { p50: q[0]!, p95: q[1]!, p99: q[2]! } : null,
      cacheHitRate: s?.cache ?? null,
      errors: e,
      errorRate: n + e > 0 ? e / (n + e) : null,
      feedback,
      baseline,
      signals: [],
    };
    perf.signals = performanceSignals(perf, config);
    out.push(perf);
  }
  return out;
}

async function offlineBaseline(
  db: Db,
  model: string,
  version: string,
): Promise<VersionPerformance['baseline']> {
  const rows = await db.query<{ accuracy: number | null; macro_f1: number | null; dataset: string }>(
    `SELECT accuracy, macro_f1, dataset FROM model_performance
     WHERE model = $1 AND version = $2 AND context = 'eval' ORDER BY created_at DESC, id DESC LIMIT 1`,
    [model, version],
  );
  const r = rows[0];
  return r ? { accuracy: r.accuracy, macroF1: r.macro_f1, dataset: r.dataset } : null;
}

/** Degradation signals: drops against the offline evaluation, slow answers, failing requests. */
export function performanceSignals(p: VersionPerformance, config: DriftConfig): Signal[] {
  const cfg = config.performance;
  const fb = p.feedback;
  const enoughFeedback = fb !== null && fb.n >= cfg.min_feedback;
  const base = p.baseline;
  const signals: Signal[] = [];
  const accDrop = enoughFeedback && base?.accuracy != null ? base.accuracy - fb.accuracy : null;
  const accP =
    enoughFeedback && base?.accuracy != null
      ? oneProportionTest(Math.round(fb.accuracy * fb.n), fb.n, base.accuracy).pValue
      : null;
  signals.push({
    feature: `accuracy@${p.version}`,
    metric: 'proportion',
    value: accDrop,
    pValue: accP,
    severity: classify(accDrop, accP, cfg.accuracy_drop, config.alpha),
    threshold: cfg.accuracy_drop,
    nReference: 0,
    nCurrent: fb?.n ?? 0,
    summary: fb
      ? `accuracy ${fmt(fb.accuracy)} on ${fb.n} labelled (offline ${base?.accuracy != null ? fmt(base.accuracy) : 'unknown'})`
      : 'accuracy: no feedback yet',
    details: { live: fb?.accuracy ?? null, offline: base?.accuracy ?? null, ci95: fb?.accuracyCi95 ?? null },
  });
  const f1Drop = enoughFeedback && base?.macroF1 != null ? base.macroF1 - fb.macroF1 : null;
  signals.push({
    feature: `macro_f1@${p.version}`,
    metric: 'proportion',
    value: f1Drop,
    pValue: null,
    severity: classify(f1Drop, null, cfg.macro_f1_drop, config.alpha),
    threshold: cfg.macro_f1_drop,
    nReference: 0,
    nCurrent: fb?.n ?? 0,
    summary: fb
      ? `macro-F1 ${fmt(fb.macroF1)} (offline ${base?.macroF1 != null ? fmt(base.macroF1) : 'unknown'})`
      : 'macro-F1: no feedback yet',
    details: { live: fb?.macroF1 ?? null, offline: base?.macroF1 ?? null },
  });
  const p95 = p.latencyMs && p.predictions >= Math.min(config.min_samples, 100) ? p.latencyMs.p95 : null;
  signals.push({
    feature: `latency_p95_ms@${p.version}`,
    metric: 'proportion',
    value: p95,
    pValue: null,
    severity: classify(p95, null, cfg.latency_p95_ms, config.alpha),
    threshold: cfg.latency_p95_ms,
    nReference: 0,
    nCurrent: p.predictions,
    summary: p.latencyMs
      ? `latency p50 ${fmt(p.latencyMs.p50)} ms, p95 ${fmt(p.latencyMs.p95)} ms, p99 ${fmt(p.latencyMs.p99)} ms`
      : 'latency: no served predictions',
    details: { ...(p.latencyMs ?? {}) },
  });
  const rate =
    p.errorRate !== null && p.predictions + p.errors >= Math.min(config.min_samples, 100)
      ? p.errorRate
      : null;
  signals.push({
    feature: `error_rate@${p.version}`,
    metric: 'proportion',
    value: rate,
    pValue: null,
    severity: classify(rate, null, cfg.error_rate, config.alpha),
    threshold: cfg.error_rate,
    nReference: 0,
    nCurrent: p.predictions + p.errors,
    summary: `errors ${p.errors} of ${p.predictions + p.errors} requests (${p.errorRate === null ? 'n/a' : `${(p.errorRate * 100).toFixed(2)}%`})`,
    details: { errors: p.errors },
  });
  return signals;
}

function parseFloatArray(v: number[] | string | null): number[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v.map(Number);
  return v
    .replace(/[{}]/g, '')
    .split(',')
    .filter((x) => x !== '')
    .map(Number);
}
