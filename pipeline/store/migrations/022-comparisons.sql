-- Every statistical comparison (`finsent compare`, the evaluate workflow, npm start): the verdict,
-- the headline statistics in columns, the whole result as JSON for reports and the dashboard.
CREATE TABLE IF NOT EXISTS comparisons (
  id bigserial PRIMARY KEY,
  model_a text NOT NULL,
  model_b text NOT NULL,
  dataset text NOT NULL,
  dataset_fingerprint text NOT NULL,
  n integer NOT NULL,
  verdict text NOT NULL CHECK (verdict IN ('superior', 'non-inferior', 'inferior', 'inconclusive')),
  promote boolean NOT NULL,
  delta_macro_f1 double precision NOT NULL,
  delta_macro_f1_lower double precision NOT NULL,
  delta_macro_f1_upper double precision NOT NULL,
  delta_accuracy double precision NOT NULL,
  p_value double precision NOT NULL,
  test text NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS comparisons_b_idx ON comparisons (model_b, created_at DESC);
