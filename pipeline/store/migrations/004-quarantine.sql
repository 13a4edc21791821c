-- Items (and whole responses) that failed validation, with every reason. Nothing is dropped
-- silently: an item is here or in raw_data. Re-collecting the same bad item bumps seen_count.
CREATE TABLE IF NOT EXISTS quarantine (
  source text NOT NULL,
  item_key text NOT NULL,                     -- the item's key, or 'response:<url>' for a rejected response
  stage text NOT NULL CHECK (stage IN ('fetch', 'collect', 'validate')),
  reasons text[] NOT NULL,                    -- 'rule: message', e.g. 'published_at.future: ...'
  record jsonb NOT NULL,                      -- the normalised candidate, as far as it got
  raw jsonb,                                  -- the source payload (an excerpt for responses)
  run_id bigint,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  seen_count integer NOT NULL DEFAULT 1,
  PRIMARY KEY (source, item_key)
);
CREATE INDEX IF NOT EXISTS quarantine_last_seen_idx ON quarantine (last_seen_at);
