-- The prediction log: every prediction the API serves (and every shadow prediction), written in
-- batches off the request path. Monitoring reads its windows from here.
CREATE TABLE IF NOT EXISTS predictions (
  id text PRIMARY KEY,                    -- request-scoped id, unique per text
  created_at timestamptz NOT NULL DEFAULT now(),
  model text NOT NULL,
  version text NOT NULL,
  arm text,                               -- A/B arm, or 'shadow', or null for direct model routes
  shadow boolean NOT NULL DEFAULT false,
  label text NOT NULL CHECK (label IN ('positive', 'negative', 'neutral')),
  sentiment double precision NOT NULL,
  confidence double precision NOT NULL,
  score_positive double precision NOT NULL,
  score_negative double precision NOT NULL,
  score_neutral double precision NOT NULL,
  latency_ms double precision NOT NULL,
  cache_hit boolean NOT NULL DEFAULT false,
  ticker text,
  text_hash text NOT NULL,                -- sha256 of the normalised text (joins feedback, dedups)
  text_length integer NOT NULL,
  text text                               -- kept for drift on vocabulary; may be null by policy
);
CREATE INDEX IF NOT EXISTS predictions_time_idx ON predictions (created_at);
CREATE INDEX IF NOT EXISTS predictions_model_time_idx ON predictions (model, version, created_at);
