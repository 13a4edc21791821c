-- One row per validation run: what was checked, every rule's result and the verdict.
CREATE TABLE IF NOT EXISTS data_quality_reports (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  verdict text NOT NULL CHECK (verdict IN ('pass', 'warn', 'fail')),
  run_ids bigint[] NOT NULL DEFAULT '{}',     -- the collection runs this report covers
  rows_checked integer NOT NULL,
  rows_accepted integer NOT NULL,
  rows_quarantined integer NOT NULL,
  counts jsonb NOT NULL,                      -- per source: fetched, new, merged, quarantined, ...
  rules jsonb NOT NULL,                       -- [{ rule, severity, status, value, threshold, message }]
  summary text NOT NULL
);
CREATE INDEX IF NOT EXISTS data_quality_reports_created_idx ON data_quality_reports (created_at DESC);
