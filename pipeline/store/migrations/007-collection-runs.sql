-- Each `finsent collect` (CLI, action, main job) and what every source did in it. Counters are
-- updated in the same transaction as each stored batch, so a killed run still tells the truth.
CREATE TABLE IF NOT EXISTS collection_runs (
  id bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'abandoned')),
  trigger text NOT NULL DEFAULT 'cli',
  sources text[] NOT NULL DEFAULT '{}',
  since timestamptz,
  quality_report_id bigint REFERENCES data_quality_reports (id)
);
CREATE INDEX IF NOT EXISTS collection_runs_unreported_idx ON collection_runs (id) WHERE quality_report_id IS NULL;

CREATE TABLE IF NOT EXISTS collection_run_sources (
  run_id bigint NOT NULL REFERENCES collection_runs (id) ON DELETE CASCADE,
  source text NOT NULL,
  status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'skipped', 'rate_limited')),
  requests integer NOT NULL DEFAULT 0,
  pages integer NOT NULL DEFAULT 0,
  fetched integer NOT NULL DEFAULT 0,         -- items the source delivered
  skipped_old integer NOT NULL DEFAULT 0,     -- at or before the watermark (minus overlap)
  new_articles integer NOT NULL DEFAULT 0,    -- inserted into raw_data
  merged integer NOT NULL DEFAULT 0,          -- joined a story another item had delivered
  unchanged integer NOT NULL DEFAULT 0,       -- this very item was already stored
  quarantined integer NOT NULL DEFAULT 0,
  watermark_before timestamptz,
  watermark_after timestamptz,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (run_id, source)
);
