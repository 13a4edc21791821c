import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentimentModel } from '../models/types';
import { cacheKeys } from '../pipeline/cache/keys';
import { MemoryCache } from '../pipeline/cache/memory';
import { runFeaturizeStage } from '../pipeline/features/featurize';
import { cachedLatestFeatures } from '../pipeline/features/latest';
import { latestFeatures } from '../pipeline/store/ticker-features';
import type { Db } from '../pipeline/store/types';
import { dbTargets } from './helpers/db';
import { ensureRawData, insertArticles, keywordModel, makeArticles } from './helpers/raw-data';

const END = new Date('2026-01-15T12:00:00Z');

async function count(db: Db, model: string, version: string): Promise<{ rows: number; distinct: number }> {
  const r = await db.query<{ rows: number; distinct: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT article_id)::int AS distinct
     FROM processed_features WHERE model = $1 AND version = $2`,
    [model, version],
  );
  return r[0]!;
}

describe.each(dbTargets())('featurize stage on $name', (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
    // dbTargets() migrates; these tests start before collect has created raw_data, and build it
    // with ensureRawData (the collect helper's own DDL).
    await db.exec('DROP TABLE IF EXISTS raw_data CASCADE');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('explains a missing raw_data table instead of failing obscurely', async () => {
    const result = await runFeaturizeStage({ db, models: [keywordModel()] });
    expect(result.ok).toBe(false);
    expect(result.models[0]!.error).toMatch(/raw_data table does not exist yet; run `finsent collect`/);
    await ensureRawData(db);
    await insertArticles(db, makeArticles(50, { end: END }));
  });

  it('scores every article once per model version, in batches', async () => {
    const a = keywordModel('kw', '1.0.0');
    const b = keywordModel('other', '0.1.0', { bias: 0.02 });
    const progress: number[] = [];
    const result = await runFeaturizeStage({
      db,
      models: [a, b],
      batchSize: 8,
      onProgress: (p) => progress.push(p.done),
    });
    expect(result).toMatchObject({ ok: true, aborted: false, featurized: 100 });
    expect(result.models.map((m) => [m.model, m.featurized, m.batches])).toEqual([
      ['kw', 50, 7],
      ['other', 50, 7],
    ]);
    expect(a.calls).toBe(7);
    expect(progress.slice(0, 7)).toEqual([8, 16, 24, 32, 40, 48, 50]);
    expect(await count(db, 'kw', '1.0.0')).toEqual({ rows: 50, distinct: 50 });
    const labels = await db.query<{ label: string; n: number }>(
      `SELECT label, count(*)::int AS n FROM processed_features WHERE model = 'kw' GROUP BY label ORDER BY label`,
    );
    expect(labels).toEqual([
      { label: 'negative', n: 17 },
      { label: 'neutral', n: 16 },
      { label: 'positive', n: 17 },
    ]);
    // Articles with two tickers appear under both.
    const tickers = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ticker_features WHERE model = 'kw' AND version = '1.0.0'`,
    );
    expect(tickers[0]!.n).toBe(50 + 12); // every fourth article (i % 4 = 2) names AAPL and MSFT
    const f = await latestFeatures(db, 'AAPL', { model: 'kw', asOf: END });
    expect(f?.latestArticleId).toBe('a000000');
    expect(f?.features.count_1h).toBe(3); // a000000 (AAPL), a000002 (AAPL, MSFT), a000004 (AAPL)
  });

  it('writes nothing and calls no model on a re-run', async () => {
    const a = keywordModel('kw', '1.0.0');
    const result = await runFeaturizeStage({ db, models: [a], batchSize: 8 });
    expect(result.featurized).toBe(0);
    expect(a.calls).toBe(0);
    expect(await count(db, 'kw', '1.0.0')).toEqual({ rows: 50, distinct: 50 });
  });

  it('keeps the batches written before a crash, runs the other models, and finishes on re-run', async () => {
    const crashing = keywordModel('kw', '2.0.0', { failOnBatch: 3 });
    const healthy = keywordModel('solid', '1.0.0');
    const first = await runFeaturizeStage({ db, models: [crashing, healthy], batchSize: 8 });
    expect(first.ok).toBe(false);
    expect(first.models[0]).toMatchObject({ model: 'kw', version: '2.0.0', featurized: 16, batches: 2 });
    expect(first.models[0]!.error).toMatch(/kw@2\.0\.0: simulated crash on batch 3/);
    expect(first.models[1]).toMatchObject({ featurized: 50 });
    expect(first.models[1]!.error).toBeUndefined();
    expect(await count(db, 'kw', '2.0.0')).toEqual({ rows: 16, distinct: 16 });

    const again = keywordModel('kw', '2.0.0');
    const second = await runFeaturizeStage({ db, models: [again], batchSize: 8 });
    expect(second).toMatchObject({ ok: true, featurized: 34 });
    expect(again.texts).toBe(34);
    expect(await count(db, 'kw', '2.0.0')).toEqual({ rows: 50, distinct: 50 });
  });

  it('scores only articles published since the given time, and later arrivals on the next run', async () => {
    const model = keywordModel('recent', '1.0.0');
    const since = new Date(END.getTime() - 95 * 60_000); // a000000..a000009
    const first = await runFeaturizeStage({ db, models: [model], since });
    expect(first.featurized).toBe(10);
    await insertArticles(db, makeArticles(3, { end: new Date(END.getTime() + 3600_000), prefix: 'late' }));
    const second = await runFeaturizeStage({ db, models: [model], since });
    expect(second.featurized).toBe(3);
    const third = await runFeaturizeStage({ db, models: [model], since, maxArticles: 5 });
    expect(third.featurized).toBe(0);
    const capped = await runFeaturizeStage({ db, models: [keywordModel('capped', '1.0.0')], maxArticles: 5 });
    expect(capped.featurized).toBe(5);
  });

  it('refuses malformed predictions and writes nothing for that batch', async () => {
    const broken: SentimentModel = {
      family: 'broken',
      version: '1.0.0',
      predict: async (texts) =>
        texts.map(() => ({
          label: 'positive' as const,
          scores: { positive: Number.NaN, negative: 0, neutral: 0 },
          sentiment: 2,
          confidence: 1,
          model: 'broken',
          version: '1.0.0',
        })),
    };
    const short: SentimentModel = { family: 'short', version: '1.0.0', predict: async () => [] };
    const result = await runFeaturizeStage({ db, models: [broken, short] });
    expect(result.models[0]!.error).toMatch(/broken@1\.0\.0 returned an invalid prediction/);
    expect(result.models[1]!.error).toMatch(/returned 0 predictions for 53 texts/);
    expect((await count(db, 'broken', '1.0.0')).rows).toBe(0);
  });

  it('stops between batches when aborted, and the next run resumes', async () => {
    const controller = new AbortController();
    const model = keywordModel('abortable', '1.0.0');
    const result = await runFeaturizeStage({
      db,
      models: [model, keywordModel('never', '1.0.0')],
      batchSize: 10,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.batches === 2) controller.abort();
      },
    });
    expect(result).toMatchObject({ aborted: true, featurized: 20 });
    expect(result.models).toHaveLength(1);
    const rest = await runFeaturizeStage({ db, models: [model], batchSize: 10 });
    expect(rest.featurized).toBe(33);
  });

  it('drops cached ticker features of the tickers it touched', async () => {
    const cache = new MemoryCache();
    const touched = [cacheKeys.tickerFeatures('TSLA'), cacheKeys.tickerFeatures('TSLA', 'fresh', '1.0.0')];
    const untouched = cacheKeys.tickerFeatures('IBM');
    for (const k of [...touched, untouched]) await cache.set(k, '{}');
    await runFeaturizeStage({ db, models: [keywordModel('fresh', '1.0.0')], cache });
    expect(await cache.getMany(touched)).toEqual([undefined, undefined]);
    expect(await cache.get(untouched)).toBe('{}');
  });

  it('serves ticker features through the cache until new scores for the ticker arrive', async () => {
    const cache = new MemoryCache();
    const first = await cachedLatestFeatures(db, cache, 'msft', { model: 'served' });
    expect(first).toEqual({ features: undefined, cacheHit: false }); // nothing scored by 'served' yet
    await runFeaturizeStage({ db, models: [keywordModel('served', '1.0.0')], maxArticles: 10, cache });
    const miss = await cachedLatestFeatures(db, cache, 'MSFT', { model: 'served' });
    expect(miss.cacheHit).toBe(false);
    expect(miss.features).toMatchObject({ ticker: 'MSFT', model: 'served', version: '1.0.0' });
    const hit = await cachedLatestFeatures(db, cache, 'MSFT', { model: 'served' });
    expect(hit).toEqual({ features: miss.features, cacheHit: true });
    await runFeaturizeStage({ db, models: [keywordModel('served', '1.0.0')], cache });
    const after = await cachedLatestFeatures(db, cache, 'MSFT', { model: 'served' });
    expect(after.cacheHit).toBe(false);
    const past = await cachedLatestFeatures(db, cache, 'MSFT', { model: 'served', asOf: END });
    expect(past.cacheHit).toBe(false);
    expect(past.features?.features.count_1h).toBeGreaterThan(0);
  });
});
