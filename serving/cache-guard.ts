import { describeError } from '../lib/errors';
import type { Label, Prediction, Scores } from '../models/types';
import { isLabel } from '../models/types';
import type { Cache } from '../pipeline/cache/types';

export interface CacheGuardOptions {
  /** A lookup slower than this counts as a miss (and an error), so a sick cache cannot slow a request. */
  timeoutMs?: number;
  /** After an error the cache is skipped for this long, instead of every request paying the timeout. */
  cooldownMs?: number;
  ttlSeconds?: number;
  onError?: (event: { op: 'get' | 'set' | 'ping'; error: string }) => void;
  now?: () => number;
}

export interface CacheStatus {
  kind: Cache['kind'] | 'none';
  state: 'ok' | 'cooling-down' | 'disabled';
  errors: number;
  last_error: string | null;
}

/** What the cache holds for one text: the model's verdict without the model/version (they are in the key). */
type Cached = Pick<Prediction, 'label' | 'sentiment' | 'confidence' | 'scores'>;

/**
 * The prediction cache as the API uses it: keyed by model family, version and the hash of the
 * normalised text, and unable to fail a request. Every error or slow answer is a miss; after one,
 * the cache is skipped for `cooldownMs` (a small circuit breaker); writes are fire-and-forget.
 *
 *   const cache = new PredictionCache(new MemoryCache());
 *   await cache.lookup('vader', '1.2.0', [hash])   // → [undefined]  (a miss)
 */
export class PredictionCache {
  readonly #cache: Cache | undefined;
  readonly #timeoutMs: number;
  readonly #cooldownMs: number;
  readonly #ttl: number;
  readonly #onError: CacheGuardOptions['onError'];
  readonly #now: () => number;
  #skipUntil = 0;
  #errors = 0;
  #lastError: string | null = null;

  constructor(cache: Cache | undefined, options: CacheGuardOptions = {}) {
    this.#cache = cache;
    this.#timeoutMs = options.timeoutMs ?? 50;
    this.#cooldownMs = options.cooldownMs ?? 5000;
    this.#ttl = options.ttlSeconds ?? 24 * 3600;
    this.#onError = options.onError;
    this.#now = options.now ?? Date.now;
  }

  static key(family: string, version: string, hash: string): string {
    return `finsent:pred:v1:${family}@${version}:${hash}`;
  }

  /** Cached verdicts aligned with `hashes`, or undefined when the cache was not consulted. */
  async lookup(
    family: string,
    version: string,
    hashes: readonly string[],
  ): Promise<(Cached | undefined)[] | undefined> {
    const cache = this.#cache;
    if (!cache || this.#now() < this.#skipUntil) return undefined;
    const keys = hashes.map((h) => PredictionCache.key(family, version, h));
    try {
      // An in-process cache answers synchronously: no timer to pay for.
      const pending = cache.getMany(keys);
      const values = cache.kind === 'memory' ? await pending : await withTimeout(pending, this.#timeoutMs);
      if (!Array.isArray(values) || values.length !== keys.length)
        throw new Error('getMany returned a misaligned result');
      return values.map(decode);
    } catch (error) {
      this.#failed('get', error);
      return undefined;
    }
  }

  store(family: string, version: string, entries: readonly { hash: string; prediction: Cached }[]): void {
    const cache = this.#cache;
    if (!cache || entries.length === 0 || this.#now() < this.#skipUntil) return;
    const payload = entries.map((e) => ({
      key: PredictionCache.key(family, version, e.hash),
      value: encode(e.prediction),
    }));
    let pending: Promise<void>;
    try {
      pending = cache.setMany(payload, this.#ttl);
    } catch (error) {
      this.#failed('set', error);
      return;
    }
    pending.catch((error: unknown) => this.#failed('set', error));
  }

  async ping(): Promise<'ok' | 'down' | 'disabled'> {
    if (!this.#cache) return 'disabled';
    try {
      return (await withTimeout(this.#cache.ping(), Math.max(this.#timeoutMs, 500))) ? 'ok' : 'down';
    } catch (error) {
      this.#failed('ping', error);
      return 'down';
    }
  }

  status(): CacheStatus {
    return {
      kind: this.#cache?.kind ?? 'none',
      state: !this.#cache ? 'disabled' : this.#now() < this.#skipUntil ? 'cooling-down' : 'ok',
      errors: this.#errors,
      last_error: this.#lastError,
    };
  }

  #failed(op: 'get' | 'set' | 'ping', error: unknown): void {
    this.#errors += 1;
    this.#lastError = describeError(error);
    const wasHealthy = this.#now() >= this.#skipUntil;
    this.#skipUntil = this.#now() + this.#cooldownMs;
    // One report per cool-down, not one per request.
    if (wasHealthy) this.#onError?.({ op, error: this.#lastError });
  }
}

function encode(p: Cached): string {
  return JSON.stringify([
    p.label,
    p.sentiment,
    p.confidence,
    p.scores.positive,
    p.scores.negative,
    p.scores.neutral,
  ]);
}

/** A value that does not parse as a verdict (an old format, a foreign key) is a miss, not an error. */
function decode(value: string | undefined): Cached | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(value);
    if (!Array.isArray(v) || v.length !== 6 || !isLabel(v[0])) return undefined;
    const nums = v.slice(1) as unknown[];
    if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
    const [sentiment, confidence, positive, negative, neutral] = nums as number[];
    const scores: Scores = { positive: positive!, negative: negative!, neutral: neutral! };
    return { label: v[0] as Label, sentiment: sentiment!, confidence: confidence!, scores };
  } catch {
    return undefined;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
