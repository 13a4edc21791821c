import { createHash } from 'node:crypto';

// Attributions that wires and aggregators append to the same headline: "… - Reuters",
// "… | Business Wire". Removed only at the very end, only these names.
const PUBLISHERS = [
  ...'reuters|bloomberg|business wire|businesswire|pr newswire|prnewswire|globenewswire|globe newswire'.split(
    '|',
  ),
  ..."associated press|ap|cnbc|marketwatch|barron's|barrons|yahoo finance|the wall street journal|wsj".split(
    '|',
  ),
  ...'financial times|ft|benzinga|the motley fool|motley fool|seeking alpha|investopedia|zacks'.split('|'),
  ...'investing.com|forbes|fortune|cnn business|fox business|nasdaq|thestreet|business insider'.split('|'),
];
const ATTRIBUTION = new RegExp(
  `\\s*(?:[-–—|]\\s*|\\()(?:${PUBLISHERS.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\)?\\s*$`,
  'i',
);

/**
 * The comparison form of a headline: NFKC, lower case, publisher attribution removed,
 * punctuation and spacing dropped. Two sources' versions of one story agree on it even when
 * one writes "Apple’s Q2 beat - Reuters" and the other "Apple's Q2 beat".
 */
export function headlineKey(headline: string): string {
  let s = headline.normalize('NFKC').toLowerCase();
  s = s.replace(ATTRIBUTION, '');
  s = s.replace(/[‘’`´]/g, "'").replace(/['"]/g, '');
  return s
    .replace(/[^\p{L}\p{N}%$]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

export function headlineHash(headline: string): string {
  return createHash('sha256').update(headlineKey(headline)).digest('hex').slice(0, 32);
}

/**
 * An article's id: derived from the first (source, item) that delivered it, so re-collecting
 * the same item always lands on the same row, whatever else changed.
 */
export function articleId(source: string, itemKey: string): string {
  return createHash('sha256').update(source).update('\u0000').update(itemKey).digest('hex').slice(0, 24);
}

export interface StoryFacts {
  headlineHash: string;
  publishedAt: Date;
  tickers: readonly string[];
}

/**
 * Whether two records are one story: the same headline key, published within `windowMs` of each
 * other, and tickers that overlap (or one side has none). The ticker test keeps apart generic
 * headlines that recur for different companies on the same day ("Shares hit 52-week high").
 */
export function sameStory(a: StoryFacts, b: StoryFacts, windowMs: number): boolean {
  if (a.headlineHash !== b.headlineHash) return false;
  if (Math.abs(a.publishedAt.getTime() - b.publishedAt.getTime()) > windowMs) return false;
  if (a.tickers.length === 0 || b.tickers.length === 0) return true;
  return a.tickers.some((t) => b.tickers.includes(t));
}
