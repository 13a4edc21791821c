import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDriftConfig } from '../config/drift';
import type { Prediction, SentimentModel } from '../models/types';
import { evaluateDrift } from '../pipeline/monitor/drift';
import { buildReferenceSnapshot, referenceId, scoreReference } from '../pipeline/monitor/reference';
import { referenceFromWindow } from '../pipeline/monitor/reference-window';
import { loadCurrentWindow } from '../pipeline/monitor/window';
import type { Db } from '../pipeline/store/db';
import { logPredictions } from './fixtures/monitor/log';
import { asReferenceRows, synthetic } from './fixtures/monitor/synthetic';
import { dbTargets } from './helpers/db';

const config = loadDriftConfig();
const lastWeek = { from: new Date('2026-02-20T00:00:00Z'), to: new Date('2026-02-27T00:00:00Z') };
const today = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') };
const before = synthetic({ n: 3000, seed: 61 });

describe('reference snapshots from a dataset', () => {
  it('scores the texts in batches with the model and records its vocabulary, tickers and label mix', async () => {
    const calls: number[] = [];
    const model: SentimentModel = {
      family: 'vader',
      version: '1.2.0',
      predict: async (texts) => {
        calls.push(texts.length);
        return texts.map((t): Prediction => {
          const positive = t.includes('beats') ? 0.8 : 0.1;
          return {
            label: positive > 0.5 ? 'positive' : 'neutral',
            scores: { positive, negative: 0.1, neutral: 0.9 - positive },
            sentiment: positive - 0.1,
            confidence: 0.8,
            model: 'vader',
            version: '1.2.0',
          };
        });
      },
    };
    const rows = [
      { text: '$AAPL beats estimates' },
      { text: 'Microsoft flat', ticker: 'msft' },
      { text: 'Tesla beats on deliveries $TSLA' },
    ];
    const snap = await scoreReference({ model, rows, sourceName: 'eval.csv', batchSize: 2 });
    expect(calls).toEqual([2, 1]);
    expect(snap).toMatchObject({
      model: 'vader',
      version: '1.2.0',
      n: 3,
      labels: { positive: 2, neutral: 1, negative: 0 },
    });
    expect(snap.tickers).toEqual(['AAPL', 'MSFT', 'TSLA']);
    expect(snap.vocabulary).toContain('deliveries');
    expect(snap.vocabulary).not.toContain('aapl');
    expect(snap.source.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Content-addressed: the same data gives the same id whenever it is built.
    expect(referenceId(snap)).toBe(referenceId({ ...snap, createdAt: '2000-01-01T00:00:00.000Z' }));
  });
});

describe.each(dbTargets())('reference from a past window on $name', (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
    await logPredictions(db, before, { ...lastWeek, prefix: 'lw' });
    await logPredictions(db, synthetic({ n: 2000, seed: 62 }), { ...today, prefix: 'same' });
    await logPredictions(db, synthetic({ n: 2000, seed: 63, model: 'vader-shifted', shift: 0.3 }), {
      ...today,
      prefix: 'shift',
    });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('summarises the window exactly at every kept value, with its n, mean and label mix', async () => {
    const ref = await referenceFromWindow(
      db,
      { model: 'vader', ...lastWeek },
      { version: '1.0.0', maxPoints: 500 },
    );
    const memory = buildReferenceSnapshot({
      model: 'vader',
      version: '1.0.0',
      sourceName: 'x',
      rows: asReferenceRows(before),
      predictions: before.map((r) => r.prediction),
    });
    expect(ref.source.kind).toBe('window');
    expect(ref.n).toBe(3000);
    expect(ref.labels).toEqual(memory.labels);
    expect(ref.numeric.sentiment.mean).toBeCloseTo(memory.numeric.sentiment.mean, 9);
    expect(ref.numeric.sentiment.values.length).toBeLessThanOrEqual(500);
    const sorted = before.map((r) => r.sentiment).sort((a, b) => a - b);
    let cum = 0;
    ref.numeric.sentiment.values.forEach((v, i) => {
      cum += ref.numeric.sentiment.counts[i]!;
      expect(sorted.filter((x) => x <= v).length).toBe(cum);
    });
    expect(ref.tickers).toContain('AAPL');
  });

  it('lets today be compared with last week: quiet when nothing changed, loud when it did', async () => {
    const ref = await referenceFromWindow(db, { model: 'vader', ...lastWeek }, { version: '1.0.0' });
    const same = evaluateDrift(
      ref,
      await loadCurrentWindow(db, { model: 'vader', ...today }, ref, { textSample: 5000 }),
      config,
    );
    expect(same.filter((s) => s.severity === 'warn' || s.severity === 'alert').map((s) => s.summary)).toEqual(
      [],
    );
    const shifted = evaluateDrift(
      { ...ref, model: 'vader-shifted' },
      await loadCurrentWindow(db, { model: 'vader-shifted', ...today }, ref, { textSample: 5000 }),
      config,
    );
    expect(shifted.find((s) => s.feature === 'sentiment' && s.metric === 'ks')?.severity).toBe('alert');
  });

  it('refuses an empty window with a message naming it', async () => {
    await expect(
      referenceFromWindow(
        db,
        { model: 'vader', from: new Date('2020-01-01'), to: new Date('2020-01-02') },
        { version: '1' },
      ),
    ).rejects.toThrow(/no vader predictions between 2020-01-01/);
  });
});
