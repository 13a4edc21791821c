import { InputError, ModelUnavailableError } from '../../lib/errors';
import { applyCalibrator, type Calibrator } from '../calibration/calibrator';
import type { EncoderRef, HeadArtifact } from '../head/artifact';
import { headLogits } from '../head/softmax';
import { predictionFromScores, softmaxScores } from '../prediction';
import { LABELS, type Prediction, type SentimentModel } from '../types';
import { MicroBatcher } from './batcher';
import { labelOrder } from './labels';
import type { BertRuntime, RuntimeInfo } from './runtime';
import type { FinbertSettings } from './settings';
import type { FetchLike } from './source';
import { openBertRuntime } from './worker-runtime';

export const FAMILY = 'finbert';

export interface FinbertModelOptions {
  /** `builtin`, or the semver of a trained head. */
  version: string;
  head?: HeadArtifact;
  calibrator?: Calibrator;
  batch: FinbertSettings['batch'];
}

/** Logits in LABELS order (positive, negative, neutral) from one runtime call, one row per text. */
type LogitsFn = (texts: readonly string[]) => Promise<number[][]>;

function logitsFunction(runtime: BertRuntime, head: HeadArtifact | undefined): LogitsFn {
  if (head) {
    const order = LABELS.map((l) => head.labels.indexOf(l));
    return async (texts) => {
      const { pooled } = await runtime.run(texts);
      if (!pooled) throw new ModelUnavailableError('the encoder returned no pooled output for the head');
      return pooled.map((x) => {
        const z = headLogits(head, x);
        return order.map((i) => z[i]!);
      });
    };
  }
  const mapping = labelOrder(runtime.info.id2label);
  if ('error' in mapping) {
    const error = new ModelUnavailableError(
      `FinBERT unavailable: ${mapping.error}; use a 3-class sentiment classifier export`,
    );
    // An encoder loaded for its features only (head training) has no use for labels.
    return async () => {
      throw error;
    };
  }
  const order = LABELS.map((l) => mapping.labels.indexOf(l));
  return async (texts) => {
    const { logits } = await runtime.run(texts);
    if (!logits) throw new ModelUnavailableError('the model returned no logits output');
    return logits.map((row) => order.map((i) => row[i]!));
  };
}

/**
 * FinBERT (or any BERT-style 3-class classifier) as a SentimentModel. Concurrent predict() calls
 * share session calls through the micro-batcher; each call's texts are admitted in chunks of the
 * batch size, so one large call cannot starve the others.
 */
export class FinbertModel implements SentimentModel {
  readonly family = FAMILY;
  readonly version: string;
  readonly info: RuntimeInfo;
  readonly head: HeadArtifact | undefined;
  readonly calibrator: Calibrator | undefined;
  readonly #runtime: BertRuntime;
  readonly #logits: LogitsFn;
  readonly #batcher: MicroBatcher<string, number[]> | undefined;
  readonly #chunk: number;

  constructor(runtime: BertRuntime, options: FinbertModelOptions) {
    this.#runtime = runtime;
    this.info = runtime.info;
    this.version = options.version;
    this.head = options.head;
    this.calibrator = options.calibrator;
    this.#logits = logitsFunction(runtime, options.head);
    this.#chunk = options.batch.maxBatchSize;
    this.#batcher = options.batch.enabled
      ? new MicroBatcher<string, number[]>({
          run: (texts) => this.#logits(texts),
          maxBatchSize: options.batch.maxBatchSize,
          maxWaitMs: options.batch.maxWaitMs,
          maxQueue: options.batch.maxQueue,
          name: 'finbert',
        })
      : undefined;
  }

  /** Raw logits in LABELS order, before softmax and calibration. */
  async logits(texts: readonly string[]): Promise<number[][]> {
    validateTexts(texts);
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.#chunk) {
      const chunk = texts.slice(i, i + this.#chunk);
      out.push(...(this.#batcher ? await this.#batcher.submitMany(chunk) : await this.#logits(chunk)));
    }
    return out;
  }

  async predict(texts: readonly string[]): Promise<Prediction[]> {
    const rows = await this.logits(texts);
    return rows.map((z) => {
      const p = predictionFromScores(softmaxScores(z as [number, number, number]), FAMILY, this.version);
      return this.calibrator ? applyCalibrator(p, this.calibrator) : p;
    });
  }

  /** Pooled [CLS] features (encoder runtimes only), for head training. */
  async features(texts: readonly string[]): Promise<Float32Array[]> {
    validateTexts(texts);
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.#chunk) {
      const { pooled } = await this.#runtime.run(texts.slice(i, i + this.#chunk));
      if (!pooled)
        throw new ModelUnavailableError('this FinBERT runtime has no pooled output (load it as an encoder)');
      out.push(...pooled);
    }
    return out;
  }

  batcherStats() {
    return this.#batcher?.stats();
  }

  async close(): Promise<void> {
    this.#batcher?.close();
    await this.#runtime.dispose();
  }
}

function validateTexts(texts: readonly string[]): void {
  if (!Array.isArray(texts)) throw new InputError('predict() takes an array of texts');
  const bad = texts.findIndex((t) => typeof t !== 'string');
  if (bad >= 0)
    throw new InputError(`text ${bad} is ${typeof texts[bad]}, not a string`, { input: String(texts[bad]) });
}

/** The encoder identity a head records, from a loaded runtime. */
export function encoderRef(info: RuntimeInfo): EncoderRef {
  const src = info.source;
  return {
    model: src.kind === 'hub' ? src.id : `dir:${src.dir.split(/[\\/]/).filter(Boolean).pop() ?? 'model'}`,
    revision: src.kind === 'hub' ? src.revision : 'local',
    fingerprint: info.fingerprint,
    hiddenSize: info.hiddenSize ?? 0,
    dtype: info.dtype,
    maxTokens: info.maxTokens,
  };
}

/**
 * Loads FinBERT: the built-in classifier, or the encoder plus a trained head.
 *
 * @example
 *   const model = await loadFinbertModel(finbertSettings(readEnv()), { version: 'builtin' });
 *   await model.predict(['Shares jump after record quarterly profit'])
 *   // [{ label: 'positive', scores: { positive: 0.95, … }, sentiment: 0.93, confidence: 0.95, model: 'finbert', version: 'builtin' }]
 */
export async function loadFinbertModel(
  settings: FinbertSettings,
  options: {
    version: string;
    head?: HeadArtifact;
    calibrator?: Calibrator;
    fetch?: FetchLike;
    variant?: 'encoder';
  },
): Promise<FinbertModel> {
  const variant = options.head ? 'encoder' : (options.variant ?? 'classifier');
  // On the thread FINBERT_THREAD chooses: a worker thread by default, so a batch never blocks the API.
  const runtime = await openBertRuntime(settings, {
    variant,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  try {
    if (options.head) checkEncoder(options.head, runtime.info, options.version);
    if (variant === 'classifier') {
      // A classifier must say which output is which sentiment: fail at load, not on first use.
      const mapping = labelOrder(runtime.info.id2label);
      if ('error' in mapping) {
        throw new ModelUnavailableError(
          `FinBERT unavailable: ${mapping.error}; use a 3-class sentiment classifier export`,
        );
      }
    }
    return new FinbertModel(runtime, {
      version: options.version,
      batch: settings.batch,
      ...(options.head ? { head: options.head } : {}),
      ...(options.calibrator ? { calibrator: options.calibrator } : {}),
    });
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
}

function checkEncoder(head: HeadArtifact, info: RuntimeInfo, version: string): void {
  const here = encoderRef(info);
  if (head.encoder.fingerprint !== here.fingerprint || head.encoder.hiddenSize !== here.hiddenSize) {
    throw new ModelUnavailableError(
      `finbert@${version} was trained on encoder ${head.encoder.model}@${head.encoder.revision} ` +
        `(fingerprint ${head.encoder.fingerprint}), but the encoder here is ${here.model}@${here.revision} ` +
        `(fingerprint ${here.fingerprint}); point FINBERT_MODEL/FINBERT_MODEL_DIR/FINBERT_REVISION at the encoder it was trained on`,
      { input: `finbert@${version}` },
    );
  }
}
