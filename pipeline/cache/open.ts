import type { FinsentEnv } from '../../lib/env';
import { ConfigError } from '../../lib/errors';
import { DEFAULT_CACHE_PREFIX } from './keys';
import { MemoryCache } from './memory';
import { prefixedCache } from './prefix';
import { RedisCache } from './redis';
import { type ResilienceOptions, type ResilientCache, resilientCache } from './resilient';
import type { Cache } from './types';
import { UpstashCache } from './upstash';

export type CacheEnv = Pick<FinsentEnv, 'redisUrl' | 'upstashUrl' | 'upstashToken'>;

export interface OpenCacheOptions extends ResilienceOptions {
  /** Key prefix (default `finsent:`); use one per environment when they share a Redis. */
  prefix?: string;
  /** Entry limit of the in-process cache (default 50 000). */
  maxEntries?: number;
  /** Expiry when a `set` gives none (default 1 h). */
  defaultTtlSeconds?: number;
}

/** Per-call limits by backend: a LAN/localhost Redis answers in a millisecond, Upstash over HTTPS in tens. */
const DEFAULT_TIMEOUT_MS = { memory: 250, redis: 250, upstash: 750 } as const;

type Choice =
  | { kind: 'memory' }
  | { kind: 'redis'; url: string }
  | { kind: 'upstash'; url: string; token: string };

function choose(env: CacheEnv): Choice {
  if (env.redisUrl) {
    if (!/^rediss?:\/\//u.test(env.redisUrl)) {
      throw new ConfigError(
        'REDIS_URL must start with redis:// or rediss:// (e.g. redis://127.0.0.1:6379/0); unset it for the in-process cache',
        { action: 'opening the cache', input: 'REDIS_URL' },
      );
    }
    return { kind: 'redis', url: env.redisUrl };
  }
  if (env.upstashUrl || env.upstashToken) {
    if (!env.upstashUrl || !env.upstashToken) {
      const missing = env.upstashUrl ? 'UPSTASH_REDIS_REST_TOKEN' : 'UPSTASH_REDIS_REST_URL';
      throw new ConfigError(
        `${missing} is not set: Upstash needs both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN ` +
          '(from the Upstash console, "REST API"); unset both for the in-process cache',
        { action: 'opening the cache', input: missing },
      );
    }
    if (!/^https?:\/\/\S+$/u.test(env.upstashUrl)) {
      throw new ConfigError(
        'UPSTASH_REDIS_REST_URL must be an https:// URL such as https://eu1-x.upstash.io',
        {
          action: 'opening the cache',
          input: 'UPSTASH_REDIS_REST_URL',
        },
      );
    }
    return { kind: 'upstash', url: env.upstashUrl, token: env.upstashToken };
  }
  return { kind: 'memory' };
}

/** A one-line description of the cache `openCache(env)` opens, safe to log (no secrets). */
export function describeCache(env: CacheEnv): string {
  const c = choose(env);
  if (c.kind === 'memory') return 'in-process LRU cache';
  const u = new URL(c.url);
  const where = `${u.protocol}//${u.host}`;
  const both = c.kind === 'redis' && env.upstashUrl ? ' (REDIS_URL wins over UPSTASH_REDIS_REST_URL)' : '';
  return c.kind === 'redis' ? `Redis at ${where}${u.pathname}${both}` : `Upstash REST at ${where}`;
}

/**
 * The cache finsent uses: Redis over TCP when REDIS_URL is set, Upstash REST when
 * UPSTASH_REDIS_REST_URL and _TOKEN are, the in-process LRU otherwise; always prefixed and
 * wrapped in `resilientCache`, so an outage means misses, never errors. Opening does not
 * contact the server (connections are made on first use); a bad configuration throws.
 *
 * @example
 * const cache = await openCache(readEnv(), { logger: app.log });
 * await cache.set(cacheKeys.prediction('vader', '1.0.0', hash), body, PREDICTION_TTL_SECONDS);
 */
export async function openCache(env: CacheEnv, options: OpenCacheOptions = {}): Promise<ResilientCache> {
  const choice = choose(env);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS[choice.kind];
  const ttl = options.defaultTtlSeconds ?? 3600;
  let backend: Cache;
  if (choice.kind === 'redis') {
    backend = await RedisCache.open(choice.url, {
      defaultTtlSeconds: ttl,
      // The wrapper gives up first; ioredis's own limits only clean up what it abandoned.
      commandTimeoutMs: timeoutMs * 4,
      connectTimeoutMs: Math.max(1000, timeoutMs * 4),
    });
  } else if (choice.kind === 'upstash') {
    backend = await UpstashCache.open(choice.url, choice.token, {
      defaultTtlSeconds: ttl,
      requestTimeoutMs: timeoutMs * 2,
    });
  } else {
    backend = new MemoryCache({ maxEntries: options.maxEntries, defaultTtlSeconds: ttl });
  }
  return resilientCache(prefixedCache(backend, options.prefix ?? DEFAULT_CACHE_PREFIX), {
    ...options,
    timeoutMs,
  });
}
