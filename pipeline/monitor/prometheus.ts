import { Gauge, type Registry } from 'prom-client';
import { SEVERITY_RANK, type Severity } from './drift';

/**
 * Drift gauges for the API's /metrics, read from the latest drift_metrics rows at scrape time,
 * so Prometheus alerts (config/prometheus/alerts.yml) see what `finsent monitor` last computed.
 */
export const DRIFT_METRICS = {
  value: 'finsent_drift_value',
  severity: 'finsent_drift_severity',
  lastRun: 'finsent_drift_last_run_timestamp_seconds',
} as const;

/**
 * The API metrics the alert rules expect the serving app to export (names agreed with serving;
 * see docs/monitoring.md). Tests check alerts.yml uses no other series.
 */
export const API_METRICS = [
  'finsent_http_request_duration_seconds_bucket',
  'finsent_http_requests_total',
  'finsent_predictions_total',
  'up',
] as const;

export interface LatestDriftRow {
  model: string;
  feature: string;
  metric: string;
  value: number | null;
  severity: string;
  window_end: string;
}

/** -1 when there was too little data, then 0 ok, 1 warn, 2 alert. */
export function severityCode(severity: string): number {
  return severity in SEVERITY_RANK ? SEVERITY_RANK[severity as Severity] - 1 : -1;
}

/**
 * Registers the three drift gauges; `load` runs on each scrape (e.g. `() => latestDriftMetrics(db)`).
 *
 * @example registerDriftGauges(registry, () => latestDriftMetrics(db))
 */
export function registerDriftGauges(registry: Registry, load: () => Promise<LatestDriftRow[]>): void {
  let pending: Promise<LatestDriftRow[]> | undefined;
  // The three gauges' collect() run in the same scrape: share one query between them.
  const rows = () => {
    pending ??= load().finally(() => {
      setTimeout(() => {
        pending = undefined;
      }, 1000).unref();
    });
    return pending;
  };
  const labelNames = ['model', 'feature', 'metric'] as const;
  new Gauge({
    name: DRIFT_METRICS.value,
    help: 'Latest drift effect size per model, feature and test (PSI, KS D, Cramér V, rise of a rate)',
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await rows()) {
        if (r.value !== null) this.set({ model: r.model, feature: r.feature, metric: r.metric }, r.value);
      }
    },
  });
  new Gauge({
    name: DRIFT_METRICS.severity,
    help: 'Latest drift verdict: -1 insufficient data, 0 ok, 1 warn, 2 alert',
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await rows()) {
        this.set({ model: r.model, feature: r.feature, metric: r.metric }, severityCode(r.severity));
      }
    },
  });
  new Gauge({
    name: DRIFT_METRICS.lastRun,
    help: 'End of the latest monitored window per model (Unix seconds)',
    labelNames: ['model'],
    registers: [registry],
    async collect() {
      this.reset();
      const last = new Map<string, number>();
      for (const r of await rows()) {
        const t = new Date(r.window_end).getTime() / 1000;
        if (Number.isFinite(t)) last.set(r.model, Math.max(last.get(r.model) ?? 0, t));
      }
      for (const [model, t] of last) this.set({ model }, t);
    },
  });
}
