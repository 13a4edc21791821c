-- One row per evaluation of a model version on a dataset (offline eval, training validation,
-- live rolling performance from feedback). Metrics are kept whole in `metrics` (JSON) and the
-- headline figures in columns for charts and queries.
CREATE TABLE IF NOT EXISTS model_performance (
  id bigserial PRIMARY KEY,
  model text NOT NULL,
  version text NOT NULL,
  dataset text NOT NULL,
  dataset_fingerprint text,
  context text NOT NULL DEFAULT 'eval', -- eval | training | live | comparison
  n integer NOT NULL,
  accuracy double precision,
  macro_f1 double precision,
  ece double precision,
  latency_p50_ms double precision,
  latency_p95_ms double precision,
  latency_p99_ms double precision,
  metrics jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS model_performance_model_idx ON model_performance (model, version, created_at DESC);
