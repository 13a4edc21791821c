import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../lib/errors';
import { predictionFromScores } from '../models/prediction';
import type { Label } from '../models/types';
import { textFeatures } from '../pipeline/features/text';
import { type FeatureRow, normaliseTickers, upsertFeatures } from '../pipeline/store/features';
import { latestFeatures, TICKER_FEATURE_NAMES } from '../pipeline/store/ticker-features';
import type { Db } from '../pipeline/store/types';
import { dbTargets } from './helpers/db';

const AS_OF = new Date('2026-01-15T12:00:00Z');
const minutesAgo = (m: number) => new Date(AS_OF.getTime() - m * 60_000);

function row(
  id: string,
  tickers: string[],
  minutes: number,
  label: Label,
  sentiment: number,
  model = 'kw',
  version = '1.0.0',
): FeatureRow {
  const scores =
    label === 'positive'
      ? { positive: 0.8, negative: 0.1, neutral: 0.1 }
      : label === 'negative'
        ? { positive: 0.1, negative: 0.8, neutral: 0.1 }
        : { positive: 0.1, negative: 0.1, neutral: 0.8 };
  return {
    articleId: id,
    model,
    version,
    publishedAt: minutesAgo(minutes),
    tickers,
    language: 'en',
    prediction: predictionFromScores(scores, model, version, { label, sentiment }),
    text: textFeatures(`headline ${id}`),
  };
}

describe.each(dbTargets())('feature store on $name', (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('upserts per (article, model, version): a re-write replaces, never duplicates', async () => {
    const first = [
      row('u1', ['AAPL'], 5, 'positive', 0.7),
      row('u2', ['aapl ', 'MSFT', 'MSFT'], 6, 'negative', -0.6),
    ];
    expect(await upsertFeatures(db, first)).toBe(2);
    expect(await upsertFeatures(db, first)).toBe(2);
    await upsertFeatures(db, [row('u1', ['AAPL'], 5, 'negative', -0.2)]);
    const rows = await db.query<{ article_id: string; label: string; sentiment: number; tickers: string[] }>(
      `SELECT article_id, label, sentiment, tickers FROM processed_features
       WHERE article_id IN ('u1', 'u2') ORDER BY article_id`,
    );
    expect(rows).toEqual([
      { article_id: 'u1', label: 'negative', sentiment: -0.2, tickers: ['AAPL'] },
      { article_id: 'u2', label: 'negative', sentiment: -0.6, tickers: ['AAPL', 'MSFT'] },
    ]);
    const tickerRows = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ticker_features WHERE article_id IN ('u1', 'u2')`,
    );
    expect(tickerRows[0]!.n).toBe(3);
  });

  it('keeps several model versions of one article side by side', async () => {
    await upsertFeatures(db, [row('v1', ['NVDA'], 1, 'positive', 0.5, 'kw', '1.0.0')]);
    await upsertFeatures(db, [row('v1', ['NVDA'], 1, 'negative', -0.5, 'kw', '2.0.0')]);
    const rows = await db.query<{ version: string }>(
      `SELECT version FROM processed_features WHERE article_id = 'v1' ORDER BY version`,
    );
    expect(rows.map((r) => r.version)).toEqual(['1.0.0', '2.0.0']);
  });

  it('drops ticker rows for tickers no longer on a re-written article', async () => {
    await upsertFeatures(db, [row('t1', ['AMZN', 'GOOG'], 3, 'neutral', 0)]);
    await upsertFeatures(db, [row('t1', ['GOOG'], 3, 'neutral', 0)]);
    const rows = await db.query<{ ticker: string }>(
      `SELECT ticker FROM ticker_features WHERE article_id = 't1'`,
    );
    expect(rows.map((r) => r.ticker)).toEqual(['GOOG']);
  });

  it('writes thousands of rows with a handful of statements and rejects a bad timestamp', async () => {
    const many = Array.from({ length: 4500 }, (_, i) => row(`m${i}`, ['BULK', `B${i % 7}`], i, 'neutral', 0));
    expect(await upsertFeatures(db, many)).toBe(4500);
    const n = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ticker_features WHERE ticker = 'BULK'`,
    );
    expect(n[0]!.n).toBe(4500);
    const bad = { ...row('bad', ['X'], 1, 'neutral', 0), publishedAt: 'yesterday' };
    await expect(upsertFeatures(db, [bad])).rejects.toThrow(/invalid published_at/);
  });

  it('computes the 1 h and 1 d windows of one model version for a ticker', async () => {
    await upsertFeatures(db, [
      row('w1', ['WIN'], 10, 'positive', 0.8),
      row('w2', ['WIN'], 50, 'negative', -0.4),
      row('w3', ['WIN'], 120, 'positive', 0.6),
      row('w4', ['WIN'], 600, 'neutral', 0.0),
      row('w5', ['WIN'], 2000, 'negative', -0.9), // older than a day: outside both windows
      row('w6', ['WIN'], -30, 'negative', -1.0), // after asOf: not visible yet
      row('w7', ['WIN'], 5, 'positive', 1.0, 'other', '9.9.9'), // another model: not mixed in
    ]);
    const f = await latestFeatures(db, 'win', { model: 'kw', version: '1.0.0', asOf: AS_OF });
    expect(f).toBeDefined();
    expect(f!.ticker).toBe('WIN');
    expect(f!.latestArticleId).toBe('w1');
    expect(f!.latestLabel).toBe('positive');
    const x = f!.features;
    expect(x.count_1h).toBe(2);
    expect(x.sentiment_1h).toBeCloseTo(0.2, 9);
    expect(x.bullish_share_1h).toBeCloseTo(0.5, 9);
    expect(x.bearish_share_1h).toBeCloseTo(0.5, 9);
    expect(x.count_1d).toBe(4);
    expect(x.sentiment_1d).toBeCloseTo(0.25, 9);
    expect(x.bullish_share_1d).toBeCloseTo(0.5, 9);
    expect(x.bearish_share_1d).toBeCloseTo(0.25, 9);
    expect(x.sentiment_std_1d).toBeCloseTo(Math.sqrt((0.55 ** 2 + 0.65 ** 2 + 0.35 ** 2 + 0.25 ** 2) / 3), 9);
    expect(x.momentum).toBeCloseTo(-0.05, 9);
    expect(x.attention_1h).toBeCloseTo(12, 9);
    expect(x.latest_sentiment).toBeCloseTo(0.8, 9);
    expect(x.minutes_since_latest).toBeCloseTo(10, 9);
    expect(Object.keys(x)).toEqual([...TICKER_FEATURE_NAMES]);
    expect(f!.featuresCount).toBe(15);
  });

  it('picks the model version of the newest article when none is given', async () => {
    const f = await latestFeatures(db, 'WIN', { asOf: AS_OF });
    expect(f).toMatchObject({ model: 'other', version: '9.9.9', latestArticleId: 'w7' });
    expect(f!.features.count_1d).toBe(1);
    const kw = await latestFeatures(db, 'WIN', { model: 'kw', asOf: AS_OF });
    expect(kw).toMatchObject({ model: 'kw', version: '1.0.0' });
  });

  it('reports empty windows as nulls and counts only the features it has', async () => {
    await upsertFeatures(db, [row('old1', ['STALE'], 3 * 24 * 60, 'positive', 0.3)]);
    const f = await latestFeatures(db, '$stale', { asOf: AS_OF });
    expect(f!.features).toMatchObject({
      count_1h: 0,
      count_1d: 0,
      sentiment_1h: null,
      sentiment_1d: null,
      momentum: null,
      attention_1h: null,
      latest_sentiment: 0.3,
    });
    expect(f!.features.minutes_since_latest).toBeCloseTo(3 * 24 * 60, 6);
    expect(f!.featuresCount).toBe(5); // two counts, latest sentiment, latest confidence, age
  });

  it('answers undefined for a ticker never scored and rejects what is not a ticker', async () => {
    expect(await latestFeatures(db, 'NOPE', { asOf: AS_OF })).toBeUndefined();
    await expect(latestFeatures(db, "AAPL'; DROP TABLE x; --")).rejects.toBeInstanceOf(InputError);
    await expect(latestFeatures(db, '')).rejects.toThrow(/not a ticker/);
    await expect(latestFeatures(db, 'AAPL', { version: '1.0.0' })).rejects.toThrow(/without its model/);
  });

  it('normalises tickers the same way on write and read', () => {
    expect(normaliseTickers([' aapl', 'AAPL', '', 'brk.b', 'two words'])).toEqual(['AAPL', 'BRK.B']);
  });
});
