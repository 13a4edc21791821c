/** Sleeps `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Spaces requests evenly: at most `requests` per `perSeconds`, one slot every
 * `perSeconds / requests`. Even spacing (rather than a bursty token bucket) is what SEC's
 * "10 requests per second" and Polygon's "5 per minute" mean in practice.
 *
 * @example
 * const limiter = new RateLimiter({ requests: 10, perSeconds: 1 });
 * await limiter.acquire(); // returns at once, the next call waits 100 ms
 */
export class RateLimiter {
  readonly intervalMs: number;
  #next = 0;
  readonly #now: () => number;
  readonly #sleep: Sleep;

  constructor(options: { requests: number; perSeconds: number; now?: () => number; sleep?: Sleep }) {
    this.intervalMs = (options.perSeconds * 1000) / options.requests;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? sleep;
  }

  /** Waits for the next free slot; returns how long it waited (ms). */
  async acquire(signal?: AbortSignal): Promise<number> {
    const now = this.#now();
    const slot = Math.max(now, this.#next);
    this.#next = slot + this.intervalMs;
    const wait = slot - now;
    if (wait > 0) await this.#sleep(wait, signal);
    return wait;
  }
}
