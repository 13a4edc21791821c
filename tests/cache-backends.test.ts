import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCache } from '../pipeline/cache/open';
import { prefixedCache } from '../pipeline/cache/prefix';
import { type ResilientCache, resilientCache } from '../pipeline/cache/resilient';
import { UpstashCache } from '../pipeline/cache/upstash';
import { deleteKeysWithPrefix, startUpstashServer, type UpstashServer } from './helpers/cache-servers';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL)
  console.warn('[finsent tests] REDIS_URL is not set: Redis and Upstash cache tests are skipped.');

interface Backend {
  name: string;
  /** Opens the cache under `prefix`, plus a raw client on the real Redis behind it, if any. */
  setup(prefix: string): Promise<{ cache: ResilientCache; raw?: Redis; server?: UpstashServer }>;
}

const backends: Backend[] = [
  { name: 'memory', setup: async (prefix) => ({ cache: await openCache({}, { prefix }) }) },
];
if (REDIS_URL) {
  const raw = () => new Redis(REDIS_URL);
  backends.push({
    name: 'redis',
    setup: async (prefix) => ({ cache: await openCache({ redisUrl: REDIS_URL }, { prefix }), raw: raw() }),
  });
  backends.push({
    name: 'upstash REST, plain responses (what openCache configures)',
    setup: async (prefix) => {
      const server = await startUpstashServer(REDIS_URL);
      const env = { upstashUrl: server.url, upstashToken: server.token };
      return { cache: await openCache(env, { prefix, timeoutMs: 2000 }), raw: raw(), server };
    },
  });
  backends.push({
    name: "upstash REST, base64 responses (Upstash's default)",
    setup: async (prefix) => {
      const server = await startUpstashServer(REDIS_URL);
      const inner = await UpstashCache.open(server.url, server.token, { responseEncoding: 'base64' });
      return { cache: resilientCache(prefixedCache(inner, prefix), { timeoutMs: 2000 }), raw: raw(), server };
    },
  });
}

describe.each(backends)('cache backend: $name', (backend) => {
  const prefix = `finsent-test:${randomBytes(4).toString('hex')}:`;
  let cache: ResilientCache;
  let raw: Redis | undefined;
  let server: UpstashServer | undefined;

  beforeAll(async () => {
    ({ cache, raw, server } = await backend.setup(prefix));
  });
  afterAll(async () => {
    await cache?.close();
    if (REDIS_URL && raw) await deleteKeysWithPrefix(REDIS_URL, prefix);
    raw?.disconnect();
    await server?.close();
  });

  it('reads back exactly the string it stored, and undefined for a missing key', async () => {
    const value = JSON.stringify({ label: 'positive', text: 'Äpple 📈 "quoted" \\ back\nslash', n: 0.1 });
    await cache.set('one', value, 60);
    expect(await cache.get('one')).toBe(value);
    await cache.set('numberish', '123', 60);
    expect(await cache.get('numberish')).toBe('123');
    expect(await cache.get('missing')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ errors: 0, timeouts: 0 });
  });

  it('gets and sets many keys in one call, aligned with the keys asked for', async () => {
    await cache.setMany(
      [
        { key: 'm1', value: 'a' },
        { key: 'm2', value: 'b' },
      ],
      60,
    );
    expect(await cache.getMany(['m1', 'nope', 'm2'])).toEqual(['a', undefined, 'b']);
    expect(await cache.getMany([])).toEqual([]);
    await cache.setMany([]);
  });

  it('deletes one key or many', async () => {
    await cache.setMany(['d1', 'd2', 'd3'].map((key) => ({ key, value: 'x' })));
    await cache.delete('d1');
    await cache.deleteMany!(['d2', 'd3', 'never-set']);
    expect(await cache.getMany(['d1', 'd2', 'd3'])).toEqual([undefined, undefined, undefined]);
  });

  it('stores under the prefix with the requested expiry', async () => {
    await cache.set('ttl', 'v', 3600);
    await cache.setMany([{ key: 'ttl-many', value: 'v' }], 86_400);
    await cache.set('ttl-default', 'v');
    if (!raw) return; // the memory backend's expiry is covered with a fake clock in cache-resilience
    expect(await raw.get(`${prefix}ttl`)).toBe('v');
    const [one, many, dflt] = await Promise.all(
      ['ttl', 'ttl-many', 'ttl-default'].map((k) => raw!.ttl(`${prefix}${k}`)),
    );
    expect(one).toBeGreaterThan(3500);
    expect(one).toBeLessThanOrEqual(3600);
    expect(many).toBeGreaterThan(86_000);
    expect(dflt).toBeGreaterThan(3500); // the default expiry is one hour, never "forever"
  });

  it('answers a ping, having really talked to its server', async () => {
    expect(await cache.ping()).toBe(true);
    if (server) {
      // @upstash/redis auto-pipelines: concurrent commands travel together through /pipeline.
      expect(server.requests.total).toBeGreaterThan(5);
      expect(server.requests['/pipeline']).toBeGreaterThanOrEqual(2);
    }
  });
});
