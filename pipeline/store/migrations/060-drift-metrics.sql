-- One row per (monitor run, feature, metric): the effect size the thresholds apply to, its p-value,
-- the verdict and the evidence (bins, shares, means) in `details`. A run id is derived from the
-- model, the reference and the window, so re-running the same window replaces its rows.
CREATE TABLE IF NOT EXISTS drift_metrics (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  model text NOT NULL,
  version text,
  reference_id text,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  feature text NOT NULL,                  -- sentiment, confidence, text_length, label, oov_rate, unseen_tickers, disagreement
  metric text NOT NULL,                   -- psi | ks | chi2 | proportion
  value double precision,                 -- PSI, KS D, Cramér's V, or a difference of proportions
  p_value double precision,
  severity text NOT NULL CHECK (severity IN ('ok', 'warn', 'alert', 'insufficient')),
  n_reference integer,
  n_current integer,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE UNIQUE INDEX IF NOT EXISTS drift_metrics_run_idx ON drift_metrics (run_id, feature, metric);
CREATE INDEX IF NOT EXISTS drift_metrics_series_idx ON drift_metrics (model, feature, metric, window_end DESC);
