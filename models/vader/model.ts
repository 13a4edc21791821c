import { InputError } from '../../lib/errors';
import type { Prediction, SentimentModel } from '../types';
import { VaderEngine, type VaderEngineOptions, type VaderScores } from './engine';
import { PolarityGate, type PolarityGateSpec } from './gate';
import { DEFAULT_THRESHOLDS, type Thresholds, vaderPrediction, validateThresholds } from './mapping';

export interface VaderModelOptions extends VaderEngineOptions {
  thresholds?: Thresholds;
  /** A learned polarity gate (financial VADER v2): decides polar vs neutral instead of the thresholds. */
  gate?: PolarityGateSpec;
}

/**
 * A VADER engine behind the SentimentModel contract. `raw()` keeps VADER's own numbers reachable
 * (for `finsent score --raw` and for calibrators that wrap this model).
 *
 *   const model = new VaderModel('vader-base', '3.3.1');
 *   await model.predict(['Shares of Acme rose 5% after strong earnings'])
 *   // → [{ label: 'positive', sentiment: 0.5106, confidence: 0.757, … }]
 */
export class VaderModel implements SentimentModel {
  readonly family: string;
  readonly version: string;
  readonly thresholds: Thresholds;
  readonly gate: PolarityGate | undefined;
  readonly #engine: VaderEngine;

  constructor(family: string, version: string, options: VaderModelOptions = {}) {
    this.family = family;
    this.version = version;
    this.thresholds = validateThresholds({ ...(options.thresholds ?? DEFAULT_THRESHOLDS) });
    this.#engine = new VaderEngine(options);
    this.gate = options.gate ? new PolarityGate(options.gate) : undefined;
  }

  /** VADER's own `{neg, neu, pos, compound}` for one text. */
  raw(text: string): VaderScores {
    return this.#engine.polarityScores(text);
  }

  /** Synchronous batch prediction (the engine never waits on anything). */
  predictSync(texts: readonly string[]): Prediction[] {
    return texts.map((text, i) => {
      if (typeof text !== 'string') {
        throw new InputError(
          `text ${i} is ${text === null ? 'null' : typeof text}, not a string: send texts as strings`,
          {
            action: `predicting with ${this.family}`,
          },
        );
      }
      if (!this.gate)
        return vaderPrediction(this.#engine.polarityScores(text), this.thresholds, this.family, this.version);
      const { scores: raw, tokens } = this.#engine.scoreAndTokenize(text);
      const gated = { gate: this.gate, probability: this.gate.probability(tokens, raw.compound) };
      return vaderPrediction(raw, this.thresholds, this.family, this.version, gated);
    });
  }

  async predict(texts: readonly string[]): Promise<Prediction[]> {
    return this.predictSync(texts);
  }
}

/** True for models that expose VADER's raw scores (`finsent score --raw`). */
export function hasRawScores(
  model: SentimentModel,
): model is SentimentModel & { raw(text: string): VaderScores } {
  return typeof (model as { raw?: unknown }).raw === 'function';
}
