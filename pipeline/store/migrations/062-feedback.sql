-- Ground truth arriving after the fact: a label for one logged prediction (prediction_id) or for a
-- text (joined to every prediction of the same text_hash). Re-sending feedback corrects the label
-- instead of adding a row. No foreign key: the prediction log may be pruned before feedback is.
CREATE TABLE IF NOT EXISTS feedback (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  prediction_id text,
  text_hash text NOT NULL,
  label text NOT NULL CHECK (label IN ('positive', 'negative', 'neutral')),
  source text NOT NULL DEFAULT 'api',     -- api, or dataset:<name> for imported labelled sets
  submitted_by text                       -- admin | feedback-token | cli
);
CREATE UNIQUE INDEX IF NOT EXISTS feedback_prediction_uq ON feedback (prediction_id) WHERE prediction_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS feedback_text_uq ON feedback (text_hash, source) WHERE prediction_id IS NULL;
CREATE INDEX IF NOT EXISTS feedback_time_idx ON feedback (created_at);
-- Feedback by text joins the prediction log on text_hash.
CREATE INDEX IF NOT EXISTS predictions_text_hash_idx ON predictions (text_hash);
