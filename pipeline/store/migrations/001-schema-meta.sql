-- Migrations are numbered by area so parallel work does not collide:
-- 001-019 data platform (raw_data, processed_features, quality, quarantine, watermarks),
-- 020-039 training, evaluation, registry and promotion (model_performance, training_runs, promotions),
-- 040-059 serving (predictions log, audit_log),
-- 060-079 monitoring (drift_metrics, feedback, alerts).
-- This first one only records the store's own metadata.
CREATE TABLE IF NOT EXISTS store_meta (
  key text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
