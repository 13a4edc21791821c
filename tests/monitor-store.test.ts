import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DriftConfig, loadDriftConfig } from '../config/drift';
import { evaluateDrift } from '../pipeline/monitor/drift';
import { loadPerformance } from '../pipeline/monitor/performance';
import { buildReferenceSnapshot, latestReference, saveReference } from '../pipeline/monitor/reference';
import { runMonitor } from '../pipeline/monitor/run';
import { latestDriftMetrics, logPredictionErrors } from '../pipeline/monitor/store';
import { currentWindowFromRows, disagreementCounts, loadCurrentWindow } from '../pipeline/monitor/window';
import type { Db } from '../pipeline/store/db';
import { logPredictions } from './fixtures/monitor/log';
import { asReferenceRows, companion, synthetic } from './fixtures/monitor/synthetic';
import { dbTargets } from './helpers/db';

const config: DriftConfig = loadDriftConfig();
const until = new Date('2026-03-02T00:00:00Z');
const from = new Date('2026-03-01T00:00:00Z');

const refRows = synthetic({ n: 3000, seed: 21 });
const snapshot = buildReferenceSnapshot({
  model: 'vader',
  version: '1.0.0',
  sourceName: 'synthetic-eval',
  rows: asReferenceRows(refRows),
  predictions: refRows.map((r) => r.prediction),
  compare: {
    models: ['vader', 'finbert'],
    predictions: companion(refRows, 'finbert', 0.2, 22).map((r) => r.prediction),
  },
});
// The current window: shifted sentiment, new tickers, more disagreement.
const current = synthetic({ n: 2500, seed: 23, shift: 0.25, newTickerShare: 0.3 });
const shadow = companion(current, 'finbert', 0.4, 24);

describe.each(dbTargets())('monitoring from the store on $name', (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
    await saveReference(db, snapshot);
    await logPredictions(db, current, { from, to: until, prefix: 'cur', latency: (i) => 1 + (i % 100) });
    await logPredictions(db, shadow, { from, to: until, prefix: 'sh', shadow: true });
    // Older traffic outside the window must not count.
    await logPredictions(db, synthetic({ n: 300, seed: 25 }), {
      from: new Date('2026-02-01T00:00:00Z'),
      to: new Date('2026-02-02T00:00:00Z'),
      prefix: 'old',
    });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores a reference once however often it is saved, and finds it again', async () => {
    await saveReference(db, snapshot);
    const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM drift_references');
    expect(row?.n).toBe(1);
    const found = await latestReference(db, 'vader', '1.0.0');
    expect(found?.snapshot.vocabulary).toEqual(snapshot.vocabulary);
  });

  it('computes in SQL exactly the drift it computes from the same rows in memory', async () => {
    const report = await runMonitor({
      db,
      config,
      models: [{ model: 'vader', version: '1.0.0' }],
      until,
      persist: false,
    });
    const memory = evaluateDrift(
      snapshot,
      currentWindowFromRows([...current, ...shadow], snapshot, {
        textSample: config.text.sample,
        disagreementModels: config.disagreement.models,
      }),
      config,
    );
    const sql = report.models[0]!.drift.signals;
    expect(report.models[0]!.predictions).toBe(2500);
    for (const m of memory) {
      const s = sql.find((x) => x.feature === m.feature && x.metric === m.metric)!;
      expect(s.severity, `${m.feature}/${m.metric}`).toBe(m.severity);
      expect(s.value ?? Number.NaN, `${m.feature}/${m.metric}`).toBeCloseTo(m.value ?? Number.NaN, 9);
    }
    const flagged = Object.fromEntries(sql.map((s) => [`${s.feature}/${s.metric}`, s.severity]));
    expect(flagged['sentiment/ks']).toBe('alert');
    expect(flagged['unseen_tickers/proportion']).toBe('alert');
    expect(flagged['disagreement/proportion']).toBe('alert');
    expect(flagged['confidence/ks']).toBe('ok');
  });

  it('writes drift_metrics and live model_performance, and a re-run replaces instead of duplicating', async () => {
    const run = () => runMonitor({ db, config, models: [{ model: 'vader', version: '1.0.0' }], until });
    const first = await run();
    await run();
    const [dm] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM drift_metrics WHERE run_id = $1',
      [first.models[0]!.runId],
    );
    expect(dm?.n).toBe(first.models[0]!.drift.signals.length);
    const perf = await db.query<{
      version: string;
      n: number;
      latency_p50_ms: number;
      latency_p99_ms: number;
    }>(
      `SELECT version, n, latency_p50_ms, latency_p99_ms FROM model_performance WHERE context = 'live' AND model = 'vader'`,
    );
    expect(perf).toHaveLength(1);
    expect(perf[0]!.n).toBe(2500);
    // latencies cycle 1..100 ms: percentile_cont gives 50.5 and 99.01
    expect(perf[0]!.latency_p50_ms).toBeCloseTo(50.5, 6);
    expect(perf[0]!.latency_p99_ms).toBeCloseTo(99.01, 6);
    const latest = await latestDriftMetrics(db);
    expect(latest.find((r) => r.feature === 'sentiment' && r.metric === 'psi')?.severity).toBe('alert');
  });

  it('samples texts from every part of a large window, not just its end', async () => {
    const w = await loadCurrentWindow(db, { model: 'vader', from, to: until }, snapshot, { textSample: 500 });
    expect(w.textSample.length).toBeGreaterThan(400);
    expect(w.textSample.length).toBeLessThanOrEqual(500);
    // Rows were logged in order; both the first and the last fifth of them must be represented.
    const position = new Map(current.map((r, i) => [r.text, i / current.length]));
    const at = w.textSample.map((r) => position.get(r.text!) ?? -1);
    expect(at.some((p) => p >= 0 && p < 0.2)).toBe(true);
    expect(at.some((p) => p >= 0.8)).toBe(true);
  });

  it('reads the numeric distributions from a hash sample above numeric_sample, keeping counts exact and verdicts', async () => {
    const window = { model: 'vader', from, to: until };
    const exact = await loadCurrentWindow(db, window, snapshot, { textSample: 500 });
    const sampled = await loadCurrentWindow(db, window, snapshot, { textSample: 500, numericSample: 1000 });
    const again = await loadCurrentWindow(db, window, snapshot, { textSample: 500, numericSample: 1000 });
    expect(exact.numericSample).toBeUndefined();
    expect(exact.numeric.sentiment.ecdf.total).toBe(2500);
    // n and the label mix (chi-squared) stay exact; only the numeric features are sampled.
    expect(sampled.n).toBe(2500);
    expect(sampled.labels).toEqual(exact.labels);
    expect(sampled.numericSample!.share).toBeCloseTo(0.4, 3);
    expect(sampled.numericSample!.size).toBeGreaterThan(850);
    expect(sampled.numericSample!.size).toBeLessThan(1150);
    for (const f of ['sentiment', 'confidence', 'text_length'] as const) {
      expect(sampled.numeric[f].ecdf.total).toBe(sampled.numericSample!.size);
    }
    // The same rows every time (a hash of the id, not random()): re-running a window is stable.
    expect(again.numeric).toEqual(sampled.numeric);
    const bySignal = (w: typeof exact) =>
      new Map(evaluateDrift(snapshot, w, config).map((s) => [`${s.feature}/${s.metric}`, s]));
    const e = bySignal(exact);
    const s = bySignal(sampled);
    for (const f of ['sentiment', 'confidence', 'text_length']) {
      // DKW: with ~1,000 sampled rows, |D_sample - D_window| < 0.06 with probability > 0.99.
      expect(Math.abs(s.get(`${f}/ks`)!.value! - e.get(`${f}/ks`)!.value!), f).toBeLessThan(0.06);
      expect(Math.abs(s.get(`${f}/psi`)!.value! - e.get(`${f}/psi`)!.value!), f).toBeLessThan(0.05);
    }
    expect(s.get('sentiment/ks')!.severity).toBe('alert');
    expect(s.get('confidence/ks')!.severity).toBe('ok');
    expect(s.get('label/chi2')!.value).toBe(e.get('label/chi2')!.value);
    expect(s.get('sentiment/ks')!.summary).toContain('hash sample of 40.0%');
  });

  it('estimates the disagreement rate from a hash sample of texts when the window is large', async () => {
    const window = { model: 'vader', from, to: until };
    const full = await disagreementCounts(db, window, ['vader', 'finbert']);
    const half = await disagreementCounts(db, window, ['vader', 'finbert'], { share: 0.5 });
    expect(full.pairs).toBe(2500);
    expect(half.sampledShare).toBe(0.5);
    expect(half.pairs).toBeGreaterThan(1100);
    expect(half.pairs).toBeLessThan(1400);
    expect(Math.abs(half.disagree / half.pairs - full.disagree / full.pairs)).toBeLessThan(0.05);
  });

  it('computes the error rate from logged failures beside the served predictions', async () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const failures = Array.from({ length: 30 }, (_, i) => ({
      at,
      model: 'vader',
      version: '1.0.0',
      route: '/predict',
      statusCode: i < 25 ? 500 : 400,
      errorCode: 'INTERNAL',
    }));
    expect(await logPredictionErrors(db, failures)).toBe(30);
    const [perf] = await loadPerformance(
      db,
      { model: 'vader', from, to: until },
      { from, to: until },
      config,
    );
    // Client errors (4xx) are the caller's, not the service's: 25 of 2,525 requests failed.
    expect(perf?.errors).toBe(25);
    expect(perf?.errorRate).toBeCloseTo(25 / 2525, 12);
    expect(perf?.signals.find((s) => s.feature.startsWith('error_rate'))?.severity).toBe('ok');
  });

  it('says how to build a reference when a model has none, and still reports performance', async () => {
    const report = await runMonitor({ db, config, models: [{ model: 'finbert' }], until, persist: false });
    expect(report.models[0]!.notes.join(' ')).toMatch(/finsent monitor reference --model finbert/);
    expect(report.models[0]!.drift.signals).toEqual([]);
    expect(report.models[0]!.predictions).toBe(2500);
  });
});
