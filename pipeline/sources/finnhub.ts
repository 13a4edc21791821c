import type { WatchTicker } from '../../config/sources';
import { isRecord, parseJsonBody, shapeOf } from './content';
import { redactUrl } from './http';
import {
  type FetchContext,
  type NewsSource,
  RateLimitedError,
  type RawItem,
  SourceError,
  type SourcePage,
} from './types';

export interface FinnhubOptions {
  name?: string;
  apiKey: string;
  tickers: WatchTicker[];
  baseUrl?: string;
  /** How far back to reach when there is no watermark. */
  lookbackDays: number;
}

const DAY_MS = 86_400_000;

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** One Finnhub company-news object as an item; wrong field types are left for validation to judge. */
export function finnhubItem(row: unknown, ticker: string): RawItem {
  const r = isRecord(row) ? row : {};
  const related = typeof r.related === 'string' ? r.related.split(',').map((t) => t.trim()) : [];
  return {
    itemKey: r.id === undefined || r.id === null ? undefined : String(r.id),
    url: r.url,
    headline: r.headline,
    summary: r.summary,
    publishedAt: r.datetime,
    tickers: [ticker, ...related.filter(Boolean)],
    raw: row,
  };
}

/**
 * Finnhub `GET /api/v1/company-news?symbol=AAPL&from=2024-05-01&to=2024-05-02`, one request per
 * watchlist ticker; the key travels in the `X-Finnhub-Token` header, never in the URL. The API
 * filters by whole days, so the collector drops what the watermark already covers.
 */
export class FinnhubSource implements NewsSource {
  readonly kind = 'finnhub';
  readonly name: string;
  readonly #o: FinnhubOptions;

  constructor(options: FinnhubOptions) {
    this.name = options.name ?? 'finnhub';
    this.#o = options;
  }

  async *fetch(ctx: FetchContext): AsyncIterable<SourcePage> {
    const base = this.#o.baseUrl ?? 'https://finnhub.io';
    const from = ctx.since ?? new Date(ctx.now.getTime() - this.#o.lookbackDays * DAY_MS);
    for (const { symbol } of this.#o.tickers) {
      const url = new URL('/api/v1/company-news', base);
      url.searchParams.set('symbol', symbol);
      url.searchParams.set('from', isoDate(from));
      url.searchParams.set('to', isoDate(ctx.now));
      const shown = redactUrl(url.toString());
      try {
        const res = await ctx.http.get({
          url: url.toString(),
          accept: 'application/json',
          headers: { 'x-finnhub-token': this.#o.apiKey },
          signal: ctx.signal,
        });
        const body = parseJsonBody(this.name, res);
        if (isRecord(body) && typeof body.error === 'string') {
          const limited = /limit/i.test(body.error);
          const message = `${this.name}: ${shown} answered with an error: ${body.error}`;
          if (limited) throw new RateLimitedError(message, { source: this.name, input: shown });
          throw new SourceError(`${message} (check FINNHUB_API_KEY)`, { source: this.name, input: shown });
        }
        if (!Array.isArray(body)) {
          throw new SourceError(
            `${this.name}: ${shown} should return a JSON array of news objects, got ${shapeOf(body)}`,
            { source: this.name, input: shown },
            { excerpt: JSON.stringify(body).slice(0, 300) },
          );
        }
        yield { items: body.map((row) => finnhubItem(row, symbol)), label: `${symbol}` };
      } catch (error) {
        if (ctx.signal?.aborted || error instanceof RateLimitedError) throw error;
        if (!(error instanceof SourceError)) throw error;
        yield { items: [], label: symbol, error };
      }
    }
  }
}
