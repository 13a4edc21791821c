-- The promotion audit trail: proposals (pull requests opened or updated), merges verified by the
-- promote workflow, local promotions by npm start, and rollbacks. Re-running a stage records
-- nothing twice: each event has a key (`merge:<commit>:<family>`, `pr:<number>:<version>`,
-- `local:<family>:<from>-><to>:<time>`) and inserts are INSERT … ON CONFLICT DO NOTHING.
CREATE TABLE IF NOT EXISTS promotions (
  id bigserial PRIMARY KEY,
  family text NOT NULL,
  from_version text,
  to_version text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('promote', 'rollback')),
  mode text NOT NULL CHECK (mode IN ('local', 'pull-request', 'merge')),
  status text NOT NULL CHECK (status IN ('proposed', 'applied', 'deployed', 'failed')),
  verdict text,
  pr_number integer,
  pr_url text,
  commit_sha text,
  event_key text NOT NULL UNIQUE,
  reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS promotions_family_idx ON promotions (family, created_at DESC);
