import type { WatchTicker } from '../../config/sources';
import { FeedParseError, parseFeed } from './feed-parse';
import { redactUrl } from './http';
import { type FetchContext, type NewsSource, RateLimitedError, SourceError, type SourcePage } from './types';

export interface FeedSourceOptions {
  name: string;
  urls: string[];
  /** One request per watchlist ticker, `{ticker}` replaced by the symbol. */
  urlTemplate?: string;
  tickers: WatchTicker[];
}

const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1';

/**
 * RSS 2.0 / RSS 1.0 / Atom from a list of URLs (SEC EDGAR's current filings, Yahoo Finance's
 * per-ticker headlines, press-release wires). Feeds cannot filter by time, so every document is
 * read whole and the collector drops what is older than the watermark.
 *
 * @example
 * new FeedSource({ name: 'yahoo', urls: [], tickers: [{ symbol: 'AAPL' }],
 *   urlTemplate: 'https://feeds.finance.yahoo.com/rss/2.0/headline?s={ticker}&region=US&lang=en-US' })
 */
export class FeedSource implements NewsSource {
  readonly kind = 'feed';
  readonly name: string;
  readonly #options: FeedSourceOptions;
  readonly #byCik: Map<string, string>;

  constructor(options: FeedSourceOptions) {
    this.name = options.name;
    this.#options = options;
    this.#byCik = new Map(options.tickers.filter((t) => t.cik).map((t) => [t.cik as string, t.symbol]));
  }

  targets(): { url: string; ticker?: string }[] {
    const out: { url: string; ticker?: string }[] = this.#options.urls.map((url) => ({ url }));
    const template = this.#options.urlTemplate;
    if (template) {
      for (const t of this.#options.tickers) {
        out.push({ url: template.replaceAll('{ticker}', encodeURIComponent(t.symbol)), ticker: t.symbol });
      }
    }
    return out;
  }

  async *fetch(ctx: FetchContext): AsyncIterable<SourcePage> {
    for (const target of this.targets()) {
      const shown = redactUrl(target.url);
      try {
        const res = await ctx.http.get({ url: target.url, accept: FEED_ACCEPT, signal: ctx.signal });
        let feed: ReturnType<typeof parseFeed>;
        try {
          feed = parseFeed(res.text(), res.url, res.contentType);
        } catch (error) {
          if (!(error instanceof FeedParseError)) throw error;
          throw new SourceError(
            `${this.name}: ${shown} ${error.message}`,
            {
              action: `parsing ${this.name}`,
              input: shown,
              source: this.name,
            },
            { excerpt: error.excerpt },
          );
        }
        const items = feed.items.map((item) => {
          const tickers = new Set(Array.isArray(item.tickers) ? (item.tickers as string[]) : []);
          if (target.ticker) tickers.add(target.ticker);
          // EDGAR titles carry the filer's CIK: "8-K - Apple Inc. (0000320193) (Filer)".
          const cik = typeof item.headline === 'string' ? /\((\d{10})\)/.exec(item.headline)?.[1] : undefined;
          const fromCik = cik ? this.#byCik.get(cik) : undefined;
          if (fromCik) tickers.add(fromCik);
          return { ...item, tickers: [...tickers], language: item.language ?? feed.language };
        });
        yield { items, label: shown };
      } catch (error) {
        // Rate limits apply to the whole host: asking the next URL would only make it worse.
        if (ctx.signal?.aborted || error instanceof RateLimitedError) throw error;
        const failure =
          error instanceof SourceError
            ? error
            : new SourceError(`${this.name}: ${shown} failed: ${(error as Error).message}`, {
                source: this.name,
                input: shown,
              });
        yield { items: [], label: shown, error: failure };
      }
    }
  }
}
