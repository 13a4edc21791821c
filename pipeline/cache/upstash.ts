import type { Redis as UpstashRedis } from '@upstash/redis';
import type { Cache } from './types';

export interface UpstashCacheOptions {
  defaultTtlSeconds?: number;
  /** Per-request limit (AbortSignal.timeout); a slower answer is an error. */
  requestTimeoutMs?: number;
  /**
   * `false` (default): results come back as plain JSON strings. finsent only stores UTF-8 JSON,
   * so base64 (Upstash's default, for binary-safe values) buys nothing and costs a decode.
   */
  responseEncoding?: false | 'base64';
}

/**
 * Upstash's REST API (@upstash/redis): one HTTPS request per call, so there is no connection to
 * lose; `setMany` goes through `/pipeline` in one request.
 *
 * The client is configured for plain strings in and out (`automaticDeserialization: false`;
 * callers serialise), no retries (a cache miss is cheaper than a retried request), no telemetry
 * headers, and a timeout on every request.
 */
export class UpstashCache implements Cache {
  readonly kind = 'upstash' as const;
  readonly #client: UpstashRedis;
  readonly #defaultTtl: number;

  private constructor(client: UpstashRedis, defaultTtl: number) {
    this.#client = client;
    this.#defaultTtl = defaultTtl;
  }

  /**
   * @example
   * const cache = await UpstashCache.open('https://eu1-x.upstash.io', process.env.UPSTASH_REDIS_REST_TOKEN!);
   */
  static async open(url: string, token: string, options: UpstashCacheOptions = {}): Promise<UpstashCache> {
    const { Redis } = await import('@upstash/redis');
    const timeout = options.requestTimeoutMs ?? 1000;
    const client = new Redis({
      url,
      token,
      automaticDeserialization: false,
      responseEncoding: options.responseEncoding ?? false,
      enableTelemetry: false,
      retry: { retries: 0 },
      // A function: a fresh signal per request (a static one would stay aborted).
      signal: () => AbortSignal.timeout(timeout),
      // Read-your-writes sync tokens matter for Upstash's global replicas, not for a cache.
      readYourWrites: false,
      // Concurrent calls (many API requests at once) share one HTTP request via /pipeline.
      enableAutoPipelining: true,
    });
    return new UpstashCache(client, options.defaultTtlSeconds ?? 3600);
  }

  async get(key: string): Promise<string | undefined> {
    return asString(await this.#client.get<string>(key));
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.#client.mget<(string | null)[]>(...keys);
    return values.map(asString);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    await this.#client.set(key, value, { ex: ttl(ttlSeconds ?? this.#defaultTtl) });
  }

  async setMany(entries: readonly { key: string; value: string }[], ttlSeconds?: number): Promise<void> {
    if (entries.length === 0) return;
    const seconds = ttl(ttlSeconds ?? this.#defaultTtl);
    const pipeline = this.#client.pipeline();
    for (const e of entries) pipeline.set(e.key, e.value, { ex: seconds });
    await pipeline.exec();
  }

  async delete(key: string): Promise<void> {
    await this.#client.del(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#client.del(...keys);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.#client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // Stateless HTTP: nothing to close.
  }
}

/** Upstash answers `null` for a missing key; anything not a string is not ours. */
function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function ttl(seconds: number): number {
  return Math.max(1, Math.ceil(seconds));
}
