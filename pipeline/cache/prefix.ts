import type { Cache } from './types';

/**
 * Puts every key under `prefix` (e.g. `finsent:`), so one Redis can serve several apps or
 * environments and `SCAN finsent:*` shows exactly finsent's keys.
 *
 * @example
 * const cache = prefixedCache(new MemoryCache(), 'finsent:staging:');
 */
export function prefixedCache(inner: Cache, prefix: string): Cache {
  if (prefix === '') return inner;
  const k = (key: string) => prefix + key;
  return {
    kind: inner.kind,
    get: (key) => inner.get(k(key)),
    getMany: (keys) => inner.getMany(keys.map(k)),
    set: (key, value, ttl) => inner.set(k(key), value, ttl),
    setMany: (entries, ttl) =>
      inner.setMany(
        entries.map((e) => ({ key: k(e.key), value: e.value })),
        ttl,
      ),
    delete: (key) => inner.delete(k(key)),
    deleteMany: (keys) =>
      inner.deleteMany
        ? inner.deleteMany(keys.map(k))
        : Promise.all(keys.map((key) => inner.delete(k(key)))).then(() => {}),
    ping: () => inner.ping(),
    close: () => inner.close(),
    // Keep the lazy-reconnect hook reachable through the wrapper (resilientCache calls it).
    ...('reset' in inner ? { reset: () => (inner as { reset: () => void }).reset() } : {}),
  } as Cache;
}
