-- Provenance. The first delivery of a story is raw_data itself (source, item_key, url,
-- published_at, raw; unique on (source, item_key)). Every later delivery of the same story by
-- another item is a row here, with its own payload. An item maps to exactly one article, forever:
-- re-collecting it is recognised by (source, item_key) in one of the two tables.
-- (Keeping first deliveries out of this table halves the index work per stored article.)
CREATE TABLE IF NOT EXISTS article_sources (
  source text NOT NULL,
  item_key text NOT NULL,
  article_id text NOT NULL REFERENCES raw_data (id) ON DELETE CASCADE,
  url text,
  headline text NOT NULL,                     -- as this source wrote it (cleaned)
  published_at timestamptz NOT NULL,
  collected_at timestamptz NOT NULL,
  run_id bigint,
  raw jsonb NOT NULL,                         -- this delivery's payload, verbatim
  PRIMARY KEY (source, item_key)
);
CREATE INDEX IF NOT EXISTS article_sources_article_idx ON article_sources (article_id);

-- Every delivery of every article, first ones included: what readers of provenance should query.
CREATE OR REPLACE VIEW article_provenance AS
  SELECT id AS article_id, source, item_key, url, headline, published_at, collected_at, run_id, false AS merged
  FROM raw_data
  UNION ALL
  SELECT article_id, source, item_key, url, headline, published_at, collected_at, run_id, true AS merged
  FROM article_sources;
