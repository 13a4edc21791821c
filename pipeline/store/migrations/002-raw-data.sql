-- Collected articles, one row per story (see docs/data-platform.md). Rows arrive here only after
-- passing the row rules of config/quality.yaml; everything else goes to `quarantine`.
-- `id` is derived from the first (source, item) that delivered the story, whose provenance this
-- row is; later deliveries of the same story are recorded in `article_sources` and merge their
-- tickers here (the view `article_provenance`, migration 003, lists both).
CREATE TABLE IF NOT EXISTS raw_data (
  id text PRIMARY KEY,
  source text NOT NULL,                       -- the source that delivered the story first
  url text,                                   -- canonical (tracking parameters dropped)
  headline text NOT NULL,
  summary text,
  tickers text[] NOT NULL DEFAULT '{}',
  published_at timestamptz NOT NULL,          -- UTC
  collected_at timestamptz NOT NULL DEFAULT now(),
  language text NOT NULL DEFAULT 'und',       -- ISO 639-1, or 'und' when undetermined
  raw jsonb NOT NULL DEFAULT '{}'::jsonb,     -- the first source's payload, verbatim
  item_key text,                              -- that source's own id for the item (set by collect)
  headline_hash text,                         -- story key: sha256 of the normalised headline (set by collect)
  source_count integer NOT NULL DEFAULT 1,    -- how many (source, item) deliveries merged here
  run_id bigint,                              -- the collection run that inserted it
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS raw_data_source_item_idx ON raw_data (source, item_key);
CREATE INDEX IF NOT EXISTS raw_data_headline_hash_idx ON raw_data (headline_hash);
CREATE INDEX IF NOT EXISTS raw_data_published_at_idx ON raw_data (published_at);
-- Runs insert in id order, so a BRIN index finds a run's rows for the validate stage at almost no
-- cost per insert.
CREATE INDEX IF NOT EXISTS raw_data_run_idx ON raw_data USING brin (run_id);
