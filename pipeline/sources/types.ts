import { type ErrorContext, FinsentError } from '../../lib/errors';
import type { HttpClient } from './http';

/**
 * One item as a source delivered it, mapped loosely onto article fields. Values stay `unknown`
 * because feeds and APIs lie about their shapes: normalisation turns them into an article or
 * into quarantine reasons, never into a crash.
 */
export interface RawItem {
  /** The source's own identity for the item (guid, API id, accession number, URL). */
  itemKey?: string;
  url?: unknown;
  headline?: unknown;
  summary?: unknown;
  /** Tickers the source itself attached (the request's ticker, API `related` fields). */
  tickers?: unknown;
  publishedAt?: unknown;
  /** Language the source declared (RSS `<language>`, `xml:lang`), if any. */
  language?: unknown;
  /** The whole payload, kept verbatim in raw_data.raw. */
  raw: unknown;
}

/** Something a source could not turn into an item (a bad JSONL line): quarantined as is. */
export interface RejectedItem {
  itemKey: string;
  reason: string;
  raw: unknown;
}

export interface SourcePage {
  items: RawItem[];
  rejected?: RejectedItem[];
  /**
   * For sources that page oldest-first: every item published at or before this instant has now
   * been delivered, so the watermark may advance to it as soon as this page is stored.
   */
  checkpoint?: Date;
  /** True on the last page when pagination stopped at max_pages with more left. */
  truncated?: boolean;
  /** What this page was (a URL without its key, a ticker) for progress lines. */
  label?: string;
  /**
   * One request of several failed (one ticker's feed of eight): the source goes on with the
   * others, the run reports the source as partial and its watermark stays where it was.
   */
  error?: SourceError;
}

export interface FetchContext {
  /** Only items published after this are wanted (server-side when the API can filter). */
  since: Date | undefined;
  now: Date;
  http: HttpClient;
  signal?: AbortSignal;
}

/**
 * A news source. `fetch` yields pages as they arrive so the collector can store each one before
 * asking for the next: a crash loses at most the page in flight.
 *
 * @example
 * for await (const page of source.fetch({ since, now: new Date(), http })) store(page.items);
 */
export interface NewsSource {
  readonly name: string;
  readonly kind: string;
  fetch(ctx: FetchContext): AsyncIterable<SourcePage>;
}

/** A source answered with something unusable (HTTP error, HTML page, malformed XML, bad shape). */
export class SourceError extends FinsentError {
  /** What came back, shortened, for the quarantine record of the response. */
  readonly excerpt: string | undefined;
  readonly retryable: boolean;

  constructor(
    message: string,
    context: ErrorContext = {},
    options: { cause?: unknown; excerpt?: string; retryable?: boolean } = {},
  ) {
    super('SOURCE_ERROR', message, context, { cause: options.cause });
    this.excerpt = options.excerpt;
    this.retryable = options.retryable ?? false;
  }
}

/** The source said "slow down" (429 with a long Retry-After, Alpha Vantage's Note, a spent quota). */
export class RateLimitedError extends SourceError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, context: ErrorContext = {}, retryAfterMs?: number, excerpt?: string) {
    super(message, context, { excerpt });
    this.retryAfterMs = retryAfterMs;
  }
}
