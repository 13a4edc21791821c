-- Reference snapshots: what the champion's data looked like (distributions of its outputs on its
-- evaluation data, label mix, training vocabulary and tickers), computed once and compared with
-- every later window. `id` is a content hash, so storing the same snapshot twice is a no-op.
CREATE TABLE IF NOT EXISTS drift_references (
  id text PRIMARY KEY,
  model text NOT NULL,
  version text NOT NULL,
  source_kind text NOT NULL CHECK (source_kind IN ('dataset', 'window')),
  source_name text NOT NULL,
  dataset_fingerprint text,
  n integer NOT NULL,
  snapshot jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS drift_references_model_idx ON drift_references (model, version, created_at DESC);
