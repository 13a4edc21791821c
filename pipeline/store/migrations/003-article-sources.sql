-- Provenance: every (source, item) that delivered a story, including the first one. The primary
-- key makes re-collection idempotent: an item maps to exactly one article, forever.
CREATE TABLE IF NOT EXISTS article_sources (
  source text NOT NULL,
  item_key text NOT NULL,
  article_id text NOT NULL REFERENCES raw_data (id) ON DELETE CASCADE,
  url text,
  headline text NOT NULL,                     -- as this source wrote it (cleaned)
  published_at timestamptz NOT NULL,
  collected_at timestamptz NOT NULL,
  run_id bigint,
  merged boolean NOT NULL DEFAULT false,      -- true when another item had delivered the story first
  raw jsonb,                                  -- payload of merged items (the first one's is on raw_data)
  PRIMARY KEY (source, item_key)
);
CREATE INDEX IF NOT EXISTS article_sources_article_idx ON article_sources (article_id);
