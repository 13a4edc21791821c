import type { Cache } from './types';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * An in-process LRU cache with per-entry expiry: the embedded default. A Map keeps insertion
 * order, so re-inserting on read makes the first key the least recently used.
 */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #defaultTtlSeconds: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; defaultTtlSeconds?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 50_000;
    this.#defaultTtlSeconds = options.defaultTtlSeconds ?? 3600;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    return this.#read(key);
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((k) => this.#read(k));
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.#write(key, value, ttlSeconds);
  }

  async setMany(entries: readonly { key: string; value: string }[], ttlSeconds?: number): Promise<void> {
    for (const e of entries) this.#write(e.key, e.value, ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.#entries.delete(k);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }

  #read(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  #write(key: string, value: string, ttlSeconds?: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, {
      value,
      expiresAt: this.#now() + (ttlSeconds ?? this.#defaultTtlSeconds) * 1000,
    });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
