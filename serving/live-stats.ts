/** Live latency and throughput per model version, over a sliding window, for /models/performance. */
export interface LiveFigures {
  model: string;
  version: string;
  arm: string;
  window_s: number;
  requests: number;
  predictions: number;
  requests_per_s: number;
  predictions_per_s: number;
  cache_hit_rate: number;
  latency_ms: { p50: number; p95: number; p99: number; max: number };
}

interface Sample {
  at: number;
  ms: number;
  texts: number;
  hits: number;
}

/**
 * A bounded ring of recent requests per (model, version, arm). Recording is O(1); percentiles
 * are computed when /models/performance asks, over the samples inside the window.
 */
export class LiveStats {
  readonly #series = new Map<
    string,
    { model: string; version: string; arm: string; ring: Sample[]; next: number }
  >();
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(options: { capacity?: number; now?: () => number } = {}) {
    this.#capacity = options.capacity ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  record(model: string, version: string, arm: string, ms: number, texts: number, hits: number): void {
    const key = `${model}\u0000${version}\u0000${arm}`;
    let s = this.#series.get(key);
    if (!s) {
      s = { model, version, arm, ring: [], next: 0 };
      this.#series.set(key, s);
    }
    const sample = { at: this.#now(), ms, texts, hits };
    if (s.ring.length < this.#capacity) s.ring.push(sample);
    else s.ring[s.next] = sample;
    s.next = (s.next + 1) % this.#capacity;
  }

  figures(windowS: number, model?: string): LiveFigures[] {
    const since = this.#now() - windowS * 1000;
    const out: LiveFigures[] = [];
    for (const s of this.#series.values()) {
      if (model && s.model !== model) continue;
      const recent = s.ring.filter((x) => x.at >= since);
      if (recent.length === 0) continue;
      const ms = recent.map((x) => x.ms).sort((a, b) => a - b);
      const texts = recent.reduce((n, x) => n + x.texts, 0);
      const hits = recent.reduce((n, x) => n + x.hits, 0);
      // Throughput over the span actually covered, so a ring that holds less than the window is not diluted.
      const span = Math.max(1, Math.min(windowS, (this.#now() - recent[0]!.at) / 1000));
      out.push({
        model: s.model,
        version: s.version,
        arm: s.arm,
        window_s: windowS,
        requests: recent.length,
        predictions: texts,
        requests_per_s: round(recent.length / span),
        predictions_per_s: round(texts / span),
        cache_hit_rate: round(texts === 0 ? 0 : hits / texts),
        latency_ms: {
          p50: quantile(ms, 0.5),
          p95: quantile(ms, 0.95),
          p99: quantile(ms, 0.99),
          max: round(ms[ms.length - 1]!),
        },
      });
    }
    return out;
  }
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return round(sorted[i]!);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
