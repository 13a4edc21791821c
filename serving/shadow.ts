import { describeError } from '../lib/errors';
import type { ServingMetrics } from './metrics';
import type { Predictor } from './predictor';

export interface ShadowJob {
  keys: readonly string[];
  texts: readonly string[];
  requestId: string;
  ticker?: string | null;
}

/**
 * Scores shadow models AFTER the response has its answer: `submit()` only queues (O(1)), a
 * worker drains the queue one job at a time on later turns of the event loop, and every
 * failure stays here (counted and reported, never reaching a client). A full queue drops the
 * job and counts it: shadow traffic is a sample, live traffic is not.
 */
export class ShadowRunner {
  readonly #predictor: Predictor;
  readonly #metrics: ServingMetrics;
  readonly #maxQueue: number;
  readonly #onError: ((e: { key: string; error: string }) => void) | undefined;
  readonly #queue: ShadowJob[] = [];
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(
    predictor: Predictor,
    metrics: ServingMetrics,
    options: { maxQueue?: number; onError?: (e: { key: string; error: string }) => void } = {},
  ) {
    this.#predictor = predictor;
    this.#metrics = metrics;
    this.#maxQueue = options.maxQueue ?? 1000;
    this.#onError = options.onError;
  }

  get depth(): number {
    return this.#queue.length;
  }

  submit(job: ShadowJob): void {
    if (this.#stopped || job.keys.length === 0) return;
    if (this.#queue.length >= this.#maxQueue) {
      this.#metrics.shadowDropped.inc();
      return;
    }
    this.#queue.push(job);
    this.#metrics.shadowQueueDepth.set(this.#queue.length);
    this.#running ??= this.#work().finally(() => {
      this.#running = null;
    });
  }

  /** Resolves when the queue is empty (tests; shutdown lets queued shadow work finish). */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops taking jobs; what is queued still runs (see drain). */
  stop(): void {
    this.#stopped = true;
  }

  async #work(): Promise<void> {
    // Yield first: the request that submitted this job sends its response before any shadow work.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
      this.#metrics.shadowQueueDepth.set(this.#queue.length);
      for (const key of job.keys) {
        try {
          await this.#predictor.predict({
            key,
            texts: job.texts,
            arm: 'shadow',
            route: 'shadow',
            requestId: job.requestId,
            ticker: job.ticker ?? null,
            shadow: true,
          });
        } catch (error) {
          this.#onError?.({ key, error: describeError(error) });
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
