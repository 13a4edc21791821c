import { describe, expect, it } from 'vitest';
import { InputError, UnknownModelError } from '../lib/errors';
import { createFamilyRegistry } from '../models/families';
import { argmaxLabel } from '../models/prediction';
import {
  DEFAULT_THRESHOLDS,
  labelOf,
  SCORE_CEILING,
  SCORE_FLOOR,
  vaderScores,
  validateThresholds,
} from '../models/vader/mapping';
import { hasRawScores, VaderModel } from '../models/vader/model';

const env = { dataDir: '.finsent-test' };

describe('VADER label mapping', () => {
  it('labels compound with inclusive ±0.05 thresholds by default', () => {
    expect(labelOf(0.05, DEFAULT_THRESHOLDS)).toBe('positive');
    expect(labelOf(0.0499, DEFAULT_THRESHOLDS)).toBe('neutral');
    expect(labelOf(-0.05, DEFAULT_THRESHOLDS)).toBe('negative');
    expect(labelOf(0, { positive: 0.3, negative: -0.1 })).toBe('neutral');
    expect(labelOf(-0.2, { positive: 0.3, negative: -0.1 })).toBe('negative');
  });

  it('gives a distribution whose argmax is the label, on thresholds and inside bands', () => {
    const thresholds = [DEFAULT_THRESHOLDS, { positive: 0.4, negative: -0.2 }, { positive: 1, negative: -1 }];
    for (const t of thresholds) {
      for (let c = -1; c <= 1.0001; c += 0.01) {
        const compound = Math.round(c * 1e4) / 1e4;
        for (const [neg, neu, pos] of [
          [0, 1, 0],
          [0.5, 0, 0.5],
          [0, 0, 1],
          [1, 0, 0],
          [0.2, 0.3, 0.5],
        ] as const) {
          const { label, scores } = vaderScores({ neg, neu, pos, compound }, t);
          expect(label).toBe(labelOf(compound, t));
          expect(argmaxLabel(scores)).toBe(label);
          expect(scores.positive + scores.negative + scores.neutral).toBeCloseTo(1, 12);
          expect(scores[label]).toBeGreaterThanOrEqual(SCORE_FLOOR - 1e-12);
          expect(scores[label]).toBeLessThanOrEqual(SCORE_CEILING + 1e-12);
        }
      }
    }
  });

  it("shares the remainder by VADER's proportions and grows with the compound", () => {
    const weak = vaderScores({ neg: 0.1, neu: 0.6, pos: 0.3, compound: 0.2 }, DEFAULT_THRESHOLDS);
    const strong = vaderScores({ neg: 0.1, neu: 0.6, pos: 0.3, compound: 0.9 }, DEFAULT_THRESHOLDS);
    expect(strong.scores.positive).toBeGreaterThan(weak.scores.positive);
    // neutral gets 6/7 of the remainder, negative 1/7.
    expect(weak.scores.neutral / weak.scores.negative).toBeCloseTo(6, 10);
  });

  it('rejects thresholds that are crossed or out of range', () => {
    expect(() => validateThresholds({ positive: -0.1, negative: 0.1 })).toThrow(InputError);
    expect(() => validateThresholds({ positive: 2, negative: 0 })).toThrow(/-1 <= negative < positive <= 1/);
  });
});

describe('vader-base model', () => {
  it('is registered and predicts contract-shaped predictions with compound as sentiment', async () => {
    const model = await createFamilyRegistry().load('vader-base', { env });
    expect(model.family).toBe('vader-base');
    expect(model.version).toBe('3.3.1');
    const [good, bad, flat] = await model.predict([
      'Acme shares rose after a great quarter',
      'Acme is a horrible, awful investment',
      'Acme will report on Tuesday',
    ]);
    expect(good).toMatchObject({ label: 'positive', model: 'vader-base', version: '3.3.1' });
    expect(bad?.label).toBe('negative');
    expect(flat?.label).toBe('neutral');
    expect(good?.confidence).toBe(good?.scores.positive);
    expect(hasRawScores(model) && model.raw('Acme will report on Tuesday')).toEqual({
      neg: 0,
      neu: 1,
      pos: 0,
      compound: 0,
    });
    expect(good?.sentiment).toBe(
      hasRawScores(model) ? model.raw('Acme shares rose after a great quarter').compound : NaN,
    );
  });

  it('accepts its one pinned version and refuses any other', async () => {
    const registry = createFamilyRegistry();
    expect((await registry.load('vader-base@3.3.1', { env })).version).toBe('3.3.1');
    await expect(registry.load('vader-base@3.2.1', { env })).rejects.toThrow(UnknownModelError);
  });

  it('refuses a text that is not a string with a clear error', async () => {
    const model = new VaderModel('vader-base', '3.3.1');
    await expect(model.predict(['fine', 42 as unknown as string])).rejects.toThrow(
      /text 1 is number, not a string/,
    );
  });

  it('predicts a confident neutral for empty text', async () => {
    const [p] = await new VaderModel('vader-base', '3.3.1').predict(['']);
    expect(p).toMatchObject({ label: 'neutral', sentiment: 0, confidence: 0.95 });
    expect(p?.scores.positive).toBeCloseTo(0.025, 12);
    expect(p?.scores.negative).toBeCloseTo(0.025, 12);
  });

  it('uses custom thresholds when given', async () => {
    const model = new VaderModel('vader-base', '3.3.1', { thresholds: { positive: 0.9, negative: -0.9 } });
    const [p] = await model.predict(['Acme shares rose after a great quarter']);
    expect(p?.label).toBe('neutral');
  });
});
