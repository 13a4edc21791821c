import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '../pipeline/cache/memory';
import type { Db } from '../pipeline/store/db';
import { buildBertFixture } from '../scripts/fixtures/bert/build';
import { dbTargets } from './helpers/db';
import { fakeFamily, registryOf, testApp } from './helpers/serving-fakes';

describe('health, status, performance and metrics', () => {
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await dbTargets()[0]!.open();
    await db.query(
      `INSERT INTO model_performance (model, version, dataset, context, n, accuracy, macro_f1, ece, created_at)
       VALUES ('vader', '1.0.0', 'fiqa-test', 'eval', 1000, 0.61, 0.55, 0.08, now() - interval '2 days'),
              ('vader', '1.0.0', 'fiqa-test', 'eval', 1000, 0.63, 0.57, 0.07, now() - interval '1 day'),
              ('finbert', '2.0.0', 'fiqa-test', 'eval', 1000, 0.81, 0.79, 0.04, now())`,
    );
    ({ app } = await testApp({ db, cache: new MemoryCache() }));
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('reports ready and healthy with every dependency up', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      live: true,
      ready: true,
      checks: {
        models: { status: 'ok', active: ['vader=1.0.0', 'finbert=2.0.0'], loading: [], failed: [] },
        store: { status: 'ok' },
        cache: { status: 'ok', kind: 'memory' },
        prediction_log: { status: 'ok', buffered: 0, dropped: 0 },
      },
    });
  });

  it('refuses unknown health query parameters', async () => {
    const res = await app.inject({ method: 'GET', url: '/health?probe=deep' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_INPUT');
  });

  it('shows loaded versions, routing and the config source in /models/status', async () => {
    const res = (await app.inject({ method: 'GET', url: '/models/status' })).json();
    expect(
      res.models.map((m: { key: string; version: string; state: string }) => [m.key, m.version, m.state]),
    ).toEqual([
      ['vader', '1.0.0', 'active'],
      ['finbert', '2.0.0', 'active'],
    ]);
    expect(res.routing).toEqual({ default: 'vader', split: [], shadow: [], sticky_header: 'x-client-id' });
    expect(res.config).toMatchObject({ source: 'inline config', poll_interval_ms: 0, error: null });
    expect(res.families).toEqual(['vader', 'finbert']);
    // FinBERT's weights, checked without the network: none in this test's empty data dir, so the
    // hub would be asked on first load (or, offline, it is unavailable) — never "ready".
    expect(res.finbert).toMatchObject({ dtype: 'q8', device: 'cpu' });
    expect(['downloadable', 'unavailable']).toContain(res.finbert.state);
  });

  it('reports FinBERT as ready in /models/status when FINBERT_MODEL_DIR holds a model', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finsent-status-bert-'));
    try {
      await buildBertFixture({ outDir: dir, seed: 3 });
      const { app: withModel } = await testApp({ env: { dataDir: '.finsent-test', finbertModelDir: dir } });
      try {
        const res = (await withModel.inject({ method: 'GET', url: '/models/status' })).json();
        expect(res.finbert).toMatchObject({ state: 'ready', dtype: 'q8' });
        expect(res.finbert.source).toContain(dir);
      } finally {
        await withModel.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('joins the latest stored evaluation per model version with live latency and throughput', async () => {
    for (let i = 0; i < 4; i++)
      await app.inject({ method: 'POST', url: '/predict', payload: { texts: [`Shares jump ${i}`, 'Flat'] } });
    await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Flat' } });
    const res = (await app.inject({ method: 'GET', url: '/models/performance?window_s=60' })).json();
    expect(res.store).toBe('ok');
    expect(res.window_s).toBe(60);
    expect(res.stored.map((r: { model: string; accuracy: number }) => [r.model, r.accuracy]).sort()).toEqual([
      ['finbert', 0.81],
      ['vader', 0.63],
    ]);
    const live = res.live.find(
      (l: { model: string; arm: string }) => l.model === 'vader' && l.arm === 'default',
    );
    expect(live).toMatchObject({ version: '1.0.0', requests: 5, predictions: 9 });
    expect(live.cache_hit_rate).toBeCloseTo(4 / 9, 3);
    expect(live.latency_ms.p50).toBeLessThanOrEqual(live.latency_ms.p99);
    const vaderOnly = (await app.inject({ method: 'GET', url: '/models/performance?model=finbert' })).json();
    expect(vaderOnly.stored.map((r: { model: string }) => r.model)).toEqual(['finbert']);
  });

  it('refuses a bad performance window', async () => {
    for (const q of ['window_s=0', 'window_s=abc', 'window_s=999999', 'model=Robert%27);']) {
      const res = await app.inject({ method: 'GET', url: `/models/performance?${q}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_INPUT');
    }
  });

  it('exposes request, prediction, label, cache, batch and queue metrics by route, model, version and arm', async () => {
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toMatch(/finsent_http_requests_total\{method="POST",route="\/predict",status="200"\} \d+/);
    expect(body).toMatch(
      /finsent_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/predict",status="200"\}/,
    );
    expect(body).toMatch(
      /finsent_prediction_requests_total\{route="\/predict",model="vader",version="1.0.0",arm="default",outcome="ok"\} 5/,
    );
    expect(body).toMatch(
      /finsent_prediction_duration_seconds_count\{route="\/predict",model="vader",version="1.0.0",arm="default"\} 5/,
    );
    expect(body).toMatch(
      /finsent_predictions_total\{model="vader",version="1.0.0",arm="default",label="positive"\} 4/,
    );
    expect(body).toMatch(
      /finsent_predictions_total\{model="vader",version="1.0.0",arm="default",label="neutral"\} 5/,
    );
    expect(body).toMatch(/finsent_prediction_cache_total\{result="hit"\} 4/);
    expect(body).toMatch(/finsent_batch_size_bucket\{le="2",route="\/predict"\} 5/);
    expect(body).toMatch(/finsent_prediction_log_queue_depth \d+/);
    expect(body).toMatch(/finsent_shadow_queue_depth 0/);
    expect(body).toMatch(/finsent_model_loaded\{key="vader",family="vader",version="1.0.0"\} 1/);
  });

  it('counts 4xx and 404s under their route pattern, never the raw path', async () => {
    await app.inject({ method: 'GET', url: '/wp-admin/setup.php' });
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).not.toContain('wp-admin');
    expect(body).toMatch(/finsent_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
  });
});

describe('health when something is down', () => {
  it('stays ready but degraded when the store is down', async () => {
    // A store whose every query fails the way an unreachable Postgres does (the real outage of
    // the store is exercised in serving-prediction-log.test.ts).
    const down: Db = {
      kind: 'postgres',
      query: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:5432')),
      exec: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:5432')),
      transaction: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:5432')),
      close: async () => {},
    };
    const { app } = await testApp({ db: down, predictionLog: { stopTimeoutMs: 50 } });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        status: 'degraded',
        ready: true,
        checks: { store: { status: 'down', latency_ms: null } },
      });
      expect(res.body).not.toMatch(/ECONNREFUSED|10\.0\.0\.7/);
      const perf = (await app.inject({ method: 'GET', url: '/models/performance' })).json();
      expect(perf.store).toBe('unavailable');
      expect(
        (await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Still answers' } }))
          .statusCode,
      ).toBe(200);
    } finally {
      await app.close();
    }
  });
  it('is not ready (503, with the error shape) while the default model has no loaded version, but is live', async () => {
    const vader = fakeFamily({ name: 'vader', builtin: '1.0.0', failLoad: { '1.0.0': 'lexicon missing' } });
    const { app } = await testApp({ families: registryOf(vader, fakeFamily({ name: 'finbert' })) });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'unavailable',
        ready: false,
        checks: { models: { status: 'down', failed: ['vader'] } },
        error: {
          code: 'MODEL_UNAVAILABLE',
          message: 'not ready: vader is not loaded (GET /models/status says why)',
        },
      });
      const live = await app.inject({ method: 'GET', url: '/health?probe=live' });
      expect(live.statusCode).toBe(200);
      const status = (await app.inject({ method: 'GET', url: '/models/status' })).json();
      expect(status.models[0]).toMatchObject({
        key: 'vader',
        state: 'failed',
        version: null,
        error: { message: 'lexicon missing' },
      });
    } finally {
      await app.close();
    }
  });
});
