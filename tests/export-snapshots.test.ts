import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelsConfig } from '../config/models';
import { loadProjectHeadlines } from '../models/datasets/project';
import { evaluateModel } from '../models/evaluation/evaluate';
import { createFamilyRegistry } from '../models/families';
import type { Prediction } from '../models/types';
import { ASSUMED_TABLES_SQL } from '../pipeline/export/demo';
import { exportSnapshots } from '../pipeline/export/index';
import { insertPredictions, type LoggedPrediction, recordEvaluation } from '../pipeline/export/record';
import { SECTION_NAMES, SECTION_SCHEMAS } from '../pipeline/export/schema';
import { wilson } from '../pipeline/export/sections/evaluations';
import type { Db } from '../pipeline/store/db';
import { dbTargets } from './helpers/db';

const NOW = new Date('2026-11-23T12:00:00Z');
const CONFIG: ModelsConfig = {
  families: {
    'vader-base': { champion: 'builtin', challenger: null },
    vader: { champion: '1.2.0', challenger: '1.3.0' },
  },
  serving: {
    default: 'vader',
    split: [
      { arm: 'control', model: 'vader@1.2.0', share: 0.75 },
      { arm: 'treatment', model: 'vader@1.3.0', share: 0.25 },
    ],
    shadow: [],
  },
};

const pred = (
  label: Prediction['label'],
  sentiment: number,
  model = 'vader',
  version = '1.2.0',
): Prediction => ({
  label,
  sentiment,
  confidence: 0.8,
  scores: {
    positive: label === 'positive' ? 0.8 : 0.1,
    negative: label === 'negative' ? 0.8 : 0.1,
    neutral: label === 'neutral' ? 0.8 : 0.1,
  },
  model,
  version,
});

/** Eight served predictions over two UTC days and one shadow prediction that must not count. */
const LOG: LoggedPrediction[] = [
  {
    id: 'p1',
    createdAt: '2026-11-20T09:00:00Z',
    prediction: pred('positive', 0.6),
    text: 'Apple beats',
    latencyMs: 2,
    arm: 'control',
    ticker: 'AAPL',
  },
  {
    id: 'p2',
    createdAt: '2026-11-20T10:00:00Z',
    prediction: pred('negative', -0.4),
    text: 'Apple misses',
    latencyMs: 4,
    arm: 'control',
    ticker: 'AAPL',
    cacheHit: true,
  },
  {
    id: 'p3',
    createdAt: '2026-11-20T11:00:00Z',
    prediction: pred('neutral', 0),
    text: 'Tesla flat',
    latencyMs: 6,
    arm: 'control',
    ticker: 'TSLA',
  },
  {
    id: 'p4',
    createdAt: '2026-11-21T09:00:00Z',
    prediction: pred('positive', 0.2, 'vader', '1.3.0'),
    text: 'Apple up',
    latencyMs: 8,
    arm: 'treatment',
    ticker: 'AAPL',
  },
  {
    id: 'p5',
    createdAt: '2026-11-21T10:00:00Z',
    prediction: pred('positive', 0.8),
    text: 'Tesla soars',
    latencyMs: 10,
    arm: 'control',
    ticker: 'TSLA',
  },
  {
    id: 'p6',
    createdAt: '2026-11-21T11:00:00Z',
    prediction: pred('neutral', 0.0),
    text: 'Index unchanged',
    latencyMs: 12,
    arm: 'control',
  },
  {
    id: 'p7',
    createdAt: '2026-11-22T09:00:00Z',
    prediction: pred('negative', -0.6, 'vader', '1.3.0'),
    text: 'Tesla recalls',
    latencyMs: 14,
    arm: 'treatment',
    ticker: 'TSLA',
  },
  {
    id: 'p8',
    createdAt: '2026-11-22T10:00:00Z',
    prediction: pred('neutral', 0.1),
    text: 'Direct call',
    latencyMs: 16,
    arm: null,
  },
  {
    id: 's1',
    createdAt: '2026-11-22T11:00:00Z',
    prediction: pred('negative', -1, 'finbert', '1.0.0'),
    text: 'shadow',
    latencyMs: 99,
    arm: 'shadow',
    shadow: true,
    ticker: 'AAPL',
  },
];

describe.each(dbTargets())('the dashboard export on $name', (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('exports every section from a fresh store, empty with its reason, each valid against its schema', async () => {
    const { snapshots, outcomes } = await exportSnapshots(db, { now: NOW, config: CONFIG });
    for (const name of SECTION_NAMES) {
      expect(SECTION_SCHEMAS[name].safeParse(snapshots[name]).success).toBe(true);
      expect(snapshots[name]).toMatchObject({
        schema_version: 1,
        section: name,
        generated_at: NOW.toISOString(),
      });
    }
    expect(outcomes.map((o) => o.status)).toEqual([
      'ok',
      'empty',
      'empty',
      'empty',
      'empty',
      'empty',
      'empty',
      'empty',
      'empty',
    ]);
    expect(snapshots.drift.empty).toEqual({
      reason: 'no drift computed yet',
      hint: 'run `finsent monitor` to compute drift against the reference window',
    });
    expect(snapshots.predictions.empty?.reason).toBe('no prediction logged yet');
    expect(snapshots.drift.sources).toEqual([
      {
        table: 'drift_metrics',
        available: true,
        rows: 0,
        note: null,
      },
    ]);
    // The overview still lists the configured champions and says what is unknown.
    expect(snapshots.overview.families.map((f) => [f.family, f.champion, f.latest])).toEqual([
      ['vader', '1.2.0', null],
      ['vader-base', 'builtin', null],
    ]);
    expect(snapshots.overview.health.find((c) => c.check === 'drift')?.status).toBe('unknown');
  });

  it('exports a real vader-base evaluation with a Wilson interval, its confusion matrix, reliability bins and latency', async () => {
    const data = await loadProjectHeadlines('test');
    const model = await createFamilyRegistry().load('vader-base', { env: { dataDir: '.finsent-test' } });
    const report = await evaluateModel(model, data.rows, {
      dataset: data,
      latencySample: 20,
      warmupTexts: 16,
      now: () => new Date('2026-11-21T00:00:00Z'),
    });
    await recordEvaluation(db, report);
    const { snapshots } = await exportSnapshots(db, { now: NOW, config: CONFIG });
    const [e] = snapshots.comparisons.evaluations;
    expect(e).toBeDefined();
    expect(e!.model).toBe('vader-base');
    expect(e!.dataset).toBe('models/data/finsent-headlines.test.jsonl');
    expect(e!.n).toBe(111);
    const acc = e!.metrics.find((m) => m.name === 'accuracy')!;
    expect(acc.value).toBeCloseTo(report.metrics.accuracy, 12);
    const [lo, hi] = wilson(report.metrics.accuracy, 111);
    expect([acc.ci_low, acc.ci_high, acc.ci_method]).toEqual([lo, hi, 'Wilson 95%']);
    expect(acc.ci_low!).toBeLessThan(acc.value);
    expect(acc.ci_high!).toBeGreaterThan(acc.value);
    expect(e!.confusion).toEqual(report.metrics.confusion);
    expect(e!.reliability?.ece).toBeCloseTo(report.calibration.ece, 12);
    expect(e!.reliability?.bins).toHaveLength(report.calibration.nBins);
    expect(e!.latency).toMatchObject({
      mode: 'single',
      p50: report.latency.single!.ms.p50,
      p99: report.latency.single!.ms.p99,
    });
    expect(e!.per_class.map((c) => c.support)).toEqual([31, 28, 52]);
    const vb = snapshots.models.families.find((f) => f.family === 'vader-base')!;
    expect(vb.versions.map((v) => [v.version, v.evaluations, v.role])).toEqual([['3.3.1', 1, null]]);
    expect(snapshots.overview.families.find((f) => f.family === 'vader-base')?.latest?.macro_f1).toBeCloseTo(
      report.metrics.macroF1,
      12,
    );
    expect(snapshots.overview.last_runs[0]).toMatchObject({
      kind: 'evaluation',
      title: 'evaluated vader-base@3.3.1',
    });
  });

  it('summarises the prediction log, leaving shadow predictions out and texts out unless asked', async () => {
    expect(await insertPredictions(db, LOG)).toBe(9);
    expect(await insertPredictions(db, LOG)).toBe(0); // re-running the same batch adds nothing
    const { snapshots } = await exportSnapshots(db, { now: NOW, config: CONFIG });
    const p = snapshots.predictions;
    expect(p.empty).toBeNull();
    expect(p.total).toBe(8);
    expect(p.labels).toEqual({ positive: 3, negative: 2, neutral: 3 });
    expect(p.window).toEqual({ from: '2026-11-20T09:00:00.000Z', to: '2026-11-22T10:00:00.000Z', days: 30 });
    expect(p.by_model).toEqual([
      { model: 'vader', version: '1.2.0', n: 6, share: 0.75 },
      { model: 'vader', version: '1.3.0', n: 2, share: 0.25 },
    ]);
    expect(p.latency?.p50).toBe(9); // latencies 2..16 step 2: median of eight values
    expect(p.cache_hit_rate).toBe(1 / 8);
    // Under three days of data: hourly buckets.
    expect(p.volume).toHaveLength(8);
    expect(p.recent.map((r) => r.id)).toEqual(['p8', 'p7', 'p6', 'p5', 'p4', 'p3', 'p2', 'p1']);
    expect(p.recent.every((r) => r.text === null)).toBe(true);
    expect(p.text_included).toBe(false);
    const withText = await exportSnapshots(db, {
      now: NOW,
      config: CONFIG,
      includeText: true,
      recentLimit: 2,
    });
    expect(withText.snapshots.predictions.recent.map((r) => r.text)).toEqual([
      'Direct call',
      'Tesla recalls',
    ]);

    const t = snapshots.traffic;
    expect(t.arms.map((a) => [a.arm, a.n, a.configured_share])).toEqual([
      ['control', 5, 0.75],
      ['treatment', 2, 0.25],
      ['(direct)', 1, null],
    ]);
    expect(t.arms[1]!.models).toEqual(['vader@1.3.0']);
    expect(t.arms[1]!.mean_sentiment).toBeCloseTo(-0.2, 12);
    expect(t.series.map((s) => s.counts.reduce((a, b) => a + b, 0))).toEqual([5, 2, 1]);
    expect(t.series.every((s) => s.counts.length === t.buckets.length)).toBe(true);

    const k = snapshots.tickers;
    expect(k.source).toBe('predictions');
    expect(k.tickers.map((x) => [x.ticker, x.n])).toEqual([
      ['AAPL', 3],
      ['TSLA', 3],
    ]);
    const aapl = k.tickers[0]!;
    expect(aapl.mean_sentiment).toBeCloseTo((0.6 - 0.4 + 0.2) / 3, 12);
    expect(aapl.series).toEqual([
      { day: '2026-11-20T00:00:00.000Z', n: 2, mean_sentiment: expect.closeTo(0.1, 12) },
      { day: '2026-11-21T00:00:00.000Z', n: 1, mean_sentiment: expect.closeTo(0.2, 12) },
    ]);
    expect(aapl.labels).toEqual({ positive: 2, negative: 1, neutral: 0 });
    expect(snapshots.overview.health.find((c) => c.check === 'predictions')).toMatchObject({
      status: 'warn',
      at: '2026-11-22T10:00:00.000Z',
    });
  });

  it('reads drift, quality reports and promotions from the tables of the real migrations', async () => {
    await db.exec(`
      INSERT INTO drift_metrics (run_id, model, version, window_start, window_end, feature, metric, value, p_value, severity, details) VALUES
        ('m1', 'vader', '1.2.0', '2026-11-19T00:00:00Z', '2026-11-20T00:00:00Z', 'sentiment', 'psi', 0.05, NULL, 'ok', '{"threshold": 0.25}'),
        ('m2', 'vader', '1.2.0', '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', 'sentiment', 'psi', 0.31, NULL, 'alert', '{"threshold": 0.25}'),
        ('m2', 'vader', NULL, '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z', 'confidence', 'ks', NULL, NULL, 'insufficient', '{}');
      INSERT INTO data_quality_reports (created_at, verdict, run_ids, rows_checked, rows_accepted, rows_quarantined, counts, rules, summary) VALUES
        ('2026-11-21T00:00:00Z', 'warn', '{3,4}', 12, 9, 3, '{"sample": {"fetched": 12}}',
         '[{"rule": "quarantine_rate", "status": "warn", "value": 0.25, "threshold": "warn > 0.05", "message": "3 of 12 quarantined"}]', 'verdict WARN');
      INSERT INTO promotions (created_at, family, from_version, to_version, kind, mode, status, verdict, event_key, reasons) VALUES
        ('2026-11-22T00:00:00Z', 'vader', NULL, '1.3.0', 'promote', 'local', 'applied', 'superior', 'e1', '["Δmacro-F1 CI above the margin"]');
    `);
    try {
      const { snapshots, outcomes } = await exportSnapshots(db, { now: NOW, config: CONFIG });
      expect(outcomes.filter((o) => o.status === 'failed')).toEqual([]);
      expect(snapshots.drift.empty).toBeNull();
      expect(
        snapshots.drift.series.map((s) => [
          s.version,
          s.metric,
          s.points.length,
          s.threshold,
          s.latest_status,
        ]),
      ).toEqual([['1.2.0', 'psi', 2, 0.25, 'alert']]); // the row without a value is not a point
      expect(snapshots.drift.summary).toMatchObject({ alert: 1, latest_at: '2026-11-21T00:00:00.000Z' });
      const [report] = snapshots.quality.reports;
      expect(report).toMatchObject({
        run_id: '3,4',
        verdict: 'warn',
        counts: { rows: 12, accepted: 9, quarantined: 3 },
        rules: [{ name: 'quarantine_rate', status: 'warn', count: null, detail: '3 of 12 quarantined' }],
      });
      expect(snapshots.promotions.events).toEqual([
        expect.objectContaining({
          to_version: '1.3.0',
          kind: 'promote',
          verdict: 'superior',
          release_url: null,
          summary: 'applied: Δmacro-F1 CI above the margin',
        }),
      ]);
    } finally {
      await db.exec('DELETE FROM drift_metrics; DELETE FROM data_quality_reports; DELETE FROM promotions;');
    }
  });

  it('reads drift, quality, training, promotions and the feature store through the columns it assumes', async () => {
    // The dashboard demo's tables (ASSUMED_TABLES_SQL) instead of the migrations' ones: the
    // exporters read both.
    await db.exec(
      'DROP TABLE drift_metrics, data_quality_reports, training_runs, promotions, processed_features, raw_data CASCADE',
    );
    await db.exec(ASSUMED_TABLES_SQL);
    await db.exec(`
      CREATE TABLE raw_data (id text PRIMARY KEY, tickers text[] NOT NULL, published_at timestamptz);
      CREATE TABLE processed_features (article_id text, model text, version text, label text, sentiment float8, confidence float8, created_at timestamptz DEFAULT now());
      INSERT INTO raw_data VALUES ('a1', '{NVDA,AMD}', '2026-11-18T10:00:00Z'), ('a2', '{NVDA}', '2026-11-19T10:00:00Z');
      INSERT INTO processed_features VALUES ('a1', 'vader', '1.2.0', 'positive', 0.5, 0.9, now()), ('a2', 'vader', '1.2.0', 'negative', -0.3, 0.8, now()),
        ('a1', 'finbert', '1.0.0', 'neutral', 0, 0.7, now());
      INSERT INTO drift_metrics (computed_at, model, version, metric, feature, value, p_value, threshold, status) VALUES
        ('2026-11-20T00:00:00Z', 'vader', '1.2.0', 'psi', 'sentiment', 0.05, NULL, 0.2, 'ok'),
        ('2026-11-21T00:00:00Z', 'vader', '1.2.0', 'psi', 'sentiment', 0.31, NULL, 0.25, 'alert'),
        ('2026-11-21T00:00:00Z', 'vader', '1.2.0', 'ks', 'confidence', 0.12, 0.03, 0.2, 'warn');
      INSERT INTO data_quality_reports (created_at, run_id, verdict, counts, rules) VALUES
        ('2026-11-20T00:00:00Z', 'r1', 'pass', '{"rows": 10, "accepted": 10, "note": "x"}', '[{"name": "non-empty", "status": "pass", "count": 0}]'),
        ('2026-11-21T00:00:00Z', 'r2', 'fail', '{"rows": 12, "accepted": 9}', '{"duplicate": 3, "schema": "pass", "language": {"passed": false, "message": "2 non-English"}}');
      INSERT INTO training_runs (started_at, finished_at, family, version, params, data_fingerprint, metrics, status) VALUES
        ('2026-11-19T00:00:00Z', '2026-11-19T00:10:00Z', 'vader', '1.3.0', '{"epochs": 3}', 'sha256:abc', '{"macro_f1": 0.71, "note": "text"}', 'succeeded');
      INSERT INTO promotions (created_at, family, from_version, to_version, kind, pr_url, release_url, verdict, report) VALUES
        ('2026-11-22T00:00:00Z', 'vader', '1.2.0', '1.3.0', 'challenger', 'https://github.com/o/r/pull/7', 'https://github.com/o/r/releases/tag/vader-v1.3.0', 'keep',
         '{"metrics": {"macro_f1": {"baseline": 0.70, "candidate": 0.71, "ci": [-0.01, 0.03]}}, "mcnemar": {"b": 10, "c": 14, "statistic": 0.375, "pValue": 0.54}, "reasons": ["CI crosses 0"]}'),
        ('2026-11-10T00:00:00Z', 'vader', NULL, '1.2.0', 'initial', NULL, NULL, NULL, NULL);
    `);
    const { snapshots, outcomes } = await exportSnapshots(db, { now: NOW, config: CONFIG });
    expect(outcomes.every((o) => o.status === 'ok')).toBe(true);

    const d = snapshots.drift;
    expect(d.series.map((s) => [s.metric, s.feature, s.points.length, s.threshold, s.latest_status])).toEqual(
      [
        ['psi', 'sentiment', 2, 0.25, 'alert'],
        ['ks', 'confidence', 1, 0.2, 'warn'],
      ],
    );
    expect(d.series[1]!.points[0]!.p_value).toBe(0.03);
    expect(d.summary).toEqual({ ok: 0, warn: 1, alert: 1, latest_at: '2026-11-21T00:00:00.000Z' });
    expect(snapshots.overview.totals.drift_alerts).toBe(1);
    expect(snapshots.overview.health.find((c) => c.check === 'drift')?.status).toBe('fail');

    const [latest, first] = snapshots.quality.reports;
    expect(latest).toMatchObject({ run_id: 'r2', verdict: 'fail', counts: { rows: 12, accepted: 9 } });
    // jsonb keeps object keys in its own order, so compare the rules by name.
    expect([...latest!.rules].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'duplicate', status: 'fail', count: 3, detail: null },
      { name: 'language', status: 'fail', count: null, detail: '2 non-English' },
      { name: 'schema', status: 'pass', count: null, detail: null },
    ]);
    expect(first!.counts).toEqual({ rows: 10, accepted: 10 }); // non-numeric counts are dropped
    expect(snapshots.overview.health.find((c) => c.check === 'data quality')?.status).toBe('fail');

    const vader = snapshots.models.families.find((f) => f.family === 'vader')!;
    expect(vader.versions[0]).toMatchObject({
      version: '1.3.0',
      role: 'challenger',
      training: {
        status: 'succeeded',
        data_fingerprint: 'sha256:abc',
        params: { epochs: 3 },
        metrics: { macro_f1: 0.71 },
      },
    });

    expect(
      snapshots.promotions.events.map((e) => [e.to_version, e.kind, e.pr_url !== null, e.verdict]),
    ).toEqual([
      ['1.3.0', 'challenger', true, 'keep'],
      ['1.2.0', 'initial', false, null],
    ]);
    const [report] = snapshots.comparisons.reports;
    expect(snapshots.comparisons.reports).toHaveLength(1); // the row without a report is not a comparison
    expect(report!.deltas).toEqual([
      {
        metric: 'macro_f1',
        baseline: 0.7,
        candidate: 0.71,
        delta: expect.closeTo(0.01, 12),
        ci_low: -0.01,
        ci_high: 0.03,
      },
    ]);
    expect(report!.mcnemar).toEqual({ b: 10, c: 14, statistic: 0.375, p_value: 0.54 });
    expect(report!.release_url).toBe('https://github.com/o/r/releases/tag/vader-v1.3.0');

    // The feature store has rows now, so tickers come from it (the model that scored most rows).
    const k = snapshots.tickers;
    expect(k.source).toBe('processed_features');
    expect(k.tickers.map((t) => [t.ticker, t.n, t.mean_sentiment])).toEqual([
      ['NVDA', 2, expect.closeTo(0.1, 12)],
      ['AMD', 1, 0.5],
    ]);
  });

  it('reports a table whose columns differ from the assumed ones instead of failing', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.exec('ALTER TABLE drift_metrics RENAME COLUMN value TO effect_size');
        const { snapshots, outcomes } = await exportSnapshots(tx, { now: NOW, config: CONFIG });
        expect(outcomes.find((o) => o.section === 'drift')?.status).toBe('empty');
        expect(snapshots.drift.empty?.reason).toMatch(/drift_metrics lacks column\(s\) value/);
        expect(snapshots.drift.sources[0]).toMatchObject({ available: false, rows: 3 });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
  });

  it('marks only the section whose query fails as failed and still exports the others', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.exec(
          "ALTER TABLE raw_data ALTER COLUMN tickers TYPE text USING array_to_string(tickers, ',')",
        );
        const { snapshots, outcomes } = await exportSnapshots(tx, { now: NOW, config: CONFIG });
        expect(outcomes.filter((o) => o.status === 'failed').map((o) => o.section)).toEqual(['tickers']);
        expect(snapshots.tickers.empty?.reason).toMatch(/^exporting tickers failed: /);
        expect(snapshots.drift.series.length).toBeGreaterThan(0);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
  });
});

describe('Wilson intervals', () => {
  it('match the textbook values and stay inside [0, 1]', () => {
    const [lo, hi] = wilson(0.5, 100);
    expect(lo).toBeCloseTo(0.4038, 4);
    expect(hi).toBeCloseTo(0.5962, 4);
    expect(wilson(1, 10)[1]).toBeCloseTo(1, 12);
    expect(wilson(0, 10)[0]).toBe(0);
    expect(wilson(0.3, 0)).toEqual([0, 1]);
  });
});
