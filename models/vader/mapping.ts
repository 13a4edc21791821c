import { InputError } from '../../lib/errors';
import { clamp } from '../prediction';
import type { Label, Prediction, Scores } from '../types';
import type { VaderScores } from './engine';
import type { PolarityGate } from './gate';

/** Decision thresholds on compound: >= positive → positive, <= negative → negative, else neutral. */
export interface Thresholds {
  positive: number;
  negative: number;
}

/** The usual VADER cut-offs (Hutto & Gilbert's README). */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({ positive: 0.05, negative: -0.05 });

/** The winning label's score runs from FLOOR (compound on a threshold) to CEILING (deep in its band). */
export const SCORE_FLOOR = 0.55;
export const SCORE_CEILING = 0.95;

export function validateThresholds(t: Thresholds): Thresholds {
  if (!(Number.isFinite(t.positive) && Number.isFinite(t.negative))) {
    throw new InputError(`VADER thresholds must be numbers, got ${JSON.stringify(t)}`);
  }
  if (!(t.negative < t.positive) || t.positive > 1 || t.negative < -1) {
    throw new InputError(
      `VADER thresholds must satisfy -1 <= negative < positive <= 1, got negative=${t.negative} positive=${t.positive}`,
      { input: JSON.stringify(t) },
    );
  }
  return t;
}

export function labelOf(compound: number, t: Thresholds): Label {
  if (compound >= t.positive) return 'positive';
  if (compound <= t.negative) return 'negative';
  return 'neutral';
}

/**
 * How far into its label's band the compound lies, in [0, 1]: 0 on the threshold, 1 at ±1 (or,
 * for neutral, at the middle of the neutral band). See docs/adr/010-vader-scores.md.
 */
export function bandDepth(compound: number, label: Label, t: Thresholds): number {
  if (label === 'positive')
    return t.positive >= 1 ? 1 : clamp((compound - t.positive) / (1 - t.positive), 0, 1);
  if (label === 'negative')
    return t.negative <= -1 ? 1 : clamp((t.negative - compound) / (1 + t.negative), 0, 1);
  const mid = (t.positive + t.negative) / 2;
  const half = (t.positive - t.negative) / 2;
  return clamp(1 - Math.abs(compound - mid) / half, 0, 1);
}

/**
 * A distribution over the three labels consistent with the threshold label (its argmax).
 * The label gets FLOOR + (CEILING − FLOOR) × depth; the rest is shared by the two other labels
 * in proportion to VADER's own pos/neu/neg proportions (evenly when both are zero). Since the
 * label always holds more than half, it is always the strict argmax.
 *
 *   vaderScores({ neg: 0, neu: 0.5, pos: 0.5, compound: 0.5 }, DEFAULT_THRESHOLDS)
 *   // → label positive, scores { positive: 0.739, neutral: 0.261, negative: 0 }
 */
export function vaderScores(raw: VaderScores, t: Thresholds): { label: Label; scores: Scores } {
  const label = labelOf(raw.compound, t);
  const top = SCORE_FLOOR + (SCORE_CEILING - SCORE_FLOOR) * bandDepth(raw.compound, label, t);
  return { label, scores: spread(label, top, raw) };
}

/**
 * Scores for a gated financial VADER (ADR 064), by ADR 010's rule with the gate probability p in
 * place of compound: the gate's label gets FLOOR + (CEILING − FLOOR) × depth, where depth is how
 * far p lies past the gate threshold τ on the label's side — (p − τ)/(1 − τ) for a polar label,
 * (τ − p)/τ for neutral — and the rest is shared by the two other labels in proportion to VADER's
 * own pos/neu/neg proportions. The label holds more than half: always the argmax; sums to 1.
 */
export function gatedScores(
  raw: VaderScores,
  probability: number,
  gate: PolarityGate,
): { label: Label; scores: Scores } {
  const label = gate.labelOf(probability, raw);
  const tau = gate.spec.threshold;
  const depth =
    label === 'neutral'
      ? clamp((tau - probability) / tau, 0, 1)
      : clamp((probability - tau) / (1 - tau), 0, 1);
  return { label, scores: spread(label, SCORE_FLOOR + (SCORE_CEILING - SCORE_FLOOR) * depth, raw) };
}

function spread(label: Label, top: number, raw: VaderScores): Scores {
  const rest = 1 - top;
  const evidence: Scores = { positive: raw.pos, negative: raw.neg, neutral: raw.neu };
  const [a, b] = (['positive', 'negative', 'neutral'] as const).filter((l) => l !== label) as [Label, Label];
  const ea = evidence[a];
  const eb = evidence[b];
  const share = ea + eb > 0 ? ea / (ea + eb) : 0.5;
  const scores = { positive: 0, negative: 0, neutral: 0 } as Scores;
  scores[label] = top;
  scores[a] = rest * share;
  scores[b] = rest - scores[a];
  return scores;
}

/** A contract-shaped prediction from VADER output: sentiment is compound, confidence the label's score. */
export function vaderPrediction(
  raw: VaderScores,
  t: Thresholds,
  model: string,
  version: string,
  gated?: { gate: PolarityGate; probability: number },
): Prediction {
  const { label, scores } = gated ? gatedScores(raw, gated.probability, gated.gate) : vaderScores(raw, t);
  return {
    label,
    scores,
    sentiment: clamp(raw.compound, -1, 1),
    confidence: scores[label],
    model,
    version,
  };
}
