import { describe, expect, it } from 'vitest';
import { evaluateModel, renderEvalReport, scorePredictions } from '../models/evaluation';
import type { Label } from '../models/types';
import { keywordModel } from './fixtures/cli/fake-family';

const rows: { text: string; label: Label }[] = [
  { text: 'Apple beats estimates', label: 'positive' },
  { text: 'Costco sales rise 6%', label: 'positive' },
  { text: 'Tesla posts record deliveries', label: 'positive' },
  { text: 'Nike shares slide on weak China sales', label: 'negative' },
  { text: 'Intel misses, shares fall', label: 'negative' },
  { text: 'Merck cuts forecast', label: 'negative' },
  { text: 'Fed holds rates steady', label: 'neutral' },
  { text: 'Disney sets meeting date', label: 'neutral' },
  { text: 'Exxon declares regular dividend', label: 'neutral' },
  { text: 'Boeing profit falls less than feared', label: 'positive' },
];

/** A virtual clock that a predict call of k texts advances by 1 + 0.5·k ms. */
function timedModel() {
  let now = 0;
  const calls: number[] = [];
  const model = keywordModel({
    onPredict: (texts) => {
      calls.push(texts.length);
      now += 1 + 0.5 * texts.length;
    },
  });
  return { model, calls, clock: () => now };
}

describe('evaluating a model', () => {
  it('scores every row once in timed batches after an untimed warm-up', async () => {
    const { model, calls, clock } = timedModel();
    const report = await evaluateModel(model, rows, {
      batchSize: 4,
      latencySample: 3,
      warmupTexts: 4,
      clock,
    });
    // warm-up (4), batched pass (4, 4, 2), then 3 single-text calls
    expect(calls).toEqual([4, 4, 4, 2, 1, 1, 1]);
    expect(report.latency.warmupTexts).toBe(4);
    expect(report.latency.batched).toMatchObject({
      batchSize: 4,
      batches: 3,
      totalMs: 8,
      throughputPerSec: 1250,
    });
  });

  it('warms up on the whole set, in batches, when it has fewer than 256 rows', async () => {
    const { model, calls } = timedModel();
    const report = await evaluateModel(model, rows, { batchSize: 4, latencySample: 0 });
    expect(calls).toEqual([4, 4, 2, 4, 4, 2]);
    expect(report.latency.warmupTexts).toBe(10);
  });

  it('attributes each batch time evenly to its texts and times single texts separately', async () => {
    const { model, clock } = timedModel();
    const report = await evaluateModel(model, rows, { batchSize: 4, latencySample: 3, clock });
    // per text: 3 ms / 4 texts twice, then 2 ms / 2 texts → eight 0.75s and two 1s
    expect(report.latency.batched.perTextMs).toEqual({ n: 10, mean: 0.8, p50: 0.75, p95: 1, p99: 1, max: 1 });
    expect(report.latency.single).toEqual({
      sampleSize: 3,
      ms: { n: 3, mean: 1.5, p50: 1.5, p95: 1.5, p99: 1.5, max: 1.5 },
    });
  });

  it('reports the quality metrics of the predictions against the labels', async () => {
    const { model, clock } = timedModel();
    const report = await evaluateModel(model, rows, { clock, latencySample: 0 });
    // The keyword model misses "slide" (→ neutral) and reads "falls less than feared" as negative.
    expect(report.metrics.confusion.matrix).toEqual([
      [3, 1, 0],
      [0, 2, 1],
      [0, 0, 3],
    ]);
    expect(report.metrics.accuracy).toBeCloseTo(0.8, 10);
    expect(report.latency.single).toBeNull();
    // confidence 0.8 on 6 keyword hits (5 right), 0.6 on 4 neutral calls (3 right)
    expect(report.calibration.ece).toBeCloseTo(
      (6 / 10) * Math.abs(5 / 6 - 0.8) + (4 / 10) * Math.abs(3 / 4 - 0.6),
      10,
    );
    expect(report.dataset).toMatchObject({
      n: 10,
      counts: { positive: 4, negative: 3, neutral: 3 },
      skippedRows: 0,
    });
    expect(report.dataset.fingerprint).toMatch(/^sha256:/);
  });

  it('produces plain JSON: it survives a round trip unchanged (no NaN, Infinity or Dates)', async () => {
    const { model } = timedModel();
    const report = await evaluateModel(model, rows, { now: () => new Date('2026-11-20T12:00:00Z') });
    expect(JSON.parse(JSON.stringify(report))).toStrictEqual(report);
    expect(report.createdAt).toBe('2026-11-20T12:00:00.000Z');
    expect(report.schema).toBe('finsent.eval/1');
  });

  it('refuses a model that breaks the one-prediction-per-text contract', async () => {
    const broken = { ...keywordModel(), predict: async () => [] };
    await expect(evaluateModel(broken, rows, { latencySample: 0 })).rejects.toThrow(
      /returned 0 predictions for/,
    );
  });

  it('refuses an empty dataset and a bad batch size', async () => {
    await expect(evaluateModel(keywordModel(), [])).rejects.toThrow(/no rows/);
    await expect(evaluateModel(keywordModel(), rows, { batchSize: 0 })).rejects.toThrow(/batch size/);
  });

  it('scores stored predictions without a model (for compare and monitoring)', () => {
    const r = scorePredictions(
      ['positive', 'negative'],
      [
        { label: 'positive', confidence: 0.9 },
        { label: 'neutral', confidence: 0.7 },
      ],
    );
    expect(r.metrics.accuracy).toBe(0.5);
    expect(r.calibration.ece).toBeCloseTo(0.5 * 0.1 + 0.5 * 0.7, 10);
  });
});

describe('the human-readable report', () => {
  it('shows the headline figures, the class table and an aligned confusion grid', async () => {
    const { model, clock } = timedModel();
    const report = await evaluateModel(model, rows, {
      clock,
      modelId: 'fake',
      batchSize: 4,
      latencySample: 3,
    });
    const text = renderEvalReport(report);
    expect(text).toMatch(/model\s+fake → fake@0\.0\.1/);
    expect(text).toMatch(/accuracy\s+0\.8000/);
    expect(text).toMatch(/macro-F1\s+0\.\d{4}/);
    expect(text).toMatch(/ECE \(15 bins\)\s+0\.\d{4}/);
    expect(text).toMatch(/positive\s+1\.0000\s+0\.7500\s+0\.8571\s+4\s+3/);
    expect(text).toMatch(/batched \(4\/call, amortised\)\s+0\.750\s+1\.000\s+1\.000/);
    expect(text).toMatch(/throughput: 1,250 texts\/s batched/);
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.includes('true \\ predicted'));
    const grid = lines.slice(start, start + 5);
    expect(grid[1]).toMatch(/^\s+positive\s+3\s+1\s+0\s+4$/);
    expect(grid[4]).toMatch(/^\s+total\s+3\s+3\s+4\s+10$/);
    expect(new Set(grid.map((l) => l.length)).size).toBe(1);
  });
});
