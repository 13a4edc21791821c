import { cacheKeys, readThroughJson, TICKER_FEATURES_TTL_SECONDS } from '../cache/keys';
import type { Cache } from '../cache/types';
import {
  type LatestFeaturesOptions,
  latestFeatures,
  parseTicker,
  type TickerFeatures,
} from '../store/ticker-features';
import type { Db } from '../store/types';

/**
 * `latestFeatures` through the cache, for serving: cached for TICKER_FEATURES_TTL_SECONDS (60 s)
 * and dropped by the featurize stage when the ticker gets new scores. A historical `asOf`
 * bypasses the cache. Give it a `resilientCache` (openCache does) and a cache outage only means
 * every call reads the store.
 *
 * @example
 * const { features, cacheHit } = await cachedLatestFeatures(db, cache, 'AAPL', { model: 'finbert' });
 * // features?.featuresCount → 15 (the API's features_count), cacheHit → false then true
 */
export async function cachedLatestFeatures(
  db: Db,
  cache: Cache,
  ticker: string,
  options: Omit<LatestFeaturesOptions, 'asOf'> & { asOf?: Date } = {},
): Promise<{ features: TickerFeatures | undefined; cacheHit: boolean }> {
  if (options.asOf) return { features: await latestFeatures(db, ticker, options), cacheHit: false };
  const symbol = parseTicker(ticker);
  const key = cacheKeys.tickerFeatures(symbol, options.model, options.version);
  // `undefined` (no news for the ticker) is not cached: the first article must show at once.
  const { value, hit } = await readThroughJson(cache, key, TICKER_FEATURES_TTL_SECONDS, () =>
    latestFeatures(db, symbol, options),
  );
  return { features: value, cacheHit: hit };
}
