import { type Static, Type } from 'typebox';
import { MODEL_ID_PATTERN as MODEL_ID_REGEX } from '../lib/model-id';

/**
 * Request and response schemas. Built from the limits of one app (batch size, text length), so
 * the validator, the OpenAPI document and the limits can never disagree.
 */
export interface SchemaLimits {
  maxBatch: number;
  maxTextLength: number;
}

const MODEL_ID_PATTERN = MODEL_ID_REGEX.source;
const TICKER_PATTERN = '^[A-Za-z0-9][A-Za-z0-9.\\-=^]{0,15}$';

export const Scores = Type.Object(
  { positive: Type.Number(), negative: Type.Number(), neutral: Type.Number() },
  { additionalProperties: false },
);

export const PredictionBody = Type.Object(
  {
    label: Type.Union([Type.Literal('positive'), Type.Literal('negative'), Type.Literal('neutral')]),
    sentiment: Type.Number({ description: 'Signed strength in [-1, 1]' }),
    confidence: Type.Number({ description: 'In [0, 1]' }),
    price_direction: Type.Union([Type.Literal('bullish'), Type.Literal('bearish'), Type.Literal('neutral')], {
      description: 'bullish when sentiment >= 0.05, bearish when <= -0.05, else neutral',
    }),
    model_used: Type.String({ description: 'Model family, e.g. vader or finbert' }),
    features_count: Type.Integer({
      description: 'Number of stored features joined for the ticker (0 without one)',
    }),
    scores: Scores,
  },
  { additionalProperties: false },
);

export const Performance = Type.Object(
  {
    response_time_ms: Type.Number(),
    model_version: Type.String(),
    cache_hit: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const Comparison = Type.Object(
  {
    vader_sentiment: Type.Number(),
    finbert_sentiment: Type.Number(),
    agreement: Type.Boolean({ description: 'Both models gave the same label' }),
    confidence_delta: Type.Number({ description: 'finbert confidence minus vader confidence' }),
    vader_label: Type.String(),
    finbert_label: Type.String(),
    vader_version: Type.String(),
    finbert_version: Type.String(),
  },
  { additionalProperties: false },
);

const Features = Type.Record(Type.String(), Type.Number(), {
  description: "The ticker's latest stored features",
});
const Warnings = Type.Array(Type.String(), {
  description: 'Things that degraded this answer without failing it',
});

export const Item = Type.Object(
  {
    prediction_id: Type.String(),
    prediction: PredictionBody,
    performance: Performance,
    comparison: Type.Optional(Comparison),
  },
  { additionalProperties: false },
);

export const SingleResponse = Type.Object(
  {
    prediction_id: Type.String({
      description: 'Key of this prediction in the prediction log (for feedback)',
    }),
    prediction: PredictionBody,
    performance: Performance,
    comparison: Type.Optional(Comparison),
    arm: Type.String({ description: 'A/B arm (or default, direct, compare) that served the request' }),
    ticker: Type.Optional(Type.String()),
    features: Type.Optional(Features),
    warnings: Type.Optional(Warnings),
  },
  { additionalProperties: false },
);

export const BatchResponse = Type.Object(
  {
    results: Type.Array(Item),
    performance: Type.Object(
      {
        response_time_ms: Type.Number(),
        model_version: Type.String(),
        cache_hits: Type.Integer(),
        batch_size: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    arm: Type.String(),
    ticker: Type.Optional(Type.String()),
    features: Type.Optional(Features),
    warnings: Type.Optional(Warnings),
  },
  { additionalProperties: false },
);

export const PredictResponse = Type.Union([SingleResponse, BatchResponse]);
export type PredictResponse = Static<typeof PredictResponse>;
export type SingleResponse = Static<typeof SingleResponse>;
export type BatchResponse = Static<typeof BatchResponse>;

export function predictBody(limits: SchemaLimits, options: { model: boolean }) {
  const text = Type.String({ minLength: 1, maxLength: limits.maxTextLength });
  return Type.Object(
    {
      text: Type.Optional(
        Type.String({ minLength: 1, maxLength: limits.maxTextLength, description: 'One headline' }),
      ),
      texts: Type.Optional(
        Type.Array(text, {
          minItems: 1,
          maxItems: limits.maxBatch,
          description: `A batch of up to ${limits.maxBatch} headlines`,
        }),
      ),
      ticker: Type.Optional(
        Type.String({ pattern: TICKER_PATTERN, description: "Adds the ticker's stored features, e.g. AAPL" }),
      ),
      ...(options.model
        ? {
            model: Type.Optional(
              Type.String({
                pattern: MODEL_ID_PATTERN,
                maxLength: 64,
                description: 'Bypass A/B routing: a served model id such as vader or vader@1.3.0',
              }),
            ),
          }
        : {}),
    },
    { additionalProperties: false, description: 'Send exactly one of "text" and "texts"' },
  );
}

export type PredictBody = { text?: string; texts?: string[]; ticker?: string; model?: string };

export const SelectBody = Type.Object(
  {
    model: Type.String({
      pattern: MODEL_ID_PATTERN,
      maxLength: 64,
      description:
        "vader@1.3.0 pins a family's champion; a bare family (vader) returns it to config/models.yaml",
    }),
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Recorded in the audit log' })),
  },
  { additionalProperties: false },
);
export type SelectBody = Static<typeof SelectBody>;
