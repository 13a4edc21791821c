import type { Db } from '../store/db';
import type { Signal } from './drift';
import type { VersionPerformance } from './performance';

export interface DriftRunKey {
  runId: string;
  model: string;
  version: string | null;
  referenceId: string | null;
  from: Date;
  to: Date;
}

/**
 * Writes a run's signals to drift_metrics in one statement. The run id is derived from the
 * model, reference and window, so re-running a window replaces its rows (idempotent).
 */
export async function saveDriftMetrics(
  db: Db,
  key: DriftRunKey,
  signals: readonly Signal[],
): Promise<number> {
  if (signals.length === 0) return 0;
  const rows = signals.map((s) => ({
    feature: s.feature,
    metric: s.metric,
    value: finiteOrNull(s.value),
    p_value: finiteOrNull(s.pValue),
    severity: s.severity,
    n_reference: s.nReference,
    n_current: s.nCurrent,
    details: { summary: s.summary, threshold: s.threshold, ...sanitise(s.details) },
  }));
  await db.query(
    `INSERT INTO drift_metrics (run_id, model, version, reference_id, window_start, window_end,
        feature, metric, value, p_value, severity, n_reference, n_current, details)
     SELECT $1, $2, $3, $4, $5::timestamptz, $6::timestamptz,
        x.feature, x.metric, x.value, x.p_value, x.severity, x.n_reference, x.n_current, x.details
     FROM jsonb_to_recordset($7::text::jsonb) AS x(feature text, metric text, value float8, p_value float8,
        severity text, n_reference int, n_current int, details jsonb)
     ON CONFLICT (run_id, feature, metric) DO UPDATE SET
        value = EXCLUDED.value, p_value = EXCLUDED.p_value, severity = EXCLUDED.severity,
        n_reference = EXCLUDED.n_reference, n_current = EXCLUDED.n_current, details = EXCLUDED.details,
        created_at = now()`,
    [
      key.runId,
      key.model,
      key.version,
      key.referenceId,
      key.from.toISOString(),
      key.to.toISOString(),
      JSON.stringify(rows),
    ],
  );
  return rows.length;
}

/** One `model_performance` row per version, context 'live'; a re-run of the same run replaces it. */
export async function saveLivePerformance(
  db: Db,
  runId: string,
  window: { from: Date; to: Date },
  perf: readonly VersionPerformance[],
): Promise<number> {
  if (perf.length === 0) return 0;
  const rows = perf.map((p) => ({
    model: p.model,
    version: p.version,
    n: p.predictions,
    accuracy: finiteOrNull(p.feedback?.accuracy ?? null),
    macro_f1: finiteOrNull(p.feedback?.macroF1 ?? null),
    p50: finiteOrNull(p.latencyMs?.p50 ?? null),
    p95: finiteOrNull(p.latencyMs?.p95 ?? null),
    p99: finiteOrNull(p.latencyMs?.p99 ?? null),
    metrics: sanitise({
      run_id: runId,
      window_start: window.from.toISOString(),
      window_end: window.to.toISOString(),
      feedback_n: p.feedback?.n ?? 0,
      accuracy_ci95: p.feedback?.accuracyCi95 ?? null,
      confusion: p.feedback?.confusion ?? null,
      per_class: p.feedback?.perClass ?? null,
      throughput_per_minute: p.throughputPerMinute,
      cache_hit_rate: p.cacheHitRate,
      errors: p.errors,
      error_rate: p.errorRate,
      baseline: p.baseline,
    }),
  }));
  await db.transaction(async (tx) => {
    await tx.query(`DELETE FROM model_performance WHERE context = 'live' AND metrics->>'run_id' = $1`, [
      runId,
    ]);
    await tx.query(
      `INSERT INTO model_performance (model, version, dataset, context, n, accuracy, macro_f1,
          latency_p50_ms, latency_p95_ms, latency_p99_ms, metrics)
       SELECT x.model, x.version, 'prediction-log', 'live', x.n, x.accuracy, x.macro_f1, x.p50, x.p95, x.p99, x.metrics
       FROM jsonb_to_recordset($1::text::jsonb) AS x(model text, version text, n int, accuracy float8, macro_f1 float8,
          p50 float8, p95 float8, p99 float8, metrics jsonb)`,
      [JSON.stringify(rows)],
    );
  });
  return rows.length;
}

/** The latest value of every (model, feature, metric) series: what the API's drift gauges show. */
export async function latestDriftMetrics(db: Db): Promise<
  Array<{
    model: string;
    feature: string;
    metric: string;
    value: number | null;
    severity: string;
    window_end: string;
  }>
> {
  return db.query(
    `SELECT DISTINCT ON (model, feature, metric) model, feature, metric, value, severity, window_end::text AS window_end
     FROM drift_metrics ORDER BY model, feature, metric, window_end DESC, id DESC`,
  );
}

function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** JSON has no NaN/Infinity: turn them into null so jsonb accepts the evidence. */
function sanitise<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)),
  );
}

export interface PredictionErrorRow {
  at?: Date;
  model: string | null;
  version: string | null;
  route: string;
  statusCode: number;
  errorCode?: string | null;
}

/**
 * Records failed prediction requests in one statement (the API calls this in batches, off the
 * request path), so the error rate can be read from the store.
 *
 * @example await logPredictionErrors(db, [{ model: 'finbert', version: '1.0.0', route: '/predict', statusCode: 503, errorCode: 'OVERLOADED' }])
 */
export async function logPredictionErrors(db: Db, rows: readonly PredictionErrorRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  await db.query(
    `INSERT INTO prediction_errors (created_at, model, version, route, status_code, error_code)
     SELECT coalesce(x.at, now()), x.model, x.version, x.route, x.status_code, x.error_code
     FROM jsonb_to_recordset($1::text::jsonb) AS x(at timestamptz, model text, version text, route text,
        status_code int, error_code text)`,
    [
      JSON.stringify(
        rows.map((r) => ({
          at: r.at?.toISOString() ?? null,
          model: r.model,
          version: r.version,
          route: r.route,
          status_code: r.statusCode,
          error_code: r.errorCode ?? null,
        })),
      ),
    ],
  );
  return rows.length;
}
