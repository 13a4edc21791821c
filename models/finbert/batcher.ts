import { FinsentError } from '../../lib/errors';

/** Timers the batcher uses; tests pass a fake clock. */
export interface BatcherClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: BatcherClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface MicroBatcherOptions<I, O> {
  /** One call for many items; must return one output per input, in order. */
  run(items: readonly I[]): Promise<readonly O[]>;
  /** Items per call (default 32). */
  maxBatchSize?: number;
  /** Longest time the first item of a batch waits for company (default 5 ms). */
  maxWaitMs?: number;
  /** Items allowed to wait; beyond it submissions fail with OVERLOADED (default 1024). */
  maxQueue?: number;
  /** Calls in flight at once (default 1: an ONNX session already uses every core). */
  concurrency?: number;
  /** On a failed call, retry halves so one bad item fails alone (default true). */
  isolateFailures?: boolean;
  /** Named in the overload message, e.g. "finbert". */
  name?: string;
  clock?: BatcherClock;
}

export interface BatcherStats {
  submitted: number;
  batches: number;
  rejected: number;
  failedItems: number;
  waiting: number;
  inFlight: number;
  /** Mean items per call since creation. */
  meanBatchSize: number;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/** The queue is full: the caller should retry later (HTTP 503) rather than wait without bound. */
export class OverloadedError extends FinsentError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('OVERLOADED', message, context);
  }
}

/**
 * Adaptive micro-batching for a batch-first model, after BentoML's adaptive batching: concurrent
 * callers' items are gathered into one call. A batch goes as soon as it is full, as soon as the
 * model is free after a call (items queued during it have already waited), or when its first
 * item has waited long enough. "Long enough" adapts to the arrival rate: with dense traffic (items
 * arriving closer together than `maxWaitMs`) up to `maxWaitMs`; with sparse traffic only until the
 * next turn of the event loop, which collects a same-tick burst without making a lone request wait.
 *
 * @example
 *   const batcher = new MicroBatcher({ run: (texts) => model.predict(texts), maxBatchSize: 32 });
 *   const [a, b] = await Promise.all([batcher.submit('Shares rose'), batcher.submit('Profit fell')]);
 */
export class MicroBatcher<I, O> {
  readonly #run: (items: readonly I[]) => Promise<readonly O[]>;
  readonly #maxBatch: number;
  readonly #maxWait: number;
  readonly #maxQueue: number;
  readonly #concurrency: number;
  readonly #isolate: boolean;
  readonly #name: string;
  readonly #clock: BatcherClock;
  #queue: Pending<I, O>[] = [];
  #inFlight = 0;
  #timer: unknown;
  #lastArrival: number | undefined;
  /** Smoothed gap between arrivals, ms; starts "sparse" so an idle model answers a lone item at once. */
  #gap: number;
  #closed = false;
  #stats = { submitted: 0, batches: 0, rejected: 0, failedItems: 0, items: 0 };

  constructor(options: MicroBatcherOptions<I, O>) {
    this.#run = options.run;
    this.#maxBatch = options.maxBatchSize ?? 32;
    this.#maxWait = options.maxWaitMs ?? 5;
    this.#maxQueue = options.maxQueue ?? 1024;
    this.#concurrency = options.concurrency ?? 1;
    this.#isolate = options.isolateFailures ?? true;
    this.#name = options.name ?? 'model';
    this.#clock = options.clock ?? systemClock;
    this.#gap = this.#maxWait;
    if (
      !(
        this.#maxBatch >= 1 &&
        this.#maxQueue >= this.#maxBatch &&
        this.#concurrency >= 1 &&
        this.#maxWait >= 0
      )
    ) {
      throw new RangeError(
        'MicroBatcher needs maxBatchSize ≥ 1, maxQueue ≥ maxBatchSize, concurrency ≥ 1, maxWaitMs ≥ 0',
      );
    }
  }

  /** One item; resolves with its own output, or rejects with its own error. */
  submit(item: I): Promise<O> {
    return this.submitMany([item]).then((out) => out[0]!);
  }

  /**
   * Several items admitted together (all or none), e.g. one predict() call's texts. More than
   * `maxQueue` items at once is a caller error; a full queue is OVERLOADED.
   */
  submitMany(items: readonly I[]): Promise<O[]> {
    if (this.#closed) return Promise.reject(new FinsentError('MODEL_UNAVAILABLE', `${this.#name} is closed`));
    if (items.length === 0) return Promise.resolve([]);
    if (items.length > this.#maxQueue) {
      return Promise.reject(
        new RangeError(
          `${items.length} items in one submission exceed the queue bound ${this.#maxQueue}; split them`,
        ),
      );
    }
    if (this.#queue.length + items.length > this.#maxQueue) {
      this.#stats.rejected += items.length;
      return Promise.reject(
        new OverloadedError(
          `${this.#name} is overloaded: ${this.#queue.length} requests already waiting (limit ${this.#maxQueue}); retry shortly`,
          { waiting: this.#queue.length, limit: this.#maxQueue },
        ),
      );
    }
    this.#noteArrival();
    this.#stats.submitted += items.length;
    const promises = items.map(
      (item) => new Promise<O>((resolve, reject) => this.#queue.push({ item, resolve, reject })),
    );
    this.#schedule();
    return Promise.all(promises);
  }

  stats(): BatcherStats {
    return {
      submitted: this.#stats.submitted,
      batches: this.#stats.batches,
      rejected: this.#stats.rejected,
      failedItems: this.#stats.failedItems,
      waiting: this.#queue.length,
      inFlight: this.#inFlight,
      meanBatchSize: this.#stats.batches === 0 ? 0 : this.#stats.items / this.#stats.batches,
    };
  }

  /** Stops accepting items; waiting ones fail with MODEL_UNAVAILABLE, calls in flight finish. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
    const error = new FinsentError('MODEL_UNAVAILABLE', `${this.#name} was closed before this request ran`);
    for (const p of this.#queue.splice(0)) p.reject(error);
  }

  #noteArrival(): void {
    const now = this.#clock.now();
    if (this.#lastArrival !== undefined) this.#gap = 0.8 * this.#gap + 0.2 * (now - this.#lastArrival);
    this.#lastArrival = now;
  }

  #schedule(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#concurrency) {
      if (this.#queue.length >= this.#maxBatch) {
        this.#dispatch();
        continue;
      }
      // Sparse traffic: go on the next turn of the event loop, which still gathers callers that
      // submitted in the same tick (a burst, or callers resubmitting as a call completes) at no
      // cost in latency. Dense traffic: wait up to maxWaitMs for the batch to fill.
      const sparse = this.#gap >= this.#maxWait;
      this.#armTimer(sparse ? 0 : this.#maxWait);
      return;
    }
  }

  #armTimer(delay: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#queue.length > 0 && this.#inFlight < this.#concurrency) this.#dispatch();
      this.#schedule();
    }, delay);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #dispatch(): void {
    this.#clearTimer();
    const batch = this.#queue.splice(0, this.#maxBatch);
    this.#inFlight++;
    this.#stats.batches++;
    this.#stats.items += batch.length;
    void this.#execute(batch).finally(() => {
      this.#inFlight--;
      if (!this.#closed || this.#queue.length > 0) this.#afterCall();
    });
  }

  /**
   * After a call the queue holds items that already waited through it: they go on the next turn of
   * the event loop (not later: they have waited enough; not sooner: the callers just answered are
   * resubmitting in this same tick, and belong in the same batch).
   */
  #afterCall(): void {
    if (this.#queue.length >= this.#maxBatch) this.#dispatch();
    if (this.#queue.length > 0 && this.#inFlight < this.#concurrency) this.#armTimer(0);
  }

  async #execute(batch: Pending<I, O>[]): Promise<void> {
    let outputs: readonly O[];
    try {
      outputs = await this.#run(batch.map((p) => p.item));
      if (outputs.length !== batch.length) {
        throw new Error(`${this.#name} returned ${outputs.length} outputs for ${batch.length} inputs`);
      }
    } catch (error) {
      if (this.#isolate && batch.length > 1) {
        // Bisect: the good halves succeed, and only the item(s) that fail alone see the error.
        const mid = Math.ceil(batch.length / 2);
        await this.#execute(batch.slice(0, mid));
        await this.#execute(batch.slice(mid));
        return;
      }
      this.#stats.failedItems += batch.length;
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      p.resolve(outputs[i]!);
    });
  }
}
