import type { SentimentModel } from '../types';
import { applyCalibrator, type Calibrator } from './calibrator';

/**
 * Wraps any model so its `scores` and `confidence` are calibrated: `confidence` becomes the
 * probability that `label` is right, as measured on the calibrator's validation split. Family,
 * version, labels and `sentiment` are the inner model's.
 *
 * @example
 *   const model = calibrated(await registry.load('vader', ctx), calibrator);
 *   (await model.predict(['Profit warning sends shares lower']))[0].confidence // 0.71 instead of 0.93
 */
export function calibrated(
  model: SentimentModel,
  calibrator: Calibrator,
): SentimentModel & { calibrator: Calibrator } {
  return {
    family: model.family,
    version: model.version,
    calibrator,
    async predict(texts) {
      return (await model.predict(texts)).map((p) => applyCalibrator(p, calibrator));
    },
    async close() {
      await model.close?.();
    },
  };
}
