import type { Cache } from './types';

/** A served prediction for one text under one model version (the original design's 1 h). */
export const PREDICTION_TTL_SECONDS = 60 * 60;
/** The features of one text under one model version: immutable, kept a day (original design). */
export const FEATURES_TTL_SECONDS = 24 * 60 * 60;
/**
 * Per-ticker rolling aggregates slide with the clock, so they are kept only a minute (and
 * dropped as soon as the featurize stage writes new scores for the ticker). See docs/cache.md.
 */
export const TICKER_FEATURES_TTL_SECONDS = 60;
/** Every key finsent writes starts with this, so one Redis can be shared and inspected safely. */
export const DEFAULT_CACHE_PREFIX = 'finsent:';

/** Bumped when a cached value's shape changes: old entries are then simply never read again. */
const SCHEMA = 'v1';
const part = (s: string) => encodeURIComponent(s);

/** Key builders (without the prefix, which the cache adds). */
export const cacheKeys = {
  prediction: (model: string, version: string, textHash: string) =>
    `${SCHEMA}:prediction:${part(model)}:${part(version)}:${textHash}`,
  features: (model: string, version: string, textHash: string) =>
    `${SCHEMA}:features:${part(model)}:${part(version)}:${textHash}`,
  /** `model`/`version` left out mean "whichever scored the newest article". */
  tickerFeatures: (ticker: string, model?: string, version?: string) =>
    `${SCHEMA}:ticker:${part(ticker)}:${part(model ?? '*')}:${part(version ?? '*')}`,
};

/** Deletes keys in one round trip where the backend can, one by one otherwise. */
export async function deleteKeys(cache: Cache, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  if (cache.deleteMany) {
    await cache.deleteMany(keys);
    return;
  }
  await Promise.all(keys.map((k) => cache.delete(k)));
}

/**
 * Read-through for JSON values: a hit is parsed, a miss (or an unparseable entry) is loaded and
 * written back. Cache errors are the caller's cache's business: wrap it in `resilientCache`.
 *
 * @example
 * const f = await readThroughJson(cache, cacheKeys.tickerFeatures('AAPL'), TICKER_FEATURES_TTL_SECONDS,
 *   () => latestFeatures(db, 'AAPL'));
 */
export async function readThroughJson<T>(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<T>,
): Promise<{ value: T; hit: boolean }> {
  const cached = await cache.get(key);
  if (cached !== undefined) {
    try {
      return { value: JSON.parse(cached) as T, hit: true };
    } catch {
      // A corrupt or foreign entry is a miss; the write below replaces it.
    }
  }
  const value = await load();
  if (value !== undefined) await cache.set(key, JSON.stringify(value), ttlSeconds);
  return { value, hit: false };
}
