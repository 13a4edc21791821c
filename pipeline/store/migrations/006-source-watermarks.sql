-- Incremental collection state per source. `watermark` is the newest published_at known to be
-- stored completely; it moves only forward, and only in the transaction that stored the rows.
CREATE TABLE IF NOT EXISTS source_watermarks (
  source text PRIMARY KEY,
  watermark timestamptz,
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  quota_day date,                             -- UTC day `quota_used` counts requests for
  quota_used integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
