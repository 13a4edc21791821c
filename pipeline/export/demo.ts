import { errorFunction } from 'simple-statistics';
import type { ModelsConfig } from '../../config/models';
import { readEnv } from '../../lib/env';
import { loadProjectHeadlines, readHeadlineRecords } from '../../models/datasets/project';
import { evaluateModel } from '../../models/evaluation/evaluate';
import { classificationMetrics } from '../../models/evaluation/metrics';
import { createFamilyRegistry } from '../../models/families';
import type { Label, Prediction } from '../../models/types';
import type { Db } from '../store/db';
import { insertPredictions, recordEvaluation } from './record';

/**
 * Demo data for the dashboard, computed for real from the project's labelled headlines
 * (models/data) and the vader-base engine: evaluations on two splits, a prediction log (one row
 * per headline at its publication time), and — into the tables other parts of finsent own,
 * created here with the columns the exporters assume when they do not exist yet — rolling drift
 * (PSI and a χ² test against the first week), daily data-quality checks and a comparison of
 * vader-base against the majority-class baseline (paired bootstrap CIs, McNemar's test).
 *
 * For `npm run dashboard:demo`, development and the browser tests; never run on a real store.
 */
export const ASSUMED_TABLES_SQL = `
CREATE TABLE IF NOT EXISTS drift_metrics (
  id bigserial PRIMARY KEY, computed_at timestamptz NOT NULL DEFAULT now(), model text NOT NULL,
  version text NOT NULL, metric text NOT NULL, feature text, value double precision NOT NULL,
  p_value double precision, threshold double precision, status text NOT NULL,
  window_start timestamptz, window_end timestamptz);
CREATE TABLE IF NOT EXISTS data_quality_reports (
  id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), run_id text,
  verdict text NOT NULL, counts jsonb NOT NULL DEFAULT '{}'::jsonb, rules jsonb NOT NULL DEFAULT '[]'::jsonb);
CREATE TABLE IF NOT EXISTS training_runs (
  id bigserial PRIMARY KEY, started_at timestamptz, finished_at timestamptz, family text NOT NULL,
  version text, params jsonb NOT NULL DEFAULT '{}'::jsonb, data_fingerprint text,
  metrics jsonb NOT NULL DEFAULT '{}'::jsonb, status text);
CREATE TABLE IF NOT EXISTS promotions (
  id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), family text NOT NULL,
  from_version text, to_version text NOT NULL, kind text NOT NULL, pr_url text, release_url text,
  verdict text, report jsonb);`;

/** The serving config the demo's prediction log follows: an 80/20 split between two arms. */
export const DEMO_CONFIG: ModelsConfig = {
  families: { 'vader-base': { champion: 'builtin', challenger: null } },
  serving: {
    default: 'vader-base',
    split: [
      { arm: 'a', model: 'vader-base', share: 0.8 },
      { arm: 'b', model: 'vader-base', share: 0.2 },
    ],
    shadow: [],
  },
};

const DAY = 86_400_000;

/** mulberry32: a tiny seeded PRNG so the demo's bootstrap is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Population stability index of `actual` against `expected` over equal-width bins of [-1, 1]. */
export function psi(expected: readonly number[], actual: readonly number[], bins = 10): number {
  const hist = (xs: readonly number[]) => {
    const h = new Array<number>(bins).fill(0);
    for (const x of xs) h[Math.min(bins - 1, Math.max(0, Math.floor(((x + 1) / 2) * bins)))]!++;
    return h.map((c) => Math.max(c / xs.length, 1e-4));
  };
  const e = hist(expected);
  const a = hist(actual);
  return e.reduce((s, ei, i) => s + (a[i]! - ei) * Math.log(a[i]! / ei), 0);
}

/** χ² statistic of label counts against reference shares, and its p-value (2 degrees of freedom). */
export function labelChi2(
  reference: readonly Label[],
  window: readonly Label[],
): { chi2: number; p: number } {
  const labels: Label[] = ['positive', 'negative', 'neutral'];
  let chi2 = 0;
  for (const l of labels) {
    const expected = (reference.filter((x) => x === l).length / reference.length) * window.length;
    const observed = window.filter((x) => x === l).length;
    if (expected > 0) chi2 += (observed - expected) ** 2 / expected;
  }
  return { chi2, p: Math.exp(-chi2 / 2) }; // the χ²(2) survival function is exactly e^(−x/2)
}

export interface DemoSummary {
  evaluations: number;
  predictions: number;
  drift: number;
  quality: number;
  promotions: number;
}

/** Seeds `db` (migrated) with the demo data described above. Idempotent only on a fresh store. */
export async function seedDemoStore(db: Db, options: { assumedTables?: boolean } = {}): Promise<DemoSummary> {
  const env = readEnv();
  const model = await createFamilyRegistry().load('vader-base', { env });
  const records = readHeadlineRecords();
  const last = Math.max(...records.map((r) => Date.parse(r.published_at)));
  let evaluations = 0;
  for (const [i, split] of (['validation', 'test'] as const).entries()) {
    const data = await loadProjectHeadlines(split);
    const report = await evaluateModel(model, data.rows, {
      dataset: data,
      latencySample: 100,
      warmupTexts: 128,
      now: () => new Date(last + (i + 1) * 3_600_000),
    });
    await recordEvaluation(db, report, 'eval');
    evaluations++;
  }

  // One prediction per headline at its publication time, each timed on its own.
  const logged: Parameters<typeof insertPredictions>[1][number][] = [];
  const seen = new Set<string>();
  for (const r of records) {
    const t0 = performance.now();
    const [prediction] = await model.predict([r.text]);
    const latencyMs = performance.now() - t0;
    const bucket = Number.parseInt(r.id.slice(4), 10) % 5;
    logged.push({
      id: `demo-${r.id}`,
      createdAt: r.published_at,
      prediction: prediction!,
      text: r.text,
      latencyMs,
      arm: bucket === 0 ? 'b' : 'a',
      cacheHit: seen.has(r.text),
      ticker: r.tickers[0] ?? null,
    });
    seen.add(r.text);
  }
  const predictions = await insertPredictions(db, logged);
  const summary: DemoSummary = { evaluations, predictions, drift: 0, quality: 0, promotions: 0 };
  if (options.assumedTables) {
    // Only ever on a throwaway in-memory store (dashboard/demo-data.ts, the browser test): the
    // migrated tables are swapped for the demo's simpler ones, which the exporters also read.
    await db.exec(
      'DROP TABLE IF EXISTS drift_metrics, data_quality_reports, training_runs, promotions CASCADE',
    );
    await db.exec(ASSUMED_TABLES_SQL);
    summary.drift = await seedDrift(
      db,
      logged.map((l) => ({ at: Date.parse(l.createdAt), p: l.prediction })),
    );
    summary.quality = await seedQuality(db, records);
    summary.promotions = await seedComparison(db, model.predict.bind(model), last);
  }
  await model.close?.();
  return summary;
}

async function seedDrift(db: Db, rows: { at: number; p: Prediction }[]): Promise<number> {
  const start = Math.min(...rows.map((r) => r.at));
  const end = Math.max(...rows.map((r) => r.at));
  const inRange = (lo: number, hi: number) => rows.filter((r) => r.at >= lo && r.at < hi).map((r) => r.p);
  const reference = inRange(start, start + 7 * DAY);
  const out: Record<string, unknown>[] = [];
  for (let t = start + 14 * DAY; t <= end + DAY; t += DAY) {
    const window = inRange(t - 7 * DAY, t);
    if (window.length < 20) continue;
    const common = {
      computed_at: new Date(t).toISOString(),
      model: 'vader-base',
      version: '3.3.1',
      window_start: new Date(t - 7 * DAY).toISOString(),
      window_end: new Date(t).toISOString(),
    };
    const value = psi(
      reference.map((p) => p.sentiment),
      window.map((p) => p.sentiment),
    );
    const level = (v: number, th: number) => (v > th ? 'alert' : v > th / 2 ? 'warn' : 'ok');
    out.push({
      ...common,
      metric: 'psi',
      feature: 'sentiment',
      value,
      p_value: null,
      threshold: 0.25,
      status: level(value, 0.25),
    });
    const { chi2, p } = labelChi2(
      reference.map((x) => x.label),
      window.map((x) => x.label),
    );
    out.push({
      ...common,
      metric: 'chi2',
      feature: 'label',
      value: chi2,
      p_value: p,
      threshold: 9.21,
      status: p < 0.01 ? 'alert' : p < 0.05 ? 'warn' : 'ok',
    });
  }
  await db.query(
    `INSERT INTO drift_metrics (computed_at, model, version, metric, feature, value, p_value, threshold, status, window_start, window_end)
     SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS x(computed_at timestamptz, model text, version text, metric text,
       feature text, value float8, p_value float8, threshold float8, status text, window_start timestamptz, window_end timestamptz)`,
    [JSON.stringify(out)],
  );
  return out.length;
}

async function seedQuality(db: Db, records: ReturnType<typeof readHeadlineRecords>): Promise<number> {
  const byDay = new Map<string, typeof records>();
  for (const r of records) {
    const day = r.published_at.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  const seen = new Set<string>();
  const out = [...byDay.entries()].map(([day, rows]) => {
    const duplicates = rows.filter((r) => seen.has(r.text.toLowerCase())).length;
    for (const r of rows) seen.add(r.text.toLowerCase());
    const noTicker = rows.filter((r) => r.tickers.length === 0).length;
    const long = rows.filter((r) => r.text.length > 200).length;
    const rules = [
      { name: 'text is non-empty', status: 'pass', count: 0 },
      { name: 'names a ticker', status: noTicker ? 'warn' : 'pass', count: noTicker },
      { name: 'not seen before', status: duplicates ? 'warn' : 'pass', count: duplicates },
      { name: 'headline length ≤ 200', status: long ? 'warn' : 'pass', count: long },
    ];
    return {
      created_at: `${day}T23:00:00.000Z`,
      run_id: `demo-${day}`,
      verdict: rules.some((r) => r.status !== 'pass') ? 'warn' : 'pass',
      counts: { rows: rows.length, accepted: rows.length - duplicates, quarantined: duplicates },
      rules,
    };
  });
  await db.query(
    `INSERT INTO data_quality_reports (created_at, run_id, verdict, counts, rules)
     SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS x(created_at timestamptz, run_id text, verdict text, counts jsonb, rules jsonb)`,
    [JSON.stringify(out)],
  );
  return out.length;
}

/** vader-base against always-"neutral" on the held-out split: a real, if easy, comparison. */
async function seedComparison(
  db: Db,
  predict: (t: readonly string[]) => Promise<Prediction[]>,
  last: number,
): Promise<number> {
  const data = await loadProjectHeadlines('test');
  const gold = data.rows.map((r) => r.label);
  const cand = (await predict(data.rows.map((r) => r.text))).map((p) => p.label);
  const base = gold.map((): Label => 'neutral');
  const score = (idx: number[], pred: Label[]) => {
    const m = classificationMetrics(
      idx.map((i) => gold[i]!),
      idx.map((i) => pred[i]!),
    );
    return { accuracy: m.accuracy, macro_f1: m.macroF1 };
  };
  const all = gold.map((_, i) => i);
  const point = { b: score(all, base), c: score(all, cand) };
  const random = rng(20261123);
  const draws: Record<'accuracy' | 'macro_f1', number[]> = { accuracy: [], macro_f1: [] };
  for (let k = 0; k < 1000; k++) {
    const idx = all.map(() => Math.floor(random() * all.length));
    const b = score(idx, base);
    const c = score(idx, cand);
    draws.accuracy.push(c.accuracy - b.accuracy);
    draws.macro_f1.push(c.macro_f1 - b.macro_f1);
  }
  const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))]!;
  const deltas = (['accuracy', 'macro_f1'] as const).map((metric) => ({
    metric,
    baseline: point.b[metric],
    candidate: point.c[metric],
    delta: point.c[metric] - point.b[metric],
    ci: [q(draws[metric], 0.025), q(draws[metric], 0.975)],
  }));
  const b = gold.filter((g, i) => base[i] === g && cand[i] !== g).length;
  const c = gold.filter((g, i) => base[i] !== g && cand[i] === g).length;
  const statistic = b + c === 0 ? 0 : (Math.abs(b - c) - 1) ** 2 / (b + c);
  const pValue = 1 - errorFunction(Math.sqrt(statistic / 2));
  const better = deltas[1]!.ci[0]! > 0 && pValue < 0.05;
  const report = {
    deltas,
    mcnemar: { b, c, statistic, p_value: pValue },
    verdict: better ? 'promote' : 'keep',
    reasons: [
      `macro-F1 ${deltas[1]!.delta >= 0 ? '+' : ''}${deltas[1]!.delta.toFixed(3)} (95% CI ${deltas[1]!.ci.map((x) => x.toFixed(3)).join(' … ')})`,
      `McNemar b=${b}, c=${c}, p=${pValue.toPrecision(2)}`,
    ],
  };
  // Placeholder links (example.com): the demo has no repository; real rows link the PR and Release.
  await db.query(
    `INSERT INTO promotions (created_at, family, from_version, to_version, kind, pr_url, release_url, verdict, report)
     VALUES ($1, 'vader-base', 'majority-baseline', '3.3.1', 'comparison', $2, $3, $4, $5::text::jsonb)`,
    [
      new Date(last + 3 * 3_600_000).toISOString(),
      'https://example.com/finsent/pull/1',
      'https://example.com/finsent/releases/tag/vader-base-v3.3.1',
      report.verdict,
      JSON.stringify(report),
    ],
  );
  return 1;
}
