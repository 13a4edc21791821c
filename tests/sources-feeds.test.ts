import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseItem } from '../pipeline/normalise/article';
import { FeedSource } from '../pipeline/sources/feed';
import { parseFeed } from '../pipeline/sources/feed-parse';
import { HttpClient } from '../pipeline/sources/http';
import { RateLimitedError, type SourcePage } from '../pipeline/sources/types';
import { type FixtureServer, fixture, loopbackFetch, serveFixtures } from './fixtures/sources/server';

let server: FixtureServer;
const xml = (name: string, type = 'application/rss+xml; charset=utf-8') => ({
  headers: { 'content-type': type },
  body: fixture(name),
});

beforeAll(async () => {
  server = await serveFixtures({
    // EDGAR answers ISO-8859-1 bytes and says so only in the XML declaration.
    '/edgar': xml('edgar-current-8k.atom', 'application/atom+xml'),
    '/yahoo': xml('yahoo-headline-aapl.rss'),
    '/gnw': xml('globenewswire-earnings.rss'),
    '/truncated': xml('malformed-truncated.rss'),
    '/maintenance': { headers: { 'content-type': 'text/html' }, body: fixture('html-error-page.html') },
    '/not-a-feed': {
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><error><code>403</code></error>',
    },
    '/limited': { status: 429, headers: { 'retry-after': '7200' } },
  });
});
afterAll(() => server.close());

function http() {
  return new HttpClient({
    source: 'feeds',
    userAgent: 'finsent-tests/1.0 (tests@example.com)',
    timeoutMs: 2000,
    retries: 0,
    backoffMs: 1,
    maxBackoffMs: 1,
    maxRetryAfterMs: 1000,
    maxBodyBytes: 1 << 20,
    fetch: loopbackFetch,
  });
}

async function pages(source: FeedSource): Promise<SourcePage[]> {
  const out: SourcePage[] = [];
  for await (const p of source.fetch({
    since: undefined,
    now: new Date('2024-05-03T00:00:00Z'),
    http: http(),
  })) {
    out.push(p);
  }
  return out;
}

const TICKERS = [
  { symbol: 'AAPL', cik: '0000320193' },
  { symbol: 'AMZN', cik: '0001018724' },
];

describe('FeedSource on recorded feeds', () => {
  it('reads SEC EDGAR Atom in ISO-8859-1 and tags filings with the watchlist ticker of their CIK', async () => {
    const [page] = await pages(
      new FeedSource({ name: 'sec-edgar', urls: [`${server.url}/edgar`], tickers: TICKERS }),
    );
    expect(page?.error).toBeUndefined();
    const items = page?.items ?? [];
    expect(items).toHaveLength(4);
    expect(items[0]).toMatchObject({
      headline: '8-K - Apple Inc. (0000320193) (Filer)',
      itemKey: 'urn:tag:sec.gov,2008:accession-number=0000320193-24-000069',
      publishedAt: '2024-05-02T16:30:56-04:00',
      tickers: ['AAPL'],
    });
    expect(items[1]?.tickers).toEqual(['AMZN']);
    expect(items[3]?.headline).toBe('8-K - Compañía Cervecerías Unidas S.A. (0000888746) (Filer)');
    // A relative link is resolved against the feed's own URL.
    expect(items[2]?.url).toBe(
      `${server.url}/Archives/edgar/data/814052/000119312524130338/0001193125-24-130338-index.htm`,
    );
    const a = normaliseItem(items[2] as (typeof items)[0], 'sec-edgar', new Date('2024-05-03T00:00:00Z'));
    expect(a.summary).toBe(
      'Filed: 2024-05-02 AccNo: 0001193125-24-130338 Size: 215 KB Telefónica, S.A. – results January–March 2024',
    );
    expect(a.publishedAt?.toISOString()).toBe('2024-05-02T10:12:33.000Z');
  });

  it('reads Yahoo per-ticker RSS, adds the ticker, and cleans entities, HTML and tracking parameters', async () => {
    const source = new FeedSource({
      name: 'yahoo',
      urls: [],
      urlTemplate: `${server.url}/yahoo?s={ticker}&region=US&lang=en-US`,
      tickers: [{ symbol: 'AAPL' }],
    });
    const [page] = await pages(source);
    expect(server.requests.some((r) => r.path === '/yahoo?s=AAPL&region=US&lang=en-US')).toBe(true);
    const items = (page?.items ?? []).map((i) => normaliseItem(i, 'yahoo', new Date('2024-05-03T00:00:00Z')));
    expect(items).toHaveLength(3);
    expect(items.every((i) => i.tickers.includes('AAPL') && i.language === 'en')).toBe(true);
    expect(items[0]?.summary).toMatch(
      /^Apple's fiscal second-quarter results topped Wall Street's estimates/,
    );
    expect(items[1]).toMatchObject({
      summary: 'Shares of Apple (NASDAQ: AAPL) rose in after-hours trading — the stock is up 6%.',
      url: 'https://finance.yahoo.com/news/apple-stock-jumps-after-hours-211500456.html',
    });
    // "EDT" in an RFC 822 date is honoured.
    expect(items[2]?.publishedAt?.toISOString()).toBe('2024-05-01T14:00:00.000Z');
  });

  it('takes tickers from press-release stock categories and drops scripts from the body', async () => {
    const [page] = await pages(new FeedSource({ name: 'press', urls: [`${server.url}/gnw`], tickers: [] }));
    const [first, second] = (page?.items ?? []).map((i) =>
      normaliseItem(i, 'press', new Date('2024-05-03T00:00:00Z')),
    );
    expect(first?.tickers).toEqual(['ACMR']);
    expect(first?.summary).toBe(
      'SAN JOSE, Calif., May 02, 2024 (GLOBE NEWSWIRE) -- Acme Robotics, Inc. (Nasdaq: ACMR) today reported revenue of $212.4 million, up 18% year over year…',
    );
    expect(second?.tickers).toEqual(['NWB']);
  });

  it('reports malformed XML, HTML error pages and non-feeds per URL and goes on with the next URL', async () => {
    const source = new FeedSource({
      name: 'press',
      urls: [
        `${server.url}/truncated`,
        `${server.url}/maintenance`,
        `${server.url}/not-a-feed`,
        `${server.url}/gnw`,
      ],
      tickers: [],
    });
    const result = await pages(source);
    expect(result.map((p) => p.error?.message ?? `${p.items.length} items`)).toEqual([
      expect.stringMatching(/\/truncated returned malformed XML \(line \d+, column \d+: .+\)/),
      expect.stringContaining(
        '/maintenance returned an HTML page ("503 Service Temporarily Unavailable") instead of a feed',
      ),
      expect.stringContaining(
        '/not-a-feed returned XML whose root element <error> is not <rss>, <feed> or <RDF>',
      ),
      '2 items',
    ]);
    expect(result[1]?.error?.excerpt).toContain('Service Temporarily Unavailable');
  });

  it('stops the whole source when the host rate-limits it', async () => {
    const source = new FeedSource({
      name: 'press',
      urls: [`${server.url}/limited`, `${server.url}/gnw`],
      tickers: [],
    });
    await expect(pages(source)).rejects.toBeInstanceOf(RateLimitedError);
  });
});

describe('parseFeed', () => {
  it('parses a single-item feed as a list and reads Atom xml:lang', () => {
    const rss = parseFeed(
      '<rss version="2.0"><channel><title>t</title><item><title>Only one</title><guid>g1</guid></item></channel></rss>',
      'https://example.test/',
    );
    expect(rss.items).toHaveLength(1);
    const atom = parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de-DE"><entry><id>e1</id><title>Eins</title></entry></feed>',
      'https://example.test/',
    );
    expect(atom).toMatchObject({ format: 'atom', language: 'de-DE' });
  });

  it('rejects an empty body with a clear reason', () => {
    expect(() => parseFeed('  ', 'https://example.test/')).toThrow(
      'returned an empty body instead of a feed',
    );
  });
});
