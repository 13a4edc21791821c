import { afterEach, describe, expect, it } from 'vitest';
import { normaliseItem } from '../pipeline/normalise/article';
import { AlphaVantageSource } from '../pipeline/sources/alphavantage';
import { FinnhubSource } from '../pipeline/sources/finnhub';
import { HttpClient } from '../pipeline/sources/http';
import { PolygonSource } from '../pipeline/sources/polygon';
import { type NewsSource, RateLimitedError, type SourcePage } from '../pipeline/sources/types';
import {
  type FixtureServer,
  fixture,
  loopbackFetch,
  type Reply,
  serveFixtures,
} from './fixtures/sources/server';

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const NOW = new Date('2024-05-03T00:00:00Z');
const json = (name: string): Reply => ({
  headers: { 'content-type': 'application/json' },
  body: fixture(name).toString('utf8'),
});

async function collect(source: NewsSource, since?: Date): Promise<SourcePage[]> {
  const http = new HttpClient({
    source: source.name,
    userAgent: 'finsent-tests/1.0 (tests@example.com)',
    timeoutMs: 2000,
    retries: 0,
    backoffMs: 1,
    maxBackoffMs: 1,
    maxRetryAfterMs: 1000,
    maxBodyBytes: 1 << 20,
    fetch: loopbackFetch,
  });
  const out: SourcePage[] = [];
  for await (const p of source.fetch({ since, now: NOW, http })) out.push(p);
  return out;
}

describe('Finnhub company-news', () => {
  it('asks per ticker with the key in a header and maps the recorded answer', async () => {
    server = await serveFixtures({ '/api/v1/company-news': json('finnhub-company-news-aapl.json') });
    const source = new FinnhubSource({
      apiKey: 'FH-KEY',
      tickers: [{ symbol: 'AAPL' }],
      baseUrl: server.url,
      lookbackDays: 3,
    });
    const [page] = await collect(source, new Date('2024-05-01T12:00:00Z'));
    const req = server.requests[0];
    expect(req?.path).toBe('/api/v1/company-news?symbol=AAPL&from=2024-05-01&to=2024-05-03');
    expect(req?.headers['x-finnhub-token']).toBe('FH-KEY');
    const items = (page?.items ?? []).map((i) => normaliseItem(i, 'finnhub', NOW));
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ itemKey: '127465102', tickers: ['AAPL'] });
    expect(items[0]?.publishedAt?.toISOString()).toBe('2024-05-02T20:31:00.000Z');
    expect(items[1]?.headline).toBe("Apple's buyback is the largest in U.S. history");
    expect(items[2]?.tickers).toEqual(['AAPL', 'MSFT']);
  });

  it('reports a wrong JSON shape or an HTML page for one ticker and goes on with the next', async () => {
    server = await serveFixtures({
      '/api/v1/company-news': [
        { headers: { 'content-type': 'application/json' }, body: '{"data": {"items": []}}' },
        { headers: { 'content-type': 'text/html' }, body: fixture('html-error-page.html') },
        json('finnhub-company-news-aapl.json'),
      ],
    });
    const source = new FinnhubSource({
      apiKey: 'k',
      tickers: [{ symbol: 'AAPL' }, { symbol: 'MSFT' }, { symbol: 'NVDA' }],
      baseUrl: server.url,
      lookbackDays: 1,
    });
    const pages = await collect(source);
    expect(pages[0]?.error?.message).toMatch(
      /should return a JSON array of news objects, got an object with keys data/,
    );
    expect(pages[1]?.error?.message).toMatch(
      /returned an HTML page \("503 Service Temporarily Unavailable"\) instead of JSON/,
    );
    expect(pages[2]?.items).toHaveLength(3);
  });

  it('treats the API-limit error body as rate limiting', async () => {
    server = await serveFixtures({
      '/api/v1/company-news': {
        body: '{"error":"API limit reached. Please try again later. Remaining Limit: 0"}',
      },
    });
    const source = new FinnhubSource({
      apiKey: 'k',
      tickers: [{ symbol: 'AAPL' }],
      baseUrl: server.url,
      lookbackDays: 1,
    });
    await expect(collect(source)).rejects.toBeInstanceOf(RateLimitedError);
  });
});

describe('Alpha Vantage NEWS_SENTIMENT', () => {
  it('asks oldest-first from the watermark and maps tickers, dropping crypto and forex symbols', async () => {
    server = await serveFixtures({ '/query': json('alphavantage-news-sentiment.json') });
    const source = new AlphaVantageSource({
      apiKey: 'AV-KEY',
      baseUrl: server.url,
      lookbackDays: 3,
      limit: 1000,
    });
    const [page] = await collect(source, new Date('2024-04-25T00:00:00Z'));
    expect(server.requests[0]?.path).toBe(
      '/query?function=NEWS_SENTIMENT&time_from=20240425T0000&sort=EARLIEST&limit=1000&apikey=AV-KEY',
    );
    const items = (page?.items ?? []).map((i) => normaliseItem(i, 'alphavantage', NOW));
    expect(items.map((i) => i.tickers)).toEqual([['MSFT'], ['AAPL'], []]);
    expect(items[1]?.publishedAt?.toISOString()).toBe('2024-05-02T20:33:00.000Z');
    expect(items[1]?.url).toBe('https://www.benzinga.com/news/earnings/24/05/38598765/apple-beats-estimates');
    // Oldest first: the page is complete up to its newest item.
    expect(page?.checkpoint?.toISOString()).toBe('2024-05-02T20:33:00.000Z');
  });

  it.each([
    [
      'a "Note" (per-minute throttle)',
      'alphavantage-note-throttle.json',
      /throttled \(HTTP 200 with a notice\): Thank you for using Alpha Vantage/,
    ],
    [
      'an "Information" (daily limit)',
      'alphavantage-information-daily-limit.json',
      /rate limit is 25 requests per day/,
    ],
  ])('treats HTTP 200 with %s as rate-limited', async (_what, file, message) => {
    server = await serveFixtures({ '/query': json(file) });
    const source = new AlphaVantageSource({ apiKey: 'k', baseUrl: server.url, lookbackDays: 1, limit: 50 });
    const error = await collect(source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('apikey=k');
  });

  it('rejects an answer without a feed array and says what came instead', async () => {
    server = await serveFixtures({ '/query': { body: '{"items": "0", "feed": "none"}' } });
    const source = new AlphaVantageSource({ apiKey: 'k', baseUrl: server.url, lookbackDays: 1, limit: 50 });
    await expect(collect(source)).rejects.toThrow(
      /should return \{"feed": \[\.\.\.\]\}, got an object with keys items, feed/,
    );
  });
});

describe('Polygon reference news', () => {
  it('follows next_url oldest-first, with the key in a header, and checkpoints every page', async () => {
    server = await serveFixtures({
      '/v2/reference/news': [json('polygon-news-page1.json'), json('polygon-news-page2.json')],
    });
    const source = new PolygonSource({
      apiKey: 'PG-KEY',
      baseUrl: server.url,
      lookbackDays: 3,
      limit: 2,
      maxPages: 5,
    });
    const pages = await collect(source, new Date('2024-03-01T00:00:00Z'));
    expect(server.requests.map((r) => r.path)).toEqual([
      '/v2/reference/news?published_utc.gt=2024-03-01T00%3A00%3A00.000Z&order=asc&sort=published_utc&limit=2',
      expect.stringMatching(/^\/v2\/reference\/news\?cursor=/),
    ]);
    expect(server.requests.every((r) => r.headers.authorization === 'Bearer PG-KEY')).toBe(true);
    expect(pages.map((p) => [p.items.length, p.checkpoint?.toISOString(), p.truncated])).toEqual([
      [2, '2024-04-19T14:25:00.000Z', false],
      [1, '2024-05-02T20:40:00.000Z', false],
    ]);
    const item = normaliseItem(pages[0]?.items[0] as SourcePage['items'][0], 'polygon', NOW);
    expect(item.summary).toBe('Nvidia Corp (NASDAQ: NVDA) unveiled its Blackwell platform...');
  });

  it('stops at max_pages and says more pages are left', async () => {
    server = await serveFixtures({ '/v2/reference/news': json('polygon-news-page1.json') });
    const source = new PolygonSource({
      apiKey: 'k',
      baseUrl: server.url,
      lookbackDays: 3,
      limit: 2,
      maxPages: 1,
    });
    const pages = await collect(source);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.truncated).toBe(true);
  });

  it('refuses to send the key to a next_url on another host', async () => {
    server = await serveFixtures({
      '/v2/reference/news': {
        body: JSON.stringify({
          status: 'OK',
          results: [],
          next_url: 'https://evil.example/v2/reference/news?cursor=x',
        }),
      },
    });
    const source = new PolygonSource({
      apiKey: 'k',
      baseUrl: server.url,
      lookbackDays: 3,
      limit: 2,
      maxPages: 5,
    });
    await expect(collect(source)).rejects.toThrow(
      /next_url points at evil.example.*refusing to send the key there/,
    );
  });

  it('names an error status and its message', async () => {
    server = await serveFixtures({
      '/v2/reference/news': {
        status: 200,
        body: '{"status":"NOT_AUTHORIZED","request_id":"x","message":"You are not entitled to this data."}',
      },
    });
    const source = new PolygonSource({
      apiKey: 'k',
      baseUrl: server.url,
      lookbackDays: 3,
      limit: 2,
      maxPages: 5,
    });
    await expect(collect(source)).rejects.toThrow(/status NOT_AUTHORIZED: You are not entitled to this data/);
  });
});
