import { describe, expect, it } from 'vitest';
import { DataError } from '../lib/errors';
import {
  applyCalibrator,
  applyIsotonic,
  calibrated,
  expectedCalibrationError,
  fitCalibrator,
  fitIsotonic,
  fitTemperature,
  parseCalibrator,
  reliabilityBins,
  softmaxWithTemperature,
} from '../models/calibration';
import { SeededRandom } from '../models/head/random';
import { predictionFromScores } from '../models/prediction';
import { LABELS, type Label, type Prediction, type SentimentModel } from '../models/types';

/**
 * A synthetic over-confident model: each text has true logits z; the label is drawn from
 * softmax(z), but the model reports softmax(3z). Its confidence overstates how often it is right.
 */
function overconfidentData(n: number, seed: number) {
  const rng = new SeededRandom(seed);
  const texts: string[] = [];
  const truth: Label[] = [];
  const reported = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const z = [rng.normal() * 1.5, rng.normal() * 1.5, rng.normal() * 1.5];
    const p = softmaxWithTemperature(z, 1);
    const u = rng.next();
    const k = u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2;
    const text = `text ${i}`;
    texts.push(text);
    truth.push(LABELS[k]!);
    reported.set(
      text,
      z.map((v) => v * 3),
    );
  }
  const model: SentimentModel = {
    family: 'synthetic',
    version: '1.0.0',
    predict: async (batch) =>
      batch.map((t) => {
        const q = softmaxWithTemperature(reported.get(t)!, 1);
        return predictionFromScores(
          { positive: q[0]!, negative: q[1]!, neutral: q[2]! },
          'synthetic',
          '1.0.0',
        );
      }),
  };
  return { texts, truth, model };
}

function ece(predictions: readonly Prediction[], truth: readonly Label[]) {
  return expectedCalibrationError(
    predictions.map((p) => p.confidence),
    predictions.map((p, i) => p.label === truth[i]),
  );
}

describe('calibration metrics', () => {
  it('computes ECE as the weighted gap between accuracy and confidence', () => {
    expect(expectedCalibrationError([0.9, 0.9], [true, false])).toBeCloseTo(0.4, 12);
    expect(expectedCalibrationError([0.75, 0.75, 0.75, 0.75], [true, true, true, false])).toBeCloseTo(0, 12);
    const bins = reliabilityBins([0.05, 0.95, 1], [false, true, true], 10);
    expect(bins[0]).toMatchObject({ count: 1, accuracy: 0 });
    expect(bins[9]).toMatchObject({ count: 2, accuracy: 1 });
  });
});

describe('temperature scaling', () => {
  it('recovers the temperature that generated the labels', () => {
    const rng = new SeededRandom(3);
    const logits: number[][] = [];
    const targets: number[] = [];
    for (let i = 0; i < 6000; i++) {
      const z = [rng.normal() * 3, rng.normal() * 3, rng.normal() * 3];
      const p = softmaxWithTemperature(z, 2.5);
      const u = rng.next();
      targets.push(u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2);
      logits.push(z);
    }
    const fit = fitTemperature(logits, targets);
    expect(fit.temperature).toBeGreaterThan(2.2);
    expect(fit.temperature).toBeLessThan(2.8);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
  });

  it('matches the closed form on a two-point example', () => {
    expect(
      fitTemperature(
        [
          [4, 0, 0],
          [4, 0, 0],
        ],
        [0, 1],
      ).temperature,
    ).toBeCloseTo(4 / Math.log(2), 4);
  });

  it('lowers the ECE of an over-confident model without changing any label', async () => {
    const { texts, truth, model } = overconfidentData(3000, 11);
    const half = texts.length / 2;
    const raw = await model.predict(texts);
    const calibrator = fitCalibrator(raw.slice(0, half), truth.slice(0, half), {
      method: 'temperature',
      model: 'synthetic@1.0.0',
    });
    expect(calibrator.kind === 'temperature' && calibrator.temperature).toBeGreaterThan(2);
    expect(calibrator.fit.eceAfter).toBeLessThan(calibrator.fit.eceBefore / 2);

    // On the held-out half, through the calibrated() wrapper.
    const wrapped = calibrated(model, calibrator);
    const test = await wrapped.predict(texts.slice(half));
    const before = ece(raw.slice(half), truth.slice(half));
    const after = ece(test, truth.slice(half));
    expect(after).toBeLessThan(before / 2);
    expect(after).toBeLessThan(0.05);
    test.forEach((p, i) => {
      expect(p.label).toBe(raw[half + i]!.label);
      expect(p.scores.positive + p.scores.negative + p.scores.neutral).toBeCloseTo(1, 9);
      expect(p.confidence).toBe(p.scores[p.label]);
    });
    expect(wrapped).toMatchObject({ family: 'synthetic', version: '1.0.0' });
  });

  it('treats zero scores (VADER-style proportions) as very unlikely, not impossible', () => {
    const p = predictionFromScores({ positive: 0.7, negative: 0, neutral: 0.3 }, 'vader', 'builtin', {
      sentiment: 0.55,
    });
    const out = applyCalibrator(p, {
      kind: 'temperature',
      temperature: 3,
      model: 'vader',
      fit: { n: 1, eceBefore: 0, eceAfter: 0, nllBefore: 0, nllAfter: 0 },
    });
    expect(out.scores.negative).toBeGreaterThan(0);
    expect(out.scores.positive).toBeLessThan(0.7);
    expect(out.label).toBe('positive');
    expect(out.sentiment).toBe(0.55);
  });
});

describe('isotonic calibration', () => {
  it('fits a non-decreasing map and reads it piecewise-linearly', () => {
    const map = fitIsotonic([0.2, 0.4, 0.6, 0.8], [false, true, false, true]);
    for (let i = 1; i < map.y.length; i++) expect(map.y[i]!).toBeGreaterThanOrEqual(map.y[i - 1]!);
    expect(map).toEqual({ x: [0.2, 0.5, 0.8], y: [0, 0.5, 1] });
    expect(applyIsotonic(map, 0.35)).toBeCloseTo(0.25, 12);
    expect(applyIsotonic(map, 0.1)).toBe(0);
    expect(applyIsotonic(map, 0.95)).toBe(1);
  });

  it('lowers the ECE of an over-confident model on held-out data', async () => {
    const { texts, truth, model } = overconfidentData(4000, 5);
    const half = texts.length / 2;
    const raw = await model.predict(texts);
    const calibrator = fitCalibrator(raw.slice(0, half), truth.slice(0, half), {
      method: 'isotonic',
      model: 'synthetic',
    });
    const test = await calibrated(model, calibrator).predict(texts.slice(half));
    expect(ece(test, truth.slice(half))).toBeLessThan(ece(raw.slice(half), truth.slice(half)) / 2);
    for (const p of test) expect(p.scores.positive + p.scores.negative + p.scores.neutral).toBeCloseTo(1, 9);
  });
});

describe('the calibrator artifact', () => {
  it('round-trips through JSON', async () => {
    const { texts, truth, model } = overconfidentData(200, 1);
    const c = fitCalibrator(await model.predict(texts), truth, { model: 'synthetic@1.0.0' });
    expect(parseCalibrator(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('rejects a malformed calibrator with the field at fault', () => {
    expect(() =>
      parseCalibrator({ kind: 'temperature', temperature: -1, model: 'x', fit: {} }, 'calibration.json'),
    ).toThrow(DataError);
    expect(() =>
      parseCalibrator({ kind: 'temperature', temperature: -1, model: 'x', fit: {} }, 'calibration.json'),
    ).toThrow(/calibration.json is not a valid calibrator: temperature: /);
    expect(() => parseCalibrator({ kind: 'platt' })).toThrow(/kind/);
    expect(() => fitCalibrator([], [], { model: 'x' })).toThrow(
      'cannot calibrate on an empty validation split',
    );
  });
});
