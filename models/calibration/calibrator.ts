import { z } from 'zod';
import { DataError } from '../../lib/errors';
import { clamp } from '../prediction';
import { LABELS, type Label, type Prediction, type Scores } from '../types';
import { applyIsotonic, fitIsotonic } from './isotonic';
import { expectedCalibrationError, negativeLogLikelihood } from './metrics';
import { fitTemperature, softmaxWithTemperature } from './temperature';

/** log(0) guard when scores stand in for logits: a zero score becomes a very unlikely class, not −∞. */
export const SCORE_FLOOR = 1e-6;

const Fit = z.strictObject({
  n: z.number().int().nonnegative(),
  eceBefore: z.number(),
  eceAfter: z.number(),
  nllBefore: z.number(),
  nllAfter: z.number(),
});

/**
 * A fitted calibrator as stored in a model version (calibration.json). `temperature` rescales
 * log-scores (for a softmax model, exactly temperature scaling of its logits); `isotonic` remaps
 * the top-label confidence.
 */
export const CalibratorSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('temperature'),
    temperature: z.number().positive(),
    model: z.string(),
    fit: Fit,
  }),
  z.strictObject({
    kind: z.literal('isotonic'),
    x: z.array(z.number().min(0).max(1)),
    y: z.array(z.number().min(0).max(1)),
    model: z.string(),
    fit: Fit,
  }),
]);
export type Calibrator = z.infer<typeof CalibratorSchema>;
export type CalibrationMethod = Calibrator['kind'];

export function parseCalibrator(json: unknown, source = 'calibration.json'): Calibrator {
  const result = CalibratorSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new DataError(`${source} is not a valid calibrator: ${issues}`, { input: source });
  }
  const c = result.data;
  if (c.kind === 'isotonic' && c.x.length !== c.y.length) {
    throw new DataError(`${source}: isotonic x and y differ in length`, { input: source });
  }
  return c;
}

const logScores = (s: Scores): number[] => LABELS.map((l) => Math.log(Math.max(s[l], SCORE_FLOOR)));

function scoresFrom(values: readonly number[]): Scores {
  return { positive: values[0]!, negative: values[1]!, neutral: values[2]! };
}

/**
 * The calibrated version of one prediction. The label never changes (both methods are monotone);
 * the model's own `sentiment` is kept, since it is the model's signal, not a probability.
 */
export function applyCalibrator(prediction: Prediction, calibrator: Calibrator): Prediction {
  if (calibrator.kind === 'temperature') {
    const scores = scoresFrom(softmaxWithTemperature(logScores(prediction.scores), calibrator.temperature));
    return { ...prediction, scores, confidence: clamp(scores[prediction.label], 0, 1) };
  }
  const raw = prediction.scores[prediction.label];
  const confidence = clamp(applyIsotonic(calibrator, raw), 0, 1);
  // The rest of the mass goes to the other labels in their original proportions.
  const others = LABELS.filter((l) => l !== prediction.label);
  const otherTotal = others.reduce((s, l) => s + prediction.scores[l], 0);
  const scores = { ...prediction.scores, [prediction.label]: confidence } as Scores;
  for (const l of others) {
    scores[l] =
      otherTotal > 0
        ? ((1 - confidence) * prediction.scores[l]) / otherTotal
        : (1 - confidence) / others.length;
  }
  return { ...prediction, scores, confidence };
}

function summary(predictions: readonly Prediction[], truth: readonly Label[]) {
  const targets = truth.map((l) => LABELS.indexOf(l));
  return {
    ece: expectedCalibrationError(
      predictions.map((p) => p.confidence),
      predictions.map((p, i) => p.label === truth[i]),
    ),
    nll: negativeLogLikelihood(
      predictions.map((p) => LABELS.map((l) => p.scores[l])),
      targets,
    ),
  };
}

/**
 * Fits a calibrator on a validation split: the model's predictions and the true labels.
 *
 * @example
 *   const c = fitCalibrator(await model.predict(texts), labels, { method: 'temperature', model: 'finbert@builtin' });
 *   c.fit // { n: 2388, eceBefore: 0.21, eceAfter: 0.03, nllBefore: 1.9, nllAfter: 0.8 }
 */
export function fitCalibrator(
  predictions: readonly Prediction[],
  truth: readonly Label[],
  options: { method?: CalibrationMethod; model: string },
): Calibrator {
  if (predictions.length !== truth.length) throw new RangeError('predictions and labels differ in length');
  if (predictions.length === 0) throw new DataError('cannot calibrate on an empty validation split');
  const before = summary(predictions, truth);
  const method = options.method ?? 'temperature';
  let calibrator: Calibrator;
  const placeholder = {
    n: predictions.length,
    eceBefore: before.ece,
    eceAfter: 0,
    nllBefore: before.nll,
    nllAfter: 0,
  };
  if (method === 'temperature') {
    const { temperature } = fitTemperature(
      predictions.map((p) => logScores(p.scores)),
      truth.map((l) => LABELS.indexOf(l)),
    );
    calibrator = { kind: 'temperature', temperature, model: options.model, fit: placeholder };
  } else {
    const map = fitIsotonic(
      predictions.map((p) => p.scores[p.label]),
      predictions.map((p, i) => p.label === truth[i]),
    );
    calibrator = { kind: 'isotonic', ...map, model: options.model, fit: placeholder };
  }
  const after = summary(
    predictions.map((p) => applyCalibrator(p, calibrator)),
    truth,
  );
  calibrator.fit = { ...placeholder, eceAfter: after.ece, nllAfter: after.nll };
  return calibrator;
}
