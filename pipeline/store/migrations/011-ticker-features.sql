-- processed_features exploded per ticker: the narrow table behind the per-ticker rolling
-- aggregates (1 h and 1 d: mean sentiment, count, bullish and bearish share) that serving adds
-- to a prediction. Aggregates are computed on read from the covering index below; see
-- docs/adr/021-ticker-aggregates-on-read.md for the measurements behind that choice.
-- Written in the same transaction as processed_features, by the same batch statements.
CREATE TABLE IF NOT EXISTS ticker_features (
  ticker text NOT NULL,
  article_id text NOT NULL,
  model text NOT NULL,
  version text NOT NULL,
  published_at timestamptz NOT NULL,
  label text NOT NULL CHECK (label IN ('positive', 'negative', 'neutral')),
  sentiment double precision NOT NULL,
  confidence double precision NOT NULL,
  PRIMARY KEY (article_id, model, version, ticker)
);
-- Newest first per ticker, carrying every column the aggregates read, so a window is one
-- index range scan (index-only once vacuumed).
CREATE INDEX IF NOT EXISTS ticker_features_recent_idx
  ON ticker_features (ticker, published_at DESC)
  INCLUDE (model, version, label, sentiment, confidence);
