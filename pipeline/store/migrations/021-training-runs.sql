-- Experiment tracking: one row per training run (`finsent train`, the train workflow, npm start).
-- A run is inserted as 'running' before training starts and finished as 'succeeded' or 'failed',
-- so a crashed run stays visible. Equal inputs and seed give an equal artifact_digest.
CREATE TABLE IF NOT EXISTS training_runs (
  id text PRIMARY KEY,
  family text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  trigger text NOT NULL DEFAULT 'cli',          -- cli | main-job | schedule | dispatch | monitoring
  seed integer NOT NULL,
  params jsonb NOT NULL DEFAULT '{}'::jsonb,     -- hyperparameters asked for (overrides)
  chosen_params jsonb,                           -- hyperparameters the trainer settled on
  dataset text NOT NULL,
  data_fingerprint text NOT NULL,
  validation_fingerprint text,
  n_train integer NOT NULL,
  n_validation integer NOT NULL,
  metrics jsonb NOT NULL DEFAULT '{}'::jsonb,    -- validation metrics reported by the trainer
  artifact_digest text,                          -- sha256 over the artifacts' sha256s
  version text,                                  -- the registry version, once registered
  code_commit text NOT NULL,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  duration_ms double precision
);
CREATE INDEX IF NOT EXISTS training_runs_family_idx ON training_runs (family, started_at DESC);
