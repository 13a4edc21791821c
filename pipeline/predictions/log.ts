import type { Db } from '../store/db';
import type { PredictionRecord } from './record';
import { insertPredictions } from './repository';

/** What the log tells its owner (the API logs these; library code never prints). */
export type PredictionLogEvent =
  | { type: 'dropped'; dropped: number; totalDropped: number; maxBuffered: number }
  | { type: 'flush-failed'; error: string; buffered: number; retryInMs: number }
  | { type: 'recovered'; written: number; outageMs: number; droppedDuringOutage: number }
  | { type: 'unflushed-at-stop'; remaining: number; error?: string };

export interface PredictionLogOptions {
  /** Rows per INSERT statement. */
  batchSize?: number;
  /** How often buffered rows are written when traffic is light. */
  flushIntervalMs?: number;
  /** The bound on rows held in memory while the store is slow or down. */
  maxBuffered?: number;
  /** Retry delay after a failed flush doubles from `flushIntervalMs` up to this. */
  maxBackoffMs?: number;
  /** While the buffer is full, one `dropped` event per this many milliseconds (a log line, not a flood). */
  dropReportIntervalMs?: number;
  /** How long stop() waits for the final flush before giving up on what is left. */
  stopTimeoutMs?: number;
  onEvent?: (event: PredictionLogEvent) => void;
  now?: () => number;
}

export interface PredictionLogStats {
  buffered: number;
  inFlight: number;
  written: number;
  dropped: number;
  failedFlushes: number;
  /** ISO time the current outage began; null when the last flush succeeded. */
  outageSince: string | null;
  lastError: string | null;
  lastFlushAt: string | null;
}

export const PREDICTION_LOG_DEFAULTS = {
  batchSize: 500,
  flushIntervalMs: 1000,
  maxBuffered: 50_000,
  maxBackoffMs: 30_000,
  dropReportIntervalMs: 10_000,
  stopTimeoutMs: 5000,
} as const;

/**
 * The prediction log's write path. `add()` is synchronous and O(1) so a response never waits on
 * the store; rows are written in batches by a timer. While the store is unreachable rows stay
 * buffered (up to `maxBuffered`) and a failed batch goes back to the front of the queue, so
 * nothing is lost to a short outage; beyond the bound NEW rows are dropped (O(1), and the rows
 * already held stay in time order), counted, and reported through `onEvent`.
 *
 *   const log = new PredictionLog(db, { onEvent: (e) => logger.warn(e) });
 *   log.start();
 *   log.add(record);           // returns at once
 *   await log.stop();          // final flush on shutdown
 */
export class PredictionLog {
  readonly #db: Db;
  readonly #opts: Required<Omit<PredictionLogOptions, 'onEvent'>> & Pick<PredictionLogOptions, 'onEvent'>;
  #buffer: PredictionRecord[] = [];
  #inFlight = 0;
  #written = 0;
  #dropped = 0;
  #droppedSinceReport = 0;
  #droppedInOutage = 0;
  #lastDropReport = Number.NEGATIVE_INFINITY;
  #failedFlushes = 0;
  #backoffMs = 0;
  #nextAttemptAt = 0;
  #outageSince: number | null = null;
  #lastError: string | null = null;
  #lastFlushAt: number | null = null;
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(db: Db, options: PredictionLogOptions = {}) {
    this.#db = db;
    this.#opts = { ...PREDICTION_LOG_DEFAULTS, now: Date.now, ...options };
  }

  /** Starts the flush timer (unref'd: it never keeps a process alive on its own). */
  start(): this {
    if (this.#timer || this.#stopped) return this;
    this.#timer = setInterval(() => void this.#tick(), this.#opts.flushIntervalMs);
    this.#timer.unref();
    return this;
  }

  /** Queues a row; never throws, never waits. */
  add(record: PredictionRecord): void {
    if (this.#buffer.length + this.#inFlight >= this.#opts.maxBuffered) {
      this.#dropped += 1;
      this.#droppedSinceReport += 1;
      if (this.#outageSince !== null) this.#droppedInOutage += 1;
      this.#reportDrops(false);
      return;
    }
    this.#buffer.push(record);
    // A full batch is written right away rather than waiting for the timer.
    if (this.#buffer.length === this.#opts.batchSize && this.#timer) setImmediate(() => void this.#tick());
  }

  get depth(): number {
    return this.#buffer.length + this.#inFlight;
  }

  stats(): PredictionLogStats {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return {
      buffered: this.#buffer.length,
      inFlight: this.#inFlight,
      written: this.#written,
      dropped: this.#dropped,
      failedFlushes: this.#failedFlushes,
      outageSince: iso(this.#outageSince),
      lastError: this.#lastError,
      lastFlushAt: iso(this.#lastFlushAt),
    };
  }

  /**
   * Writes everything buffered now, batch by batch, ignoring any retry back-off. Resolves true
   * when the store took every batch, false when it failed (the rows stay queued).
   */
  async flush(): Promise<boolean> {
    while (this.#flushing) await this.#flushing;
    const drained = this.#drain();
    this.#flushing = drained.then(() => {
      this.#flushing = null;
    });
    return drained;
  }

  /** Stops the timer and makes a last attempt (bounded by `timeoutMs`) to write what is left. */
  async stop(timeoutMs = this.#opts.stopTimeoutMs): Promise<{ remaining: number }> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timeout = setTimeout(resolve, timeoutMs);
      timeout.unref();
    });
    await Promise.race([this.flush(), timedOut]);
    clearTimeout(timeout);
    this.#reportDrops(true);
    const remaining = this.depth;
    if (remaining > 0) {
      this.#opts.onEvent?.({
        type: 'unflushed-at-stop',
        remaining,
        ...(this.#lastError ? { error: this.#lastError } : {}),
      });
    }
    return { remaining };
  }

  async #tick(): Promise<void> {
    this.#reportDrops(false);
    if (this.#flushing || this.#buffer.length === 0) return;
    if (this.#opts.now() < this.#nextAttemptAt) return;
    await this.flush();
  }

  async #drain(): Promise<boolean> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.splice(0, this.#opts.batchSize);
      this.#inFlight = batch.length;
      try {
        this.#written += await insertPredictions(this.#db, batch);
      } catch (error) {
        // Back to the front, in order: the next attempt retries exactly these rows first.
        this.#buffer = batch.concat(this.#buffer);
        this.#inFlight = 0;
        this.#failed(error);
        return false;
      }
      this.#inFlight = 0;
      this.#succeeded(batch.length);
      // Yield between batches: an embedded store (PGlite) runs on this thread, and a long drain
      // must not starve the requests waiting on the event loop.
      if (this.#buffer.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return true;
  }

  #succeeded(rows: number): void {
    const now = this.#opts.now();
    this.#lastFlushAt = now;
    this.#lastError = null;
    this.#backoffMs = 0;
    this.#nextAttemptAt = 0;
    if (this.#outageSince !== null) {
      this.#opts.onEvent?.({
        type: 'recovered',
        written: rows,
        outageMs: now - this.#outageSince,
        droppedDuringOutage: this.#droppedInOutage,
      });
      this.#outageSince = null;
      this.#droppedInOutage = 0;
    }
  }

  #failed(error: unknown): void {
    const now = this.#opts.now();
    this.#failedFlushes += 1;
    this.#lastError = error instanceof Error ? error.message : String(error);
    this.#outageSince ??= now;
    this.#backoffMs = Math.min(
      this.#opts.maxBackoffMs,
      this.#backoffMs === 0 ? this.#opts.flushIntervalMs : this.#backoffMs * 2,
    );
    this.#nextAttemptAt = now + this.#backoffMs;
    this.#opts.onEvent?.({
      type: 'flush-failed',
      error: this.#lastError,
      buffered: this.depth,
      retryInMs: this.#backoffMs,
    });
  }

  #reportDrops(force: boolean): void {
    if (this.#droppedSinceReport === 0) return;
    const now = this.#opts.now();
    if (!force && now - this.#lastDropReport < this.#opts.dropReportIntervalMs) return;
    this.#lastDropReport = now;
    this.#opts.onEvent?.({
      type: 'dropped',
      dropped: this.#droppedSinceReport,
      totalDropped: this.#dropped,
      maxBuffered: this.#opts.maxBuffered,
    });
    this.#droppedSinceReport = 0;
  }
}
