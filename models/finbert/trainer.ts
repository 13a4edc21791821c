import { type FinsentEnv, readEnv } from '../../lib/env';
import { DataError, InputError } from '../../lib/errors';
import { fitCalibrator } from '../calibration/calibrator';
import { HEAD_FILE, headArtifact } from '../head/artifact';
import { accuracy, macroF1 } from '../head/metrics';
import { DEFAULT_HEAD_PARAMS, headLogits, type SoftmaxHeadParams, trainSoftmaxHead } from '../head/softmax';
import { predictionFromScores, softmaxScores } from '../prediction';
import type { LabelledText, Trainer, TrainOptions, TrainResult } from '../training/types';
import { LABELS } from '../types';
import { CALIBRATION_FILE } from './family';
import { encoderRef, type FinbertModel, loadFinbertModel } from './model';
import { type FinbertSettings, finbertSettings } from './settings';
import type { FetchLike } from './source';

const NUMERIC_PARAMS = ['l2', 'learningRate', 'maxEpochs', 'patience', 'batchSize'] as const;

function headParams(params: Record<string, unknown> | undefined): Partial<SoftmaxHeadParams> {
  const out: Partial<SoftmaxHeadParams> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    if ((NUMERIC_PARAMS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new InputError(
          `finbert training parameter ${key} must be a non-negative number (got ${JSON.stringify(value)})`,
        );
      }
      (out as Record<string, number>)[key] = value;
    } else if (key === 'classWeights') {
      if (value !== 'balanced' && value !== 'none')
        throw new InputError('classWeights must be "balanced" or "none"');
      out.classWeights = value;
    } else {
      throw new InputError(
        `unknown finbert training parameter "${key}": valid ones are ${[...NUMERIC_PARAMS, 'classWeights'].join(', ')}`,
      );
    }
  }
  return out;
}

async function extract(
  model: FinbertModel,
  rows: readonly LabelledText[],
  name: string,
  options: TrainOptions,
): Promise<Float32Array[]> {
  const step = 256;
  const out: Float32Array[] = [];
  for (let i = 0; i < rows.length; i += step) {
    out.push(...(await model.features(rows.slice(i, i + step).map((r) => r.text))));
    options.onProgress?.({
      step: Math.min(i + step, rows.length),
      total: rows.length,
      message: `embedding ${name}`,
    });
  }
  return out;
}

/**
 * The `finbert` trainer: pooled [CLS] embeddings from the frozen encoder (batched; on the GPU when
 * FINBERT_DEVICE=cuda), a softmax head trained in TypeScript on them, and a temperature fitted on
 * the validation split. Artifacts: head.json (weights, bias, label order, encoder id + revision +
 * fingerprint) and calibration.json. See docs/adr/034 for why not full fine-tuning.
 *
 * @example
 *   const result = await createFinbertTrainer({ env: readEnv() }).train(train, validation, { seed: 7 });
 *   result.validation // { macroF1: 0.71, accuracy: 0.78, eceBefore: 0.09, eceAfter: 0.03, … }
 */
export function createFinbertTrainer(options: {
  env: FinsentEnv;
  settings?: FinbertSettings;
  fetch?: FetchLike;
}): Trainer {
  return {
    family: 'finbert',
    async train(train, validation, trainOptions): Promise<TrainResult> {
      if (train.length === 0) throw new DataError('finbert training needs labelled training texts');
      if (validation.length === 0)
        throw new DataError('finbert training needs a validation split (early stopping and calibration)');
      const params = headParams(trainOptions.params);
      const settings = options.settings ?? finbertSettings(options.env);
      const started = performance.now();
      const model = await loadFinbertModel(settings, {
        version: 'candidate',
        variant: 'encoder',
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      try {
        const trainX = await extract(model, train, 'training texts', trainOptions);
        const valX = await extract(model, validation, 'validation texts', trainOptions);
        const extractSeconds = (performance.now() - started) / 1000;
        const trainY = train.map((r) => LABELS.indexOf(r.label));
        const valY = validation.map((r) => LABELS.indexOf(r.label));
        const maxEpochs = params.maxEpochs ?? DEFAULT_HEAD_PARAMS.maxEpochs;
        const fitted = trainSoftmaxHead({
          train: { x: trainX, y: trainY },
          validation: { x: valX, y: valY },
          classes: LABELS.length,
          seed: trainOptions.seed,
          params,
          onEpoch: (r) =>
            trainOptions.onProgress?.({
              step: r.epoch,
              total: maxEpochs,
              message: `epoch ${r.epoch}: loss ${r.trainLoss.toFixed(4)}, validation macro-F1 ${r.validationMacroF1.toFixed(4)}`,
            }),
        });
        const encoder = encoderRef(model.info);
        const usedParams = { ...DEFAULT_HEAD_PARAMS, ...params };
        const head = headArtifact(fitted.head, encoder, {
          seed: trainOptions.seed,
          params: usedParams,
          bestEpoch: fitted.bestEpoch,
          epochsRun: fitted.epochsRun,
          trainSize: train.length,
          validationSize: validation.length,
          classWeights: fitted.classWeights,
        });
        const valLogits = valX.map((x) => headLogits(fitted.head, x));
        const predicted = valLogits.map((z) => z.indexOf(Math.max(...z)));
        const predictions = valLogits.map((z) =>
          predictionFromScores(softmaxScores(z as [number, number, number]), 'finbert', 'candidate'),
        );
        const calibrator = fitCalibrator(
          predictions,
          validation.map((r) => r.label),
          { method: 'temperature', model: 'finbert' },
        );
        return {
          family: 'finbert',
          files: {
            [HEAD_FILE]: `${JSON.stringify(head)}\n`,
            [CALIBRATION_FILE]: `${JSON.stringify(calibrator, null, 2)}\n`,
          },
          params: { ...usedParams, seed: trainOptions.seed, maxTokens: settings.maxTokens, encoder },
          validation: {
            macroF1: macroF1(valY, predicted, LABELS.length),
            accuracy: accuracy(valY, predicted),
            eceBefore: calibrator.fit.eceBefore,
            eceAfter: calibrator.fit.eceAfter,
            nllBefore: calibrator.fit.nllBefore,
            nllAfter: calibrator.fit.nllAfter,
            temperature: calibrator.kind === 'temperature' ? calibrator.temperature : 1,
            bestEpoch: fitted.bestEpoch,
            epochsRun: fitted.epochsRun,
            extractSeconds,
            totalSeconds: (performance.now() - started) / 1000,
          },
          notes: [
            `Head trained on pooled [CLS] embeddings of the frozen encoder ${encoder.model}@${encoder.revision} (${encoder.dtype}, ${settings.device}).`,
            `Early stopping on validation macro-F1: best epoch ${fitted.bestEpoch} of ${fitted.epochsRun}.`,
            'Temperature fitted on the same validation split that chose the epoch; the evaluation set measures both honestly.',
          ],
        };
      } finally {
        await model.close();
      }
    },
  };
}

/**
 * The trainer with settings from the process environment, for the trainer registry
 * (`models/training/trainers.ts`: `finbert: async () => (await import('../finbert/trainer')).finbertTrainer()`).
 */
export function finbertTrainer(): Trainer {
  return createFinbertTrainer({ env: readEnv() });
}
