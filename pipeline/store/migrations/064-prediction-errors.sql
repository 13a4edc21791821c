-- Failed prediction requests (the prediction log holds only successes), so the error rate can be
-- computed from the store: errors / (errors + logged predictions). The API writes it in batches.
CREATE TABLE IF NOT EXISTS prediction_errors (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  model text,
  version text,
  route text NOT NULL,
  status_code integer NOT NULL,
  error_code text
);
CREATE INDEX IF NOT EXISTS prediction_errors_time_idx ON prediction_errors (created_at);
