import type { Redis as IORedis, RedisOptions } from 'ioredis';
import type { Cache } from './types';

export interface RedisCacheOptions {
  /** Expiry when `set` is given none (seconds). */
  defaultTtlSeconds?: number;
  /** Per-command limit; a slower answer is an error (the resilient wrapper makes it a miss). */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Extra ioredis options (TLS for rediss:// is read from the URL). */
  redis?: RedisOptions;
}

/**
 * Redis over TCP (ioredis): GET/MGET, SET … EX and pipelined multi-sets, one connection.
 *
 * Reconnection is lazy: ioredis's own retry loop is off, and the next command after a lost
 * connection reconnects (bounded by the connect timeout). A dead server therefore costs one
 * failed connect per command that reaches it (resilientCache spaces those out), not a reconnect
 * storm in the background, and commands never queue up behind a dead socket.
 */
export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  #client: IORedis;
  readonly #make: () => IORedis;
  readonly #defaultTtl: number;
  #connecting: Promise<void> | undefined;
  #closed = false;
  /** The last connection error, for diagnostics (ioredis also emits it as an event). */
  lastError: Error | undefined;

  private constructor(make: () => IORedis, defaultTtl: number) {
    this.#make = make;
    this.#client = this.#fresh();
    this.#defaultTtl = defaultTtl;
  }

  #fresh(): IORedis {
    const client = this.#make();
    // Without a listener ioredis prints "[ioredis] Unhandled error event" for every failure.
    client.on('error', (error: Error) => {
      this.lastError = error;
    });
    return client;
  }

  /**
   * @example
   * const cache = await RedisCache.open('redis://127.0.0.1:6379/0');
   * await cache.set('k', 'v', 60); await cache.get('k'); // → 'v'
   */
  static async open(url: string, options: RedisCacheOptions = {}): Promise<RedisCache> {
    const { Redis } = await import('ioredis');
    const make = () =>
      new Redis(url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: options.connectTimeoutMs ?? 2000,
        commandTimeout: options.commandTimeoutMs ?? 1000,
        enableAutoPipelining: true,
        keepAlive: 30_000,
        ...options.redis,
      });
    return new RedisCache(make, options.defaultTtlSeconds ?? 3600);
  }

  async get(key: string): Promise<string | undefined> {
    await this.#ready();
    return (await this.#client.get(key)) ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    await this.#ready();
    return (await this.#client.mget(...keys)).map((v) => v ?? undefined);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    await this.#ready();
    await this.#client.set(key, value, 'EX', ttl(ttlSeconds ?? this.#defaultTtl));
  }

  async setMany(entries: readonly { key: string; value: string }[], ttlSeconds?: number): Promise<void> {
    if (entries.length === 0) return;
    await this.#ready();
    const seconds = ttl(ttlSeconds ?? this.#defaultTtl);
    const pipeline = this.#client.pipeline();
    for (const e of entries) pipeline.set(e.key, e.value, 'EX', seconds);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async delete(key: string): Promise<void> {
    await this.#ready();
    await this.#client.del(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#ready();
    await this.#client.del(...keys);
  }

  async ping(): Promise<boolean> {
    try {
      await this.#ready();
      return (await this.#client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Drops the connection without closing the cache: the next command reconnects. */
  /**
   * Abandons the connection (a hung server: connected but silent) for a new client: the next
   * command connects afresh. ioredis's own disconnect only half-closes a socket whose peer
   * never reads, so the socket is destroyed outright.
   */
  reset(): void {
    if (this.#closed) return;
    const old = this.#client;
    this.#connecting = undefined;
    this.#client = this.#fresh();
    old.disconnect(false);
    old.stream?.destroy();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#client.status === 'ready') await this.#client.quit();
    } catch {
      // Closing a cache never fails a shutdown.
    } finally {
      this.#client.disconnect(false);
    }
  }

  /** Connects on first use and after a lost connection; concurrent callers share one attempt. */
  async #ready(): Promise<void> {
    if (this.#closed) throw new Error('the Redis cache is closed');
    const status = this.#client.status;
    if (status === 'ready') return;
    if (!this.#connecting) {
      // Only this class starts connections (lazyConnect, no retry loop), so "connecting"
      // without a pending attempt of ours does not happen; fail fast rather than wait on it.
      if (status === 'connecting' || status === 'connect') throw new Error('Redis is still connecting');
      const attempt: Promise<void> = this.#client.connect().finally(() => {
        if (this.#connecting === attempt) this.#connecting = undefined;
      });
      this.#connecting = attempt;
    }
    await this.#connecting;
  }
}

/** Redis wants a positive integer number of seconds. */
function ttl(seconds: number): number {
  return Math.max(1, Math.ceil(seconds));
}
