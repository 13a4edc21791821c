import type { Cache } from './types';

/** pino's logger fits; so does `console`. */
export interface CacheLogger {
  warn(message: string): void;
  info(message: string): void;
}

export interface ResilienceOptions {
  /** A call slower than this is abandoned and counted as a miss (default 250 ms). */
  timeoutMs?: number;
  /** After a failure, calls skip the backend this long, doubling up to `maxCooldownMs`. */
  cooldownMs?: number;
  maxCooldownMs?: number;
  /** At most one warning line per interval, with the count of failures since the last one. */
  logIntervalMs?: number;
  logger?: CacheLogger;
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Backend calls that threw (connection refused, HTTP 5xx, …). */
  errors: number;
  /** Backend calls abandoned after `timeoutMs`. */
  timeouts: number;
  /** Calls answered as a miss / no-op without touching the backend while it cooled down. */
  skipped: number;
  /** 'down' while the backend is cooling down after a failure. */
  state: 'up' | 'down';
  lastError?: string;
}

export interface ResilientCache extends Cache {
  deleteMany(keys: readonly string[]): Promise<void>;
  stats(): CacheStats;
  readonly inner: Cache;
}

/**
 * Makes a cache safe to depend on: any backend error or timeout becomes a miss (reads) or a
 * no-op (writes), counted and reported in at most one log line per interval. After a failure
 * the backend is left alone for a cooldown (1 s, doubling to 30 s) so an outage costs nothing
 * per request; the first call after the cooldown probes it again (the lazy reconnect), and
 * `ping()` always probes. A cache outage degrades finsent to "no cache", never to an error.
 *
 * @example
 * const cache = resilientCache(await RedisCache.open(url), { logger: app.log });
 * await cache.get('k'); // → undefined while Redis is down, never a throw
 */
export function resilientCache(inner: Cache, options: ResilienceOptions = {}): ResilientCache {
  const timeoutMs = options.timeoutMs ?? 250;
  const baseCooldown = options.cooldownMs ?? 1000;
  const maxCooldown = options.maxCooldownMs ?? 30_000;
  const logInterval = options.logIntervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  const stats: CacheStats = { hits: 0, misses: 0, errors: 0, timeouts: 0, skipped: 0, state: 'up' };
  let cooldown = baseCooldown;
  let retryAt = 0;
  let lastLog = Number.NEGATIVE_INFINITY;
  let failuresSinceLog = 0;

  const succeeded = () => {
    if (stats.state === 'down') {
      stats.state = 'up';
      options.logger?.info(`cache (${inner.kind}) is answering again; caching resumed`);
      lastLog = Number.NEGATIVE_INFINITY;
    }
    cooldown = baseCooldown;
    failuresSinceLog = 0;
  };

  const failed = (error: unknown, timedOut: boolean) => {
    if (timedOut) stats.timeouts++;
    else stats.errors++;
    stats.lastError = error instanceof Error ? error.message : String(error);
    stats.state = 'down';
    retryAt = now() + cooldown;
    cooldown = Math.min(cooldown * 2, maxCooldown);
    failuresSinceLog++;
    // A stuck connection may never answer again: drop it so the next probe starts afresh.
    if (timedOut) (inner as { reset?: () => void }).reset?.();
    if (options.logger && now() - lastLog >= logInterval) {
      lastLog = now();
      options.logger.warn(
        `cache (${inner.kind}) unavailable, serving without cache: ${stats.lastError} ` +
          `(${failuresSinceLog} failure${failuresSinceLog === 1 ? '' : 's'} since the last report; ` +
          `next try in ${Math.round((retryAt - now()) / 1000)} s)`,
      );
      failuresSinceLog = 0;
    }
  };

  /** Runs `op` unless cooling down; any failure yields `fallback`. */
  async function guarded<T>(op: () => Promise<T>, fallback: T, probe = false): Promise<T> {
    if (!probe && stats.state === 'down' && now() < retryAt) {
      stats.skipped++;
      return fallback;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref?.();
    });
    const attempt = op();
    attempt.catch(() => {}); // an abandoned attempt must not surface as an unhandled rejection
    try {
      const result = await Promise.race([attempt, timeout]);
      if (result === 'timeout') {
        failed(new Error(`no answer within ${timeoutMs} ms`), true);
        return fallback;
      }
      succeeded();
      return result;
    } catch (error) {
      failed(error, false);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  const count = (v: string | undefined) => {
    if (v === undefined) stats.misses++;
    else stats.hits++;
    return v;
  };

  return {
    kind: inner.kind,
    inner,
    stats: () => ({ ...stats }),
    get: async (key) => count(await guarded(() => inner.get(key), undefined)),
    getMany: async (keys) => {
      const values = await guarded(
        () => inner.getMany(keys),
        keys.map(() => undefined),
      );
      for (const v of values) count(v);
      return values;
    },
    set: (key, value, ttl) => guarded(() => inner.set(key, value, ttl), undefined),
    setMany: (entries, ttl) => guarded(() => inner.setMany(entries, ttl), undefined),
    delete: (key) => guarded(() => inner.delete(key), undefined),
    deleteMany: (keys) =>
      guarded(
        () =>
          inner.deleteMany
            ? inner.deleteMany(keys)
            : Promise.all(keys.map((k) => inner.delete(k))).then(() => {}),
        undefined,
      ),
    ping: () =>
      guarded(
        async () => {
          if (!(await inner.ping())) throw new Error('the backend did not answer PING');
          return true;
        },
        false,
        true,
      ),
    close: async () => {
      await inner.close().catch(() => {});
    },
  };
}
