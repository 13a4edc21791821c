import { describe, expect, it } from 'vitest';
import {
  binIndex,
  classificationMetrics,
  confusionMatrix,
  expectedCalibrationError,
  percentile,
  summariseLatencies,
} from '../models/evaluation';
import type { Label } from '../models/types';

// Hand-computed expectations below; floating-point comparisons use 10 decimal places.
const P = 'positive' as const;
const N = 'negative' as const;
const U = 'neutral' as const;

describe('classification metrics', () => {
  const gold: Label[] = [P, P, P, P, N, N, N, U, U, U];
  const pred: Label[] = [P, P, U, N, N, N, P, U, U, P];

  it('builds the confusion matrix with true labels as rows and predictions as columns', () => {
    expect(confusionMatrix(gold, pred)).toEqual({
      labels: ['positive', 'negative', 'neutral'],
      matrix: [
        [2, 1, 1],
        [1, 2, 0],
        [1, 0, 2],
      ],
    });
  });

  it('computes accuracy, per-class precision/recall/F1 and macro/weighted F1 as by hand', () => {
    const m = classificationMetrics(gold, pred);
    expect(m.n).toBe(10);
    expect(m.accuracy).toBeCloseTo(0.6, 10);
    expect(m.perClass.positive).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 4, predicted: 4 });
    expect(m.perClass.negative.precision).toBeCloseTo(2 / 3, 10);
    expect(m.perClass.negative.recall).toBeCloseTo(2 / 3, 10);
    expect(m.perClass.negative.f1).toBeCloseTo(2 / 3, 10);
    expect(m.perClass.neutral).toMatchObject({ support: 3, predicted: 3 });
    expect(m.macroF1).toBeCloseTo((0.5 + 2 / 3 + 2 / 3) / 3, 10);
    expect(m.weightedF1).toBeCloseTo(0.6, 10);
    expect(m.averagedOver).toEqual(['positive', 'negative', 'neutral']);
  });

  it('gives a class that is never predicted precision 0, not NaN', () => {
    const m = classificationMetrics([P, N, U, U], [P, U, U, U]);
    expect(m.perClass.negative).toEqual({ precision: 0, recall: 0, f1: 0, support: 1, predicted: 0 });
    expect(m.perClass.neutral.f1).toBeCloseTo(0.8, 10);
    expect(m.macroF1).toBeCloseTo(0.6, 10);
    expect(m.accuracy).toBe(0.75);
  });

  it('averages macro-F1 over the classes present in gold or predictions only', () => {
    const m = classificationMetrics([P, N, P, N], [P, N, N, N]);
    expect(m.averagedOver).toEqual(['positive', 'negative']);
    expect(m.perClass.neutral).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 0 });
    expect(m.macroF1).toBeCloseTo((2 / 3 + 0.8) / 2, 10);
  });

  it('counts a class predicted but absent from gold as F1 0 in the macro mean (as scikit-learn does)', () => {
    const m = classificationMetrics([P, P, N, N], [P, U, N, N]);
    expect(m.perClass.neutral).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 1 });
    expect(m.macroF1).toBeCloseTo((2 / 3 + 1 + 0) / 3, 10);
  });

  it('refuses unpaired or empty inputs', () => {
    expect(() => classificationMetrics([P], [P, N])).toThrow(/1 gold labels but 2 predictions/);
    expect(() => classificationMetrics([], [])).toThrow(/zero examples/);
    expect(() => confusionMatrix([P], ['bullish' as Label])).toThrow(/"bullish" is not one of/);
  });
});

describe('expected calibration error', () => {
  it('matches a hand computation over 15 equal-width bins', () => {
    const r = expectedCalibrationError(
      [0.95, 0.85, 0.62, 0.55, 0.35, 0.2],
      [true, true, false, true, false, true],
    );
    // gaps .05 .15 .62 .45 .35 .80, one item per bin: ECE = 2.42 / 6, MCE = .8
    expect(r.ece).toBeCloseTo(2.42 / 6, 10);
    expect(r.mce).toBeCloseTo(0.8, 10);
    expect(r.nBins).toBe(15);
    expect(r.bins).toHaveLength(15);
    expect(r.bins.filter((b) => b.count > 0).map((b) => Math.round(b.lower * 15))).toEqual([
      2, 5, 8, 9, 12, 14,
    ]);
  });

  it('averages accuracy and confidence within a bin and reports empty bins as null', () => {
    const r = expectedCalibrationError([0.9, 0.92], [true, false]);
    expect(r.ece).toBeCloseTo(0.41, 10);
    const bin = r.bins[13]!;
    expect(bin.count).toBe(2);
    expect(bin.accuracy).toBe(0.5);
    expect(bin.confidence).toBeCloseTo(0.91, 10);
    expect(r.bins[0]).toEqual({ lower: 0, upper: 1 / 15, count: 0, accuracy: null, confidence: null });
  });

  it('is 0 for perfectly calibrated predictions', () => {
    expect(expectedCalibrationError([1, 1, 1], [true, true, true]).ece).toBe(0);
  });

  it('puts bin edges in the lower bin: (lower, upper], with 0 in the first bin', () => {
    expect(binIndex(0, 15)).toBe(0);
    expect(binIndex(1 / 15, 15)).toBe(0);
    expect(binIndex(0.2, 15)).toBe(2);
    expect(binIndex(0.2000001, 15)).toBe(3);
    expect(binIndex(1, 15)).toBe(14);
  });

  it('rejects confidences outside [0, 1] and unpaired inputs', () => {
    expect(() => expectedCalibrationError([Number.NaN], [true])).toThrow(/outside \[0, 1\]/);
    expect(() => expectedCalibrationError([1.2], [true])).toThrow(/outside \[0, 1\]/);
    expect(() => expectedCalibrationError([0.5], [])).toThrow(/must pair/);
  });
});

describe('latency percentiles', () => {
  it('interpolates linearly between closest ranks (numpy default)', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 95)).toBeCloseTo(95.05, 10);
    expect(percentile(hundred, 99)).toBeCloseTo(99.01, 10);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarises unsorted samples', () => {
    const s = summariseLatencies([3, 1, 2]);
    expect(s).toMatchObject({ n: 3, mean: 2, p50: 2, max: 3 });
    expect(s.p95).toBeCloseTo(2.9, 10);
    expect(s.p99).toBeCloseTo(2.98, 10);
  });

  it('refuses an empty sample', () => {
    expect(() => summariseLatencies([])).toThrow(/no values/);
  });
});
