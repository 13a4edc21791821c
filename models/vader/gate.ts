import type { VaderScores } from './engine';

/**
 * The polarity gate of the financial VADER (ADR 064): a second, learned lexicon that decides
 * whether a text takes a side at all (polar) or is neutral, on the engine's own tokens.
 *
 *   P(polar) = σ(bias + intensity·|compound| + Σ weight[term])
 *
 * summed over the distinct terms of the text: its lower-cased VADER tokens and, if the gate has
 * any, the adjacent token pairs ("will report") listed in `weights`. A positive weight makes a
 * text more likely to be polar, a negative one more likely to be neutral ("announces", "webcast").
 * When polar, the direction is VADER's: compound above `midpoint` is positive, below negative; a
 * text whose compound sits exactly on it has no direction and stays neutral.
 */
export interface PolarityGateSpec {
  bias: number;
  /** Weight of VADER's own intensity |compound|: the engine's evidence that the text is polar. */
  intensity: number;
  /** Term (a token, or two tokens joined by one space) → gate weight. */
  weights: Readonly<Record<string, number>>;
  /** P(polar) at or above this is polar. */
  threshold: number;
  /** The compound that separates positive from negative once a text is polar. */
  midpoint: number;
}

/** The distinct gate terms of a token list: its tokens, then its adjacent pairs if wanted. */
export function gateTerms(tokens: readonly string[], pairs: boolean): string[] {
  const out = new Set(tokens);
  if (pairs) for (let i = 0; i + 1 < tokens.length; i++) out.add(`${tokens[i]} ${tokens[i + 1]}`);
  return [...out];
}

export class PolarityGate {
  readonly spec: PolarityGateSpec;
  readonly #weights: ReadonlyMap<string, number>;
  readonly #pairs: boolean;

  constructor(spec: PolarityGateSpec) {
    this.spec = spec;
    this.#weights = new Map(Object.entries(spec.weights));
    this.#pairs = Object.keys(spec.weights).some((k) => k.includes(' '));
  }

  /** The gate's logit for a text given its tokens (VaderEngine.tokenize) and compound. */
  logit(tokens: readonly string[], compound: number): number {
    let z = this.spec.bias + this.spec.intensity * Math.abs(compound);
    if (this.#pairs) {
      for (const term of gateTerms(tokens, true)) z += this.#weights.get(term) ?? 0;
      return z;
    }
    // Each distinct token counts once; texts are short, so a backward scan beats a Set.
    for (let i = 0; i < tokens.length; i++) {
      const weight = this.#weights.get(tokens[i]!);
      if (weight !== undefined && (i === 0 || tokens.lastIndexOf(tokens[i]!, i - 1) === -1)) z += weight;
    }
    return z;
  }

  probability(tokens: readonly string[], compound: number): number {
    return 1 / (1 + Math.exp(-this.logit(tokens, compound)));
  }

  /** The label the gate gives: neutral below the threshold (or with no direction), else compound's side. */
  labelOf(probability: number, raw: VaderScores): 'positive' | 'negative' | 'neutral' {
    if (probability < this.spec.threshold) return 'neutral';
    if (raw.compound > this.spec.midpoint) return 'positive';
    if (raw.compound < this.spec.midpoint) return 'negative';
    return 'neutral';
  }
}
