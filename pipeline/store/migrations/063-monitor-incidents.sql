-- Incidents (one per kind and model, identified by a stable fingerprint) and the audit trail of
-- what monitoring did about them. When GitHub is configured the issue is the public face of an
-- incident; this table is the local record (and the only one in embedded mode).
CREATE TABLE IF NOT EXISTS monitor_incidents (
  fingerprint text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('drift', 'degradation')),
  model text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  severity text NOT NULL,
  title text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  ok_runs integer NOT NULL DEFAULT 0,
  issue_number integer,
  issue_url text,
  last_retrain_at timestamptz,
  evidence jsonb NOT NULL DEFAULT '[]'::jsonb
);
CREATE TABLE IF NOT EXISTS monitor_events (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  fingerprint text NOT NULL,
  model text NOT NULL,
  event text NOT NULL,                    -- opened | updated | closed | retrain_requested | retrain_skipped
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS monitor_events_fp_idx ON monitor_events (fingerprint, created_at DESC);
