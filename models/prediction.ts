import { LABELS, type Label, type Prediction, type Scores } from './types';

/** The label with the highest score; ties resolve toward neutral, then negative. */
export function argmaxLabel(scores: Scores): Label {
  let best: Label = 'neutral';
  for (const label of ['negative', 'positive'] as const) {
    if (scores[label] > scores[best]) best = label;
  }
  return best;
}

/** Scales non-negative scores so they sum to 1 (uniform if they are all zero). */
export function normaliseScores(scores: Scores): Scores {
  const total = scores.positive + scores.negative + scores.neutral;
  if (!(total > 0)) return { positive: 1 / 3, negative: 1 / 3, neutral: 1 / 3 };
  return {
    positive: scores.positive / total,
    negative: scores.negative / total,
    neutral: scores.neutral / total,
  };
}

/** Softmax over logits given in LABELS order. */
export function softmaxScores(logits: readonly [number, number, number]): Scores {
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - max));
  const sum = e[0]! + e[1]! + e[2]!;
  return { positive: e[0]! / sum, negative: e[1]! / sum, neutral: e[2]! / sum };
}

export function clamp(value: number, lo: number, hi: number): number {
  return Math.min(Math.max(value, lo), hi);
}

/** Builds a contract-shaped prediction from a distribution; sentiment defaults to P(pos) − P(neg). */
export function predictionFromScores(
  scores: Scores,
  model: string,
  version: string,
  options: { label?: Label; sentiment?: number } = {},
): Prediction {
  const label = options.label ?? argmaxLabel(scores);
  return {
    label,
    scores,
    sentiment: clamp(options.sentiment ?? scores.positive - scores.negative, -1, 1),
    confidence: clamp(scores[label], 0, 1),
    model,
    version,
  };
}

export { LABELS };
