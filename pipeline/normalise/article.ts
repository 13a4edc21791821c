import { createHash } from 'node:crypto';
import type { RawItem } from '../sources/types';
import { declaredLanguage, detectLanguage } from './language';
import { articleId, headlineHash } from './story';
import { cleanText, truncateWords } from './text';
import { articleTickers } from './tickers';
import { kindOf, parseTimestamp } from './time';
import { canonicalUrl } from './url';

/** The stored article: one row of raw_data. */
export interface Article {
  id: string;
  source: string;
  itemKey: string;
  url: string | null;
  headline: string;
  summary: string | null;
  tickers: string[];
  publishedAt: Date;
  collectedAt: Date;
  language: string;
  headlineHash: string;
  raw: unknown;
}

/**
 * A normalised item before validation: fields may be missing, and `problems` holds what
 * normalisation could not make sense of. Validation turns it into an Article or a quarantine row.
 */
export interface Candidate {
  id: string;
  source: string;
  itemKey: string;
  url: string | null;
  headline: string | null;
  summary: string | null;
  tickers: string[];
  publishedAt: Date | null;
  collectedAt: Date;
  language: string;
  headlineHash: string | null;
  raw: unknown;
  problems: string[];
}

/** Summaries are a teaser, not the article: full `content:encoded` bodies are cut to this. */
export const SUMMARY_KEEP_CHARS = 1000;

function stableKey(item: RawItem, url: string | null): string {
  if (typeof item.itemKey === 'string' && item.itemKey.trim() !== '')
    return item.itemKey.trim().slice(0, 512);
  if (url) return url;
  // Nothing identifies the item: its payload does (identical payloads are the same item).
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(item.raw) ?? '')
    .digest('hex')
    .slice(0, 32)}`;
}

/**
 * Normalises one source item: clean text, canonical URL, UTC timestamp, tickers from the source
 * and from the text, language, story hash and a stable id.
 *
 * @example
 * normaliseItem({ itemKey: '127', headline: 'Apple &amp; Co. beat', publishedAt: 1714681800,
 *   url: 'https://x.com/a?utm_source=rss', tickers: ['AAPL'], raw: {} }, 'finnhub', new Date())
 * // { headline: 'Apple & Co. beat', url: 'https://x.com/a', publishedAt: 2024-05-02T20:30:00Z, ... }
 */
export function normaliseItem(item: RawItem, source: string, collectedAt: Date): Candidate {
  const problems: string[] = [];
  const headline = cleanText(item.headline);
  if (item.headline !== undefined && item.headline !== null && typeof item.headline !== 'string') {
    problems.push(`headline is ${kindOf(item.headline)}, not text`);
  }
  const fullSummary = cleanText(item.summary);
  const summary = fullSummary === null ? null : truncateWords(fullSummary, SUMMARY_KEEP_CHARS);

  let url: string | null = null;
  if (item.url !== undefined && item.url !== null && item.url !== '') {
    url = canonicalUrl(item.url);
    if (url === null)
      problems.push(`url ${JSON.stringify(item.url).slice(0, 80)} is not an absolute http(s) URL`);
  }

  const time = parseTimestamp(item.publishedAt);
  if (!time.ok) problems.push(time.problem);

  const itemKey = stableKey(item, url);
  const sample = [headline ?? '', (summary ?? '').slice(0, 300)].join(' ').trim();
  const detected = sample ? detectLanguage(sample) : 'und';
  const language = detected !== 'und' ? detected : (declaredLanguage(item.language) ?? 'und');

  return {
    id: articleId(source, itemKey),
    source,
    itemKey,
    url,
    headline,
    summary,
    tickers: articleTickers(item.tickers, headline, summary),
    publishedAt: time.ok ? time.date : null,
    collectedAt,
    language,
    headlineHash: headline ? headlineHash(headline) : null,
    raw: item.raw,
    problems,
  };
}
