import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { htmlPageTitle, isRecord } from './content';
import { excerptOf } from './http';
import type { RawItem } from './types';

/** What a feed document says about itself and its items, format-independent. */
export interface ParsedFeed {
  format: 'rss' | 'atom' | 'rdf';
  title: string | undefined;
  language: string | undefined;
  items: RawItem[];
}

export class FeedParseError extends Error {
  readonly excerpt: string;
  constructor(message: string, excerpt: string) {
    super(message);
    this.excerpt = excerpt;
  }
}

const ARRAY_PATHS = new Set([
  'rss.channel.item',
  'rss.channel.item.category',
  'RDF.item',
  'feed.entry',
  'feed.entry.link',
  'feed.entry.category',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Only XML's own entities are decoded here; HTML entities inside descriptions are the
  // normaliser's job (it decodes them after stripping tags).
  htmlEntities: false,
  isArray: (_name, jpath) => ARRAY_PATHS.has(String(jpath)),
});

/** The text of an element that may be a string, `{ '#text': ... }` or absent. */
function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  if (isRecord(node)) {
    const t = node['#text'];
    if (typeof t === 'string' || typeof t === 'number') return String(t);
  }
  return undefined;
}

function resolveUrl(href: string | undefined, base: string): string | undefined {
  if (!href) return undefined;
  try {
    return new URL(href, base).toString();
  } catch {
    return href;
  }
}

function atomLink(links: unknown, base: string): string | undefined {
  if (!Array.isArray(links)) return undefined;
  const records = links.filter(isRecord);
  const alt = records.find((l) => l['@_rel'] === undefined || l['@_rel'] === 'alternate') ?? records[0];
  const href = alt?.['@_href'];
  return resolveUrl(typeof href === 'string' ? href : undefined, base);
}

/** Category values that carry tickers: "NASDAQ:AAPL", "NYSE: JPM" (GlobeNewswire, Business Wire). */
function categoryTickers(categories: unknown): string[] {
  if (!Array.isArray(categories)) return [];
  const out: string[] = [];
  for (const c of categories) {
    const value = text(c) ?? (isRecord(c) && typeof c['@_term'] === 'string' ? c['@_term'] : undefined);
    const m =
      value && /^(?:NASDAQ|NYSE|NYSE ?American|AMEX|OTC|CBOE|TSX)\s*:\s*([A-Z][A-Z0-9.-]{0,9})$/i.exec(value);
    if (m?.[1]) out.push(m[1].toUpperCase());
  }
  return out;
}

function rssItem(node: unknown, base: string): RawItem {
  const item = isRecord(node) ? node : {};
  const guid = text(item.guid);
  const link = resolveUrl(text(item.link), base);
  return {
    itemKey: guid ?? link,
    url: link,
    headline: text(item.title),
    summary: text(item.description) ?? text(item.encoded),
    publishedAt: text(item.pubDate) ?? text(item.date),
    tickers: categoryTickers(item.category),
    raw: node,
  };
}

function atomEntry(node: unknown, base: string): RawItem {
  const entry = isRecord(node) ? node : {};
  const categories = Array.isArray(entry.category) ? entry.category : [];
  return {
    itemKey: text(entry.id),
    url: atomLink(entry.link, base),
    headline: text(entry.title),
    summary: text(entry.summary) ?? text(entry.content),
    publishedAt: text(entry.published) ?? text(entry.updated),
    tickers: categoryTickers(categories),
    raw: node,
  };
}

/**
 * Parses RSS 2.0, RSS 1.0 (RDF) or Atom with a real XML parser. Malformed XML, an HTML page or
 * an XML document that is not a feed throw FeedParseError with a message saying which.
 *
 * @example
 * parseFeed(xml, 'https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent&output=atom').items[0].headline
 * // '8-K - Apple Inc. (0000320193) (Filer)'
 */
export function parseFeed(xml: string, baseUrl: string, contentType = ''): ParsedFeed {
  const excerpt = excerptOf(xml);
  const title = htmlPageTitle(xml, contentType);
  if (title !== undefined) {
    throw new FeedParseError(`returned an HTML page ("${title}") instead of a feed`, excerpt);
  }
  if (xml.trim() === '') throw new FeedParseError('returned an empty body instead of a feed', excerpt);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new FeedParseError(`returned malformed XML (line ${line}, column ${col}: ${msg})`, excerpt);
  }
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (error) {
    throw new FeedParseError(`returned XML the parser rejected: ${(error as Error).message}`, excerpt);
  }
  if (!isRecord(doc)) throw new FeedParseError('returned no XML document', excerpt);

  if (isRecord(doc.rss)) {
    const channel = isRecord(doc.rss.channel) ? doc.rss.channel : {};
    const items = Array.isArray(channel.item) ? channel.item : [];
    return {
      format: 'rss',
      title: text(channel.title),
      language: text(channel.language),
      items: items.map((i) => rssItem(i, baseUrl)),
    };
  }
  if (isRecord(doc.feed)) {
    const feed = doc.feed;
    const entries = Array.isArray(feed.entry) ? feed.entry : [];
    return {
      format: 'atom',
      title: text(feed.title),
      language: typeof feed['@_lang'] === 'string' ? feed['@_lang'] : undefined,
      items: entries.map((e) => atomEntry(e, baseUrl)),
    };
  }
  if (isRecord(doc.RDF)) {
    const rdf = doc.RDF;
    const channel = isRecord(rdf.channel) ? rdf.channel : {};
    const items = Array.isArray(rdf.item) ? rdf.item : [];
    return {
      format: 'rdf',
      title: text(channel.title),
      language: text(channel.language),
      items: items.map((i) => rssItem(i, baseUrl)),
    };
  }
  const root = Object.keys(doc).find((k) => !k.startsWith('?')) ?? '(none)';
  throw new FeedParseError(
    `returned XML whose root element <${root}> is not <rss>, <feed> or <RDF>`,
    excerpt,
  );
}
