import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openCache } from '../pipeline/cache/open';
import type { ResilientCache } from '../pipeline/cache/resilient';
import { deleteKeysWithPrefix, startRedisProxy, startUpstashServer } from './helpers/cache-servers';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL)
  console.warn('[finsent tests] REDIS_URL is not set: mid-way Redis/Upstash outage tests are skipped.');
const prefix = `finsent-test:${randomBytes(4).toString('hex')}:`;
afterAll(async () => {
  if (REDIS_URL) await deleteKeysWithPrefix(REDIS_URL, prefix);
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls until the cache answers `expected` (the breaker reopens after its cooldown). */
async function eventually(cache: ResilientCache, key: string, expected: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await cache.get(key)) === expected) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`cache never answered ${expected} for ${key}: ${JSON.stringify(cache.stats())}`);
}

const logger = () => ({ warn: vi.fn(), info: vi.fn() });

describe('a cache whose server is down from the start', () => {
  it('Redis on a closed port: misses and no-ops, one log line, no throw', async () => {
    const log = logger();
    const cache = await openCache({ redisUrl: `redis://127.0.0.1:${await closedPort()}/0` }, { logger: log });
    try {
      for (let i = 0; i < 20; i++) {
        expect(await cache.get('k')).toBeUndefined();
        await cache.set('k', 'v', 60);
      }
      expect(await cache.getMany(['a', 'b'])).toEqual([undefined, undefined]);
      expect(await cache.ping()).toBe(false);
      const stats = cache.stats();
      expect(stats.state).toBe('down');
      expect(stats.errors).toBeGreaterThanOrEqual(1);
      expect(stats.skipped).toBeGreaterThan(20); // the cooldown spared the dead server
      expect(stats.lastError).toMatch(/ECONNREFUSED|PING/);
      expect(log.warn).toHaveBeenCalledTimes(1);
    } finally {
      await cache.close();
    }
  });

  it('Upstash on a closed port: misses and no-ops, one log line, no throw', async () => {
    const log = logger();
    const env = { upstashUrl: `http://127.0.0.1:${await closedPort()}`, upstashToken: 't' };
    const cache = await openCache(env, { logger: log });
    expect(await cache.get('k')).toBeUndefined();
    await cache.setMany([{ key: 'k', value: 'v' }]);
    expect(await cache.ping()).toBe(false);
    expect(cache.stats().errors).toBeGreaterThanOrEqual(1);
    expect(log.warn).toHaveBeenCalledTimes(1);
  });
});

describe.skipIf(!REDIS_URL)('a cache whose server stops mid-way and comes back (real Redis)', () => {
  it('Redis: serves, degrades to misses when the server goes, reconnects lazily when it returns', async () => {
    const proxy = await startRedisProxy(REDIS_URL!);
    const log = logger();
    const cache = await openCache(
      { redisUrl: proxy.url },
      { prefix, cooldownMs: 50, maxCooldownMs: 100, logger: log },
    );
    try {
      await cache.set('r', 'before', 60);
      expect(await cache.get('r')).toBe('before');

      await proxy.stop();
      expect(await cache.get('r')).toBeUndefined();
      await cache.set('r2', 'lost', 60); // a no-op, not an error
      expect(cache.stats().state).toBe('down');
      expect(log.warn).toHaveBeenCalledTimes(1);

      await proxy.start();
      await eventually(cache, 'r', 'before'); // the data was in Redis all along
      expect(cache.stats().state).toBe('up');
      expect(log.info).toHaveBeenCalledWith(expect.stringMatching(/answering again/));
      await cache.set('r3', 'after', 60);
      expect(await cache.get('r3')).toBe('after');
    } finally {
      await cache.close();
      await proxy.stop().catch(() => {});
    }
  });

  it('Redis that accepts connections but never answers: a timeout, then recovery', async () => {
    const proxy = await startRedisProxy(REDIS_URL!);
    proxy.blackhole = true;
    const cache = await openCache({ redisUrl: proxy.url }, { prefix, timeoutMs: 100, cooldownMs: 50 });
    try {
      expect(await cache.get('r')).toBeUndefined();
      expect(cache.stats().timeouts).toBeGreaterThanOrEqual(1);
      proxy.blackhole = false;
      await cache.set('bh', 'ok', 60).catch(() => {});
      await eventually(cache, 'r', 'before');
    } finally {
      await cache.close();
      await proxy.stop().catch(() => {});
    }
  });

  it('Upstash: serves, degrades on a stopped server, a 500 or a slow answer, then recovers', async () => {
    const server = await startUpstashServer(REDIS_URL!);
    const log = logger();
    const cache = await openCache(
      { upstashUrl: server.url, upstashToken: server.token },
      { prefix, timeoutMs: 200, cooldownMs: 50, maxCooldownMs: 100, logger: log },
    );
    try {
      await cache.set('u', 'before', 60);
      expect(await cache.get('u')).toBe('before');

      await server.stop();
      expect(await cache.get('u')).toBeUndefined();
      await server.start();
      await eventually(cache, 'u', 'before');

      server.failWith = 500;
      await new Promise((r) => setTimeout(r, 120));
      expect(await cache.get('u')).toBeUndefined();
      server.failWith = undefined;
      await eventually(cache, 'u', 'before');

      server.delayMs = 1000;
      await new Promise((r) => setTimeout(r, 120));
      expect(await cache.get('u')).toBeUndefined();
      expect(cache.stats().timeouts).toBeGreaterThanOrEqual(1);
      server.delayMs = 0;
      await eventually(cache, 'u', 'before');
      expect(cache.stats().errors).toBeGreaterThanOrEqual(2);
    } finally {
      await cache.close();
      await server.close();
    }
  });

  it('Upstash with a wrong token: misses, and the log names the refusal', async () => {
    const server = await startUpstashServer(REDIS_URL!);
    const log = logger();
    const cache = await openCache({ upstashUrl: server.url, upstashToken: 'wrong' }, { prefix, logger: log });
    try {
      expect(await cache.get('u')).toBeUndefined();
      expect(log.warn.mock.calls[0]![0]).toMatch(/Unauthorized/);
    } finally {
      await server.close();
    }
  });
});
