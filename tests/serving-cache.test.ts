import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../pipeline/cache/memory';
import type { Cache } from '../pipeline/cache/types';
import { PredictionCache } from '../serving/cache-guard';
import { testApp } from './helpers/serving-fakes';

/** A cache whose every call fails the way a Redis outage does. */
function brokenCache(mode: 'throw' | 'reject' | 'hang'): Cache & { calls: number } {
  const fail = <T>(): Promise<T> => {
    cache.calls += 1;
    if (mode === 'throw') throw new Error('ECONNREFUSED 127.0.0.1:6379');
    if (mode === 'reject')
      return Promise.reject(new Error("READONLY You can't write against a read only replica"));
    return new Promise<T>(() => {});
  };
  const cache = {
    kind: 'redis' as const,
    calls: 0,
    get: () => fail<string | undefined>(),
    getMany: () => fail<(string | undefined)[]>(),
    set: () => fail<void>(),
    setMany: () => fail<void>(),
    delete: () => fail<void>(),
    ping: () => fail<boolean>(),
    close: async () => {},
  };
  return cache;
}

describe('the prediction cache', () => {
  it.each(['throw', 'reject', 'hang'] as const)(
    'a cache that fails (%s) costs the cache, never the answer',
    async (mode) => {
      const cache = brokenCache(mode);
      const { app } = await testApp({ cache, cacheTimeoutMs: 30 });
      try {
        for (let i = 0; i < 3; i++) {
          const res = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Shares jump' } });
          expect(res.statusCode).toBe(200);
          expect(res.json().performance.cache_hit).toBe(false);
        }
        // After the first failure the cache is skipped for a while rather than tried on every request.
        expect(cache.calls).toBe(1);
        const health = (await app.inject({ method: 'GET', url: '/health' })).json();
        expect(health.status).toBe('degraded');
        expect(health.checks.cache).toEqual({ status: 'down', kind: 'redis' });
        const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
        expect(metrics).toMatch(/finsent_prediction_cache_total\{result="error"\} 1/);
        expect(metrics).toMatch(/finsent_prediction_cache_total\{result="skipped"\} 3/);
      } finally {
        await app.close();
      }
    },
  );

  it("keys entries by model version, so a swapped-in version never answers from the old one's cache", async () => {
    const cache = new MemoryCache();
    const { app, vader } = await testApp({ cache, adminToken: 'tok' });
    try {
      const text = { text: 'Margins fall' };
      await app.inject({ method: 'POST', url: '/predict', payload: text });
      expect(
        (await app.inject({ method: 'POST', url: '/predict', payload: text })).json().performance.cache_hit,
      ).toBe(true);
      await app.inject({
        method: 'POST',
        url: '/models/select',
        headers: { authorization: 'Bearer tok' },
        payload: { model: 'vader@1.1.0' },
      });
      const after = (await app.inject({ method: 'POST', url: '/predict', payload: text })).json();
      expect(after.performance).toMatchObject({ model_version: '1.1.0', cache_hit: false });
      expect(vader.loaded.find((m) => m.version === '1.1.0')!.texts).toBe(3 + 1);
    } finally {
      await app.close();
    }
  });

  it('answers a batch partly from the cache and scores only the misses', async () => {
    const { app, vader } = await testApp({ cache: new MemoryCache() });
    try {
      await app.inject({ method: 'POST', url: '/predict', payload: { texts: ['a jump', 'b falls'] } });
      const before = vader.loaded[0]!.texts;
      const res = (
        await app.inject({
          method: 'POST',
          url: '/predict',
          payload: { texts: ['a jump', 'c flat', 'b falls'] },
        })
      ).json();
      expect(
        res.results.map((r: { performance: { cache_hit: boolean } }) => r.performance.cache_hit),
      ).toEqual([true, false, true]);
      expect(res.performance.cache_hits).toBe(2);
      expect(vader.loaded[0]!.texts - before).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('treats an unreadable cached value as a miss', async () => {
    const cache = new MemoryCache();
    const guard = new PredictionCache(cache);
    await cache.set(PredictionCache.key('vader', '1.0.0', 'h1'), '{"not":"a verdict"}');
    await cache.set(PredictionCache.key('vader', '1.0.0', 'h2'), '["positive",0.5,0.8,0.8,0.1,0.1]');
    const found = await guard.lookup('vader', '1.0.0', ['h1', 'h2', 'h3']);
    expect(found).toEqual([
      undefined,
      {
        label: 'positive',
        sentiment: 0.5,
        confidence: 0.8,
        scores: { positive: 0.8, negative: 0.1, neutral: 0.1 },
      },
      undefined,
    ]);
  });
});
