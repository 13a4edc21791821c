-- One row per article and model version: what the model said and what the scored text looked
-- like. Keyed (article_id, model, version), so re-running a featurize stage upserts instead of
-- duplicating, and several model versions can score the same article side by side.
-- article_id refers to raw_data.id; there is no foreign key so features can be kept (or
-- pruned) independently of raw-data retention. published_at and tickers are copied from the
-- article so that monitoring windows need no join.
CREATE TABLE IF NOT EXISTS processed_features (
  article_id text NOT NULL,
  model text NOT NULL,
  version text NOT NULL,
  published_at timestamptz NOT NULL,
  tickers text[] NOT NULL DEFAULT '{}',
  language text,
  -- the prediction (models/types.ts Prediction)
  label text NOT NULL CHECK (label IN ('positive', 'negative', 'neutral')),
  score_positive double precision NOT NULL CHECK (score_positive BETWEEN 0 AND 1),
  score_negative double precision NOT NULL CHECK (score_negative BETWEEN 0 AND 1),
  score_neutral double precision NOT NULL CHECK (score_neutral BETWEEN 0 AND 1),
  sentiment double precision NOT NULL CHECK (sentiment BETWEEN -1 AND 1),
  confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  -- the scored text (pipeline/features/text.ts documents each one)
  text_hash text NOT NULL,
  char_count integer NOT NULL,
  token_count integer NOT NULL,
  avg_token_length double precision NOT NULL,
  uppercase_ratio double precision NOT NULL,
  all_caps_tokens integer NOT NULL,
  number_count integer NOT NULL,
  has_number boolean NOT NULL,
  has_percent boolean NOT NULL,
  has_currency boolean NOT NULL,
  exclamation_count integer NOT NULL,
  question_count integer NOT NULL,
  cashtag_count integer NOT NULL,
  negation_count integer NOT NULL,
  ticker_count integer NOT NULL,
  featurized_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (article_id, model, version)
);
-- Monitoring reads a model version's scores over a time window (drift, label mix).
CREATE INDEX IF NOT EXISTS processed_features_model_time_idx
  ON processed_features (model, version, published_at);
