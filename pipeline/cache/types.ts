/**
 * The cache seam: in-process memory by default, Redis over TCP (ioredis) when REDIS_URL is set,
 * Upstash's REST API when UPSTASH_REDIS_REST_URL/TOKEN are set. Values are strings (callers
 * serialise), so every backend stores exactly the same bytes.
 *
 * A cache is an optimisation: callers treat any thrown error as a miss, never as a failure.
 */
export interface Cache {
  readonly kind: 'memory' | 'redis' | 'upstash';
  get(key: string): Promise<string | undefined>;
  /** Many keys in one round trip; the result is aligned with `keys`. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** `ttlSeconds` undefined means the backend's default expiry. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  setMany(entries: readonly { key: string; value: string }[], ttlSeconds?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Several keys in one round trip. Optional: use `deleteKeys()` (./keys) to call it either way. */
  deleteMany?(keys: readonly string[]): Promise<void>;
  /** True when the backend answers right now (health checks). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
