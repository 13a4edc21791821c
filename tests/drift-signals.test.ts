import { describe, expect, it } from 'vitest';
import { type DriftConfig, loadDriftConfig } from '../config/drift';
import { evaluateDrift, type Signal, worst } from '../pipeline/monitor/drift';
import { buildReferenceSnapshot, type ReferenceSnapshot } from '../pipeline/monitor/reference';
import { currentWindowFromRows } from '../pipeline/monitor/window';
import { asReferenceRows, companion, type SyntheticRow, synthetic } from './fixtures/monitor/synthetic';

const config: DriftConfig = loadDriftConfig();
const MODELS: [string, string] = ['vader', 'finbert'];

function reference(rows: SyntheticRow[], pairs?: SyntheticRow[]): ReferenceSnapshot {
  return buildReferenceSnapshot({
    model: 'vader',
    version: '1.0.0',
    sourceName: 'synthetic',
    rows: asReferenceRows(rows),
    predictions: rows.map((r) => r.prediction),
    ...(pairs ? { compare: { models: MODELS, predictions: pairs.map((r) => r.prediction) } } : {}),
  });
}

function run(ref: ReferenceSnapshot, rows: SyntheticRow[], cfg: DriftConfig = config): Signal[] {
  const current = currentWindowFromRows(rows, ref, {
    textSample: cfg.text.sample,
    disagreementModels: MODELS,
  });
  return evaluateDrift(ref, current, cfg);
}

const get = (signals: Signal[], feature: string, metric?: string) =>
  signals.find((s) => s.feature === feature && (metric === undefined || s.metric === metric))!;

const base = synthetic({ n: 4000, seed: 1 });
const baseRef = reference(base, companion(base, 'finbert', 0.2, 11));

describe('drift on synthetic windows', () => {
  it('flags nothing when the window comes from the same distribution', () => {
    const rows = synthetic({ n: 3000, seed: 2 });
    const signals = run(baseRef, [...rows, ...companion(rows, 'finbert', 0.2, 12)]);
    const flagged = signals.filter((s) => s.severity === 'warn' || s.severity === 'alert');
    expect(flagged.map((s) => `${s.feature}/${s.metric}: ${s.summary}`)).toEqual([]);
    expect(signals.every((s) => s.severity === 'ok')).toBe(true);
  });

  it('raises an alert on a mean shift of sentiment, by PSI and by KS', () => {
    const signals = run(baseRef, synthetic({ n: 3000, seed: 3, shift: 0.3 }));
    expect(get(signals, 'sentiment', 'psi').severity).toBe('alert');
    expect(get(signals, 'sentiment', 'ks').severity).toBe('alert');
    expect(get(signals, 'sentiment', 'ks').pValue).toBeLessThan(1e-10);
    expect(get(signals, 'confidence', 'ks').severity).toBe('ok');
  });

  it('raises an alert when the predicted label mix moves', () => {
    const signals = run(baseRef, synthetic({ n: 3000, seed: 4, mix: [0.1, 0.6, 0.3] }));
    const label = get(signals, 'label');
    expect(label.severity).toBe('alert');
    expect(label.value).toBeGreaterThan(0.2);
    expect(label.summary).toMatch(/negative 1\d\.\d% → 6\d\.\d%/);
  });

  it('sees new vocabulary as a rise of the out-of-vocabulary rate', () => {
    const signals = run(baseRef, synthetic({ n: 3000, seed: 5, newWordShare: 0.3 }));
    const oov = get(signals, 'oov_rate');
    expect(oov.severity).toBe('alert');
    expect(oov.value).toBeGreaterThan(0.25);
    expect((oov.details.topOov as Array<[string, number]>).length).toBeGreaterThan(0);
  });

  it('sees tickers never seen in training', () => {
    const signals = run(baseRef, synthetic({ n: 3000, seed: 6, newTickerShare: 0.4 }));
    const t = get(signals, 'unseen_tickers');
    expect(t.severity).toBe('alert');
    expect(t.value).toBeCloseTo(0.4, 1);
  });

  it('sees a jump in VADER-FinBERT disagreement without any label', () => {
    const rows = synthetic({ n: 3000, seed: 7 });
    const signals = run(baseRef, [...rows, ...companion(rows, 'finbert', 0.45, 13)]);
    const d = get(signals, 'disagreement');
    expect(d.severity).toBe('alert');
    expect(d.value).toBeGreaterThan(0.2);
    expect(d.nCurrent).toBe(3000);
  });

  it('does not flag a tiny effect in a huge sample even though its p-values are tiny', () => {
    const big = synthetic({ n: 100_000, seed: 8 });
    const bigRef = reference(big);
    const signals = run(bigRef, synthetic({ n: 100_000, seed: 9, shift: 0.02, mix: [0.31, 0.2, 0.49] }));
    const ks = get(signals, 'sentiment', 'ks');
    const label = get(signals, 'label');
    expect(ks.pValue).toBeLessThan(config.alpha);
    expect(label.pValue).toBeLessThan(config.alpha);
    expect(ks.severity).toBe('ok');
    expect(label.severity).toBe('ok');
    expect(get(signals, 'sentiment', 'psi').severity).toBe('ok');
  });

  it('reports too few predictions as insufficient, never as drift', () => {
    const signals = run(baseRef, synthetic({ n: 50, seed: 10, shift: 0.5 }));
    expect(get(signals, 'sentiment', 'ks').severity).toBe('insufficient');
    expect(get(signals, 'label').severity).toBe('insufficient');
    expect(worst(signals.map((s) => s.severity))).not.toBe('alert');
  });

  it('leaves disagreement unflagged when neither the reference nor the config gives a baseline', () => {
    const rows = synthetic({ n: 3000, seed: 14 });
    const signals = run(reference(synthetic({ n: 2000, seed: 15 })), [
      ...rows,
      ...companion(rows, 'finbert', 0.5, 16),
    ]);
    expect(get(signals, 'disagreement').severity).toBe('insufficient');
  });
});
