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

export interface AlphaVantageOptions {
  name?: string;
  apiKey: string;
  baseUrl?: string;
  lookbackDays: number;
  limit: number;
}

const DAY_MS = 86_400_000;
// Alpha Vantage's throttle answers are HTTP 200 with a "Note" or "Information" text such as
// "Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day...".
const THROTTLE =
  /rate limit|call frequency|requests per (day|minute)|premium|spreading out|higher API call volume/i;

/** `20240502T163000` (UTC, per the API's examples) as an ISO string; anything else is left as is. */
export function alphaVantageTime(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?$/.exec(value);
  if (!m) return value;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}Z`;
}

/** The API's `time_from` format: `20240502T1630`. */
function compactTime(d: Date): string {
  return d.toISOString().slice(0, 16).replace(/[-:]/g, '');
}

export function alphaVantageItem(row: unknown): RawItem {
  const r = isRecord(row) ? row : {};
  const tickers = Array.isArray(r.ticker_sentiment)
    ? r.ticker_sentiment
        .map((t) => (isRecord(t) && typeof t.ticker === 'string' ? t.ticker : ''))
        .filter(Boolean)
    : [];
  return {
    itemKey: typeof r.url === 'string' ? r.url : undefined,
    url: r.url,
    headline: r.title,
    summary: r.summary,
    publishedAt: alphaVantageTime(r.time_published),
    tickers,
    raw: row,
  };
}

/**
 * Alpha Vantage `NEWS_SENTIMENT`, market-wide, oldest first from the watermark (`sort=EARLIEST`,
 * `time_from`). Its `tickers` parameter means "articles mentioning ALL of these", so the
 * watchlist is not sent; each article comes back tagged with the tickers it mentions.
 */
export class AlphaVantageSource implements NewsSource {
  readonly kind = 'alphavantage';
  readonly name: string;
  readonly #o: AlphaVantageOptions;

  constructor(options: AlphaVantageOptions) {
    this.name = options.name ?? 'alphavantage';
    this.#o = options;
  }

  async *fetch(ctx: FetchContext): AsyncIterable<SourcePage> {
    const from = ctx.since ?? new Date(ctx.now.getTime() - this.#o.lookbackDays * DAY_MS);
    const url = new URL('/query', this.#o.baseUrl ?? 'https://www.alphavantage.co');
    url.searchParams.set('function', 'NEWS_SENTIMENT');
    url.searchParams.set('time_from', compactTime(from));
    url.searchParams.set('sort', 'EARLIEST');
    url.searchParams.set('limit', String(this.#o.limit));
    url.searchParams.set('apikey', this.#o.apiKey);
    const shown = redactUrl(url.toString());
    const ctxInfo = { source: this.name, input: shown };
    const res = await ctx.http.get({ url: url.toString(), accept: 'application/json', signal: ctx.signal });
    const body = parseJsonBody(this.name, res);
    if (!isRecord(body)) {
      throw new SourceError(
        `${this.name}: ${shown} should return a JSON object, got ${shapeOf(body)}`,
        ctxInfo,
      );
    }
    const notice = [body.Note, body.Information].find((v): v is string => typeof v === 'string');
    if (notice !== undefined && !Array.isArray(body.feed)) {
      if (THROTTLE.test(notice)) {
        throw new RateLimitedError(
          `${this.name}: throttled (HTTP 200 with a notice): ${notice.slice(0, 200)}`,
          ctxInfo,
          undefined,
          notice,
        );
      }
      throw new SourceError(`${this.name}: ${shown} answered: ${notice.slice(0, 300)}`, ctxInfo);
    }
    if (typeof body['Error Message'] === 'string') {
      throw new SourceError(
        `${this.name}: ${shown} answered an error: ${body['Error Message']} (check ALPHA_VANTAGE_API_KEY)`,
        ctxInfo,
      );
    }
    if (!Array.isArray(body.feed)) {
      throw new SourceError(
        `${this.name}: ${shown} should return {"feed": [...]}, got ${shapeOf(body)}`,
        ctxInfo,
        { excerpt: JSON.stringify(body).slice(0, 300) },
      );
    }
    const items = body.feed.map(alphaVantageItem);
    // Oldest first and complete up to the newest item returned, unless the page was full, in
    // which case the next run continues from the watermark this page sets.
    const newest = items
      .map((i) => (typeof i.publishedAt === 'string' ? Date.parse(i.publishedAt) : Number.NaN))
      .filter((t) => Number.isFinite(t) && t <= ctx.now.getTime())
      .reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    yield {
      items,
      label: 'NEWS_SENTIMENT',
      checkpoint: Number.isFinite(newest) ? new Date(newest) : undefined,
    };
  }
}
