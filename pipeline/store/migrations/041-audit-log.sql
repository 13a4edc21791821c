-- Every admin action on the serving API (model selection, and refused attempts), one row each.
-- `actor` never holds a secret: it is a fingerprint of the admin token (first 12 hex of its sha256),
-- so a rotation shows up as a new actor without the log ever containing the token.
CREATE TABLE IF NOT EXISTS audit_log (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,                 -- e.g. models.select
  target text,                          -- e.g. vader@1.3.0
  outcome text NOT NULL CHECK (outcome IN ('ok', 'failed', 'denied')),
  request_id text,
  ip text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_time_idx ON audit_log (created_at);
