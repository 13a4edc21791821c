/**
 * The model contract every part of finsent relies on (see ../docs/architecture.md).
 */
export const LABELS = ['positive', 'negative', 'neutral'] as const;
export type Label = (typeof LABELS)[number];

export interface Scores {
  positive: number;
  negative: number;
  neutral: number;
}

/** One model's verdict on one text. */
export interface Prediction {
  label: Label;
  /** A probability distribution over the three labels: each in [0, 1], summing to 1. */
  scores: Scores;
  /** Signed strength in [-1, 1]: negative is bearish, positive bullish. */
  sentiment: number;
  /** In [0, 1]; once a model is calibrated, the probability that `label` is right. */
  confidence: number;
  /** Model family, e.g. `vader-base`. */
  model: string;
  /** Version of that family, e.g. `3.3.1` or `1.2.0`. */
  version: string;
}

/**
 * One interface for every model. Batch-first: a transformer amortises work over a batch, and a
 * rule-based model loses nothing by looping.
 */
export interface SentimentModel {
  /** Family name, e.g. `vader-base`, `vader`, `finbert`. */
  readonly family: string;
  readonly version: string;
  /** One prediction per text, in order. */
  predict(texts: readonly string[]): Promise<Prediction[]>;
  /** Releases native resources (ONNX sessions). Safe to call twice. */
  close?(): Promise<void>;
}

/**
 * A model's native scores for one text as a JSON-serialisable object of named numbers (VADER:
 * neg, neu, pos, compound). Typed as `object` so a model's own interface (e.g. VaderScores)
 * satisfies it without an index signature.
 */
export type RawScores = object;

/**
 * Optional capability, beside the contract: the model's own native scores for one text, before
 * they are mapped onto a Prediction. `finsent score --raw` prints them. Per text and possibly
 * synchronous, as a rule-based engine computes them; a model that must wait returns a promise.
 * Kept out of SentimentModel itself so each model types its own scores (VaderModel.raw returns
 * VaderScores).
 */
export interface RawScoring {
  raw(text: string): RawScores | Promise<RawScores>;
}

/** @example if (hasRaw(model)) console.log(model.raw('Acme beats')) // { neg: 0, neu: 0.5, pos: 0.5, compound: 0.4 } */
export function hasRaw<M extends SentimentModel>(model: M): model is M & RawScoring {
  return typeof (model as { raw?: unknown }).raw === 'function';
}

export function isLabel(value: unknown): value is Label {
  return typeof value === 'string' && (LABELS as readonly string[]).includes(value);
}
