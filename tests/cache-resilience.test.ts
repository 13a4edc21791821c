import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../lib/errors';
import {
  cacheKeys,
  FEATURES_TTL_SECONDS,
  PREDICTION_TTL_SECONDS,
  readThroughJson,
  TICKER_FEATURES_TTL_SECONDS,
} from '../pipeline/cache/keys';
import { MemoryCache } from '../pipeline/cache/memory';
import { describeCache, openCache } from '../pipeline/cache/open';
import { prefixedCache } from '../pipeline/cache/prefix';
import { resilientCache } from '../pipeline/cache/resilient';
import type { Cache } from '../pipeline/cache/types';

/** A backend whose health the test controls. */
function flakyBackend() {
  const store = new MemoryCache();
  const state = { down: false, hang: false, calls: 0, resets: 0 };
  /** Runs `op` on the healthy store, or fails / hangs like a sick backend. */
  const guard = async <T>(op: () => Promise<T>): Promise<T> => {
    state.calls++;
    if (state.hang) return new Promise<never>(() => {});
    if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    return op();
  };
  const backend: Cache & { reset(): void } = {
    kind: 'redis',
    get: (k) => guard(() => store.get(k)),
    getMany: (k) => guard(() => store.getMany(k)),
    set: (k, v, t) => guard(() => store.set(k, v, t)),
    setMany: (e, t) => guard(() => store.setMany(e, t)),
    delete: (k) => guard(() => store.delete(k)),
    ping: () => guard(async () => true),
    close: async () => {},
    reset: () => {
      state.resets++;
    },
  };
  return { backend, state };
}

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('resilientCache', () => {
  it('turns backend errors into misses and no-ops, and counts them', async () => {
    const { backend, state } = flakyBackend();
    const cache = resilientCache(backend, { cooldownMs: 0 });
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    state.down = true;
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getMany(['k', 'x'])).toEqual([undefined, undefined]);
    await expect(cache.set('k', 'w')).resolves.toBeUndefined();
    await expect(cache.setMany([{ key: 'a', value: 'b' }])).resolves.toBeUndefined();
    await expect(cache.delete('k')).resolves.toBeUndefined();
    await expect(cache.deleteMany(['k'])).resolves.toBeUndefined();
    expect(await cache.ping()).toBe(false);
    expect(cache.stats()).toMatchObject({ hits: 1, errors: 7, state: 'down' });
    expect(cache.stats().lastError).toMatch(/ECONNREFUSED/);
    state.down = false;
    expect(await cache.get('k')).toBe('v');
    expect(cache.stats().state).toBe('up');
  });

  it('leaves a failed backend alone during a doubling cooldown, then probes it again', async () => {
    const { backend, state } = flakyBackend();
    const c = clock();
    const cache = resilientCache(backend, { cooldownMs: 1000, maxCooldownMs: 4000, now: c.now });
    state.down = true;
    await cache.get('a'); // fails: down for 1 s
    const callsAfterFailure = state.calls;
    for (let i = 0; i < 50; i++) await cache.get('a');
    expect(state.calls).toBe(callsAfterFailure); // nothing reached the backend
    expect(cache.stats().skipped).toBe(50);
    c.t += 1001;
    await cache.get('a'); // probe fails: down for 2 s
    c.t += 1500;
    await cache.get('a');
    expect(state.calls).toBe(callsAfterFailure + 1);
    c.t += 600;
    await cache.get('a'); // probe fails: 4 s
    c.t += 4001;
    await cache.get('a'); // probe fails: capped at 4 s
    c.t += 4001;
    state.down = false;
    await cache.set('a', 'back');
    expect(await cache.get('a')).toBe('back');
    expect(cache.stats()).toMatchObject({ state: 'up', errors: 4 });
  });

  it('lets ping through while cooling down, so health checks see recovery at once', async () => {
    const { backend, state } = flakyBackend();
    const c = clock();
    const cache = resilientCache(backend, { cooldownMs: 60_000, now: c.now });
    state.down = true;
    expect(await cache.ping()).toBe(false);
    state.down = false;
    expect(await cache.ping()).toBe(true);
    expect(cache.stats().state).toBe('up');
  });

  it('abandons a call that does not answer in time and drops the stuck connection', async () => {
    const { backend, state } = flakyBackend();
    const cache = resilientCache(backend, { timeoutMs: 30, cooldownMs: 0 });
    state.hang = true;
    expect(await cache.get('k')).toBeUndefined();
    await expect(cache.set('k', 'v')).resolves.toBeUndefined();
    expect(cache.stats()).toMatchObject({ timeouts: 2, errors: 0 });
    expect(cache.stats().lastError).toMatch(/no answer within 30 ms/);
    expect(state.resets).toBe(2);
  });

  it('logs one line per interval however many calls fail, and one when the backend is back', async () => {
    const { backend, state } = flakyBackend();
    const c = clock();
    const logger = { warn: vi.fn(), info: vi.fn() };
    const cache = resilientCache(backend, { cooldownMs: 0, logIntervalMs: 60_000, logger, now: c.now });
    state.down = true;
    for (let i = 0; i < 100; i++) {
      await cache.get('k');
      c.t += 100; // 10 s of failures
    }
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![0]).toMatch(
      /^cache \(redis\) unavailable, serving without cache: connect ECONNREFUSED .*\(1 failure since the last report/,
    );
    c.t += 60_000;
    await cache.get('k');
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[1]![0]).toMatch(/\(100 failures since the last report/);
    state.down = false;
    await cache.get('k');
    await cache.get('k');
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info.mock.calls[0]![0]).toMatch(/answering again/);
  });
});

describe('cache configuration', () => {
  it('chooses the backend from the environment and describes it without secrets', async () => {
    expect(describeCache({})).toBe('in-process LRU cache');
    expect(describeCache({ redisUrl: 'redis://:pw@cache.internal:6380/2' })).toBe(
      'Redis at redis://cache.internal:6380/2',
    );
    expect(describeCache({ upstashUrl: 'https://eu1-x.upstash.io', upstashToken: 'secret' })).toBe(
      'Upstash REST at https://eu1-x.upstash.io',
    );
    expect(
      describeCache({ redisUrl: 'redis://h:6379', upstashUrl: 'https://u.upstash.io', upstashToken: 't' }),
    ).toMatch(/REDIS_URL wins/);
    const memory = await openCache({});
    expect(memory.kind).toBe('memory');
    await memory.close();
  });

  it('rejects a half or malformed configuration with the variable to fix', async () => {
    await expect(openCache({ redisUrl: 'http://localhost:6379' })).rejects.toBeInstanceOf(ConfigError);
    await expect(openCache({ redisUrl: 'localhost:6379' })).rejects.toThrow(
      /REDIS_URL must start with redis:\/\//,
    );
    await expect(openCache({ upstashUrl: 'https://x.upstash.io' })).rejects.toThrow(
      /UPSTASH_REDIS_REST_TOKEN is not set/,
    );
    await expect(openCache({ upstashToken: 't' })).rejects.toThrow(/UPSTASH_REDIS_REST_URL is not set/);
    await expect(openCache({ upstashUrl: 'x.upstash.io', upstashToken: 't' })).rejects.toThrow(/https:\/\//);
  });

  it('namespaces every key under the prefix', async () => {
    const inner = new MemoryCache();
    const cache = prefixedCache(inner, 'finsent:test:');
    await cache.setMany([{ key: 'a', value: '1' }]);
    await cache.set('b', '2');
    expect(await inner.getMany(['finsent:test:a', 'finsent:test:b', 'a'])).toEqual(['1', '2', undefined]);
    await cache.deleteMany!(['a', 'b']);
    expect(inner.size).toBe(0);
  });
});

describe('cache keys and TTLs', () => {
  it('keeps the original design TTLs: predictions an hour, features a day', () => {
    expect(PREDICTION_TTL_SECONDS).toBe(3600);
    expect(FEATURES_TTL_SECONDS).toBe(86_400);
    expect(TICKER_FEATURES_TTL_SECONDS).toBeLessThanOrEqual(300);
  });

  it('builds distinct, escaped keys', () => {
    expect(cacheKeys.prediction('vader', '1.0.0', 'abc')).toBe('v1:prediction:vader:1.0.0:abc');
    expect(cacheKeys.features('vader', '1.0.0', 'abc')).not.toBe(
      cacheKeys.prediction('vader', '1.0.0', 'abc'),
    );
    expect(cacheKeys.tickerFeatures('BRK.B')).toBe('v1:ticker:BRK.B:*:*');
    expect(cacheKeys.tickerFeatures('A:B', 'm', 'v')).toBe('v1:ticker:A%3AB:m:v');
  });

  it('expires memory entries after their TTL', async () => {
    const c = clock();
    const cache = new MemoryCache({ now: c.now });
    await cache.set('p', 'x', PREDICTION_TTL_SECONDS);
    c.t += PREDICTION_TTL_SECONDS * 1000 - 1;
    expect(await cache.get('p')).toBe('x');
    c.t += 2;
    expect(await cache.get('p')).toBeUndefined();
  });

  it('reads through: loads and stores on a miss, parses on a hit, replaces a corrupt entry', async () => {
    const cache = new MemoryCache();
    const load = vi.fn(async () => ({ n: 1 }));
    expect(await readThroughJson(cache, 'k', 60, load)).toEqual({ value: { n: 1 }, hit: false });
    expect(await readThroughJson(cache, 'k', 60, load)).toEqual({ value: { n: 1 }, hit: true });
    expect(load).toHaveBeenCalledTimes(1);
    await cache.set('k', '{not json');
    expect(await readThroughJson(cache, 'k', 60, load)).toEqual({ value: { n: 1 }, hit: false });
    expect(await cache.get('k')).toBe('{"n":1}');
    const none = vi.fn(async () => undefined);
    await readThroughJson(cache, 'u', 60, none);
    expect(await cache.get('u')).toBeUndefined();
  });
});
