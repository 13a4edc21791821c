import { describe, expect, it } from 'vitest';
import { normaliseItem } from '../pipeline/normalise/article';
import { declaredLanguage, detectLanguage } from '../pipeline/normalise/language';
import { articleId, headlineHash, headlineKey, sameStory } from '../pipeline/normalise/story';
import { cleanText, decodeEntities, truncateWords } from '../pipeline/normalise/text';
import { articleTickers, normaliseTicker } from '../pipeline/normalise/tickers';
import { parseTimestamp } from '../pipeline/normalise/time';
import { canonicalUrl } from '../pipeline/normalise/url';

const NOW = new Date('2024-05-03T00:00:00Z');

describe('text clean-up', () => {
  it('decodes named, numeric and double-encoded entities', () => {
    expect(decodeEntities('AT&amp;T &#8211; Q1 &#x2014; &quot;beat&quot;')).toBe('AT&T – Q1 — "beat"');
    expect(decodeEntities('Apple&amp;#39;s record')).toBe("Apple's record");
    expect(decodeEntities('R&D &unknown; stays')).toBe('R&D &unknown; stays');
  });

  it('strips tags, scripts and comments, removes invisible characters and collapses whitespace', () => {
    expect(
      cleanText('<p>Shares <b>rose</b>\u200b<br/>after <script>x()</script>the <!-- ad -->call</p>'),
    ).toBe('Shares rose after the call');
    expect(cleanText('&lt;em&gt;Escaped&lt;/em&gt; markup')).toBe('Escaped markup');
    expect(cleanText('   ')).toBeNull();
    expect(cleanText(42)).toBeNull();
  });

  it('cuts long text at a word boundary', () => {
    expect(truncateWords('one two three four five', 12)).toBe('one two…');
  });
});

describe('URL canonicalisation', () => {
  it('drops utm_* and other tracking parameters, the fragment and the host case', () => {
    expect(
      canonicalUrl('https://Finance.Yahoo.com/news/a.html?.tsrc=rss&utm_source=x&UTM_Medium=y&id=5#comments'),
    ).toBe('https://finance.yahoo.com/news/a.html?id=5');
    expect(canonicalUrl('https://x.test/a?b=2&a=1&fbclid=zz')).toBe('https://x.test/a?a=1&b=2');
  });

  it('refuses what is not an absolute http(s) URL', () => {
    expect(canonicalUrl('javascript:alert(1)')).toBeNull();
    expect(canonicalUrl('/relative/path')).toBeNull();
    expect(canonicalUrl('')).toBeNull();
  });
});

describe('tickers', () => {
  it('normalises source tickers and finds exchange mentions and cashtags in text', () => {
    expect(normaliseTicker('nasdaq:aapl')).toBe('AAPL');
    expect(normaliseTicker('CRYPTO:BTC')).toBeNull();
    expect(normaliseTicker('Apple Inc')).toBeNull();
    expect(articleTickers(['brk.b'], 'Apple (NASDAQ: AAPL) and $MSFT rise; US$5bn deal at $1.26')).toEqual([
      'AAPL',
      'BRK.B',
      'MSFT',
    ]);
  });

  it('does not read ordinary words after an exchange name as tickers', () => {
    expect(articleTickers([], 'Nasdaq: Stocks rally as yields fall')).toEqual([]);
  });
});

describe('language detection', () => {
  it.each([
    ['Apple beats estimates as iPhone sales rise', 'en'],
    ['Die Aktie von Siemens steigt nach den Zahlen', 'de'],
    ["Le chiffre d'affaires de LVMH est en hausse pour le trimestre", 'fr'],
    ['Las acciones de Inditex suben tras sus ventas del trimestre', 'es'],
    ['Акции Сбербанка выросли после отчёта', 'ru'],
    ['トヨタ自動車の株価が上昇', 'ja'],
    ['AAPL Q2 EPS $1.53', 'und'],
  ])('%s → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  it('reads declared languages such as en-US', () => {
    expect(declaredLanguage('en-US')).toBe('en');
    expect(declaredLanguage('not a tag')).toBeUndefined();
  });
});

describe('timestamps', () => {
  it('reads RFC 822 with zone names, ISO with and without a zone (as UTC), and Unix seconds', () => {
    const iso = (v: unknown) => {
      const t = parseTimestamp(v);
      return t.ok ? t.date.toISOString() : t.problem;
    };
    expect(iso('Thu, 02 May 2024 16:30:00 EDT')).toBe('2024-05-02T20:30:00.000Z');
    expect(iso('2024-05-02T16:30:56-04:00')).toBe('2024-05-02T20:30:56.000Z');
    expect(iso('2024-05-02 20:30:00')).toBe('2024-05-02T20:30:00.000Z');
    expect(iso(1714681800)).toBe('2024-05-02T20:30:00.000Z');
    expect(iso('1714681800')).toBe('2024-05-02T20:30:00.000Z');
    expect(iso('yesterday-ish')).toBe('published_at "yesterday-ish" is not a readable date');
    expect(iso(undefined)).toBe('published_at is missing');
    expect(iso({})).toBe('published_at is an object, not a date');
  });
});

describe('stories', () => {
  it('gives two sources’ versions of one headline the same key', () => {
    expect(headlineKey('Apple’s Q2 beat - Reuters')).toBe(headlineKey("Apple's Q2 beat"));
    expect(headlineHash('Apple beats estimates | Business Wire')).toBe(headlineHash('APPLE BEATS ESTIMATES'));
    expect(headlineHash('Apple beats estimates')).not.toBe(headlineHash('Apple misses estimates'));
  });

  it('keeps apart the same generic headline about different companies', () => {
    const h = headlineHash('Shares hit 52-week high');
    const t = new Date('2024-05-02T12:00:00Z');
    expect(
      sameStory(
        { headlineHash: h, publishedAt: t, tickers: ['AAPL'] },
        { headlineHash: h, publishedAt: t, tickers: ['MSFT'] },
        48 * 3600e3,
      ),
    ).toBe(false);
    expect(
      sameStory(
        { headlineHash: h, publishedAt: t, tickers: ['AAPL'] },
        { headlineHash: h, publishedAt: t, tickers: [] },
        48 * 3600e3,
      ),
    ).toBe(true);
    const later = new Date(t.getTime() + 72 * 3600e3);
    expect(
      sameStory(
        { headlineHash: h, publishedAt: t, tickers: [] },
        { headlineHash: h, publishedAt: later, tickers: [] },
        48 * 3600e3,
      ),
    ).toBe(false);
  });

  it('derives a stable id from the source and its item key', () => {
    expect(articleId('finnhub', '127465102')).toBe(articleId('finnhub', '127465102'));
    expect(articleId('finnhub', '127465102')).toMatch(/^[0-9a-f]{24}$/);
    expect(articleId('polygon', '127465102')).not.toBe(articleId('finnhub', '127465102'));
  });
});

describe('normaliseItem', () => {
  it('builds one article record with every field normalised', () => {
    const c = normaliseItem(
      {
        itemKey: 'g-1',
        headline: '  Apple &amp; Microsoft lead a <b>tech</b> rally  ',
        summary: '<p>Both shares rose 3%.</p>',
        url: 'https://news.example/a?utm_campaign=x',
        tickers: ['msft'],
        publishedAt: '2024-05-02T15:40:00Z',
        language: 'en-US',
        raw: { original: true },
      },
      'yahoo',
      NOW,
    );
    expect(c).toMatchObject({
      id: articleId('yahoo', 'g-1'),
      source: 'yahoo',
      headline: 'Apple & Microsoft lead a tech rally',
      summary: 'Both shares rose 3%.',
      url: 'https://news.example/a',
      tickers: ['MSFT'],
      language: 'en',
      collectedAt: NOW,
      raw: { original: true },
      problems: [],
    });
  });

  it('records what it could not read instead of throwing', () => {
    const c = normaliseItem(
      { headline: 12345, url: 'ftp://x', publishedAt: 'soon', raw: { a: 1 } },
      'finnhub',
      NOW,
    );
    expect(c.problems).toEqual([
      'headline is a number, not text',
      'url "ftp://x" is not an absolute http(s) URL',
      'published_at "soon" is not a readable date',
    ]);
    expect(c.itemKey).toMatch(/^sha256:[0-9a-f]{32}$/);
  });
});
