import { createHash } from 'node:crypto';

/**
 * Text handling shared by the reference snapshot, the drift checks and the feedback endpoint.
 * `textHash` must agree with the hash the API writes into `predictions.text_hash` (see
 * docs/monitoring.md: NFKC, trimmed, inner whitespace collapsed, case kept).
 */
export function normaliseText(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

/** sha256 hex of the normalised text. */
export function textHash(text: string): string {
  return createHash('sha256').update(normaliseText(text), 'utf8').digest('hex');
}

const URL_RE = /\bhttps?:\/\/\S+/gi;
const CASHTAG_RE = /\$([A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?)\b/g;
const WORD_RE = /[a-z]+(?:'[a-z]+)?/g;

/**
 * Word tokens for vocabulary checks: lower-cased letters (with an inner apostrophe). URLs,
 * numbers and cashtags are left out: they are always "new" and say nothing about language drift.
 *
 * @example tokenize('Tesla beats Q3 estimates, $TSLA up 5% https://t.co/x') // → ['tesla', 'beats', 'q', 'estimates', 'up']
 */
export function tokenize(text: string): string[] {
  const cleaned = text.replace(URL_RE, ' ').replace(CASHTAG_RE, ' ').toLowerCase();
  return cleaned.match(WORD_RE) ?? [];
}

/** Upper-cased cashtags in a text: `$aapl up, $BRK.B flat` → ['AAPL', 'BRK.B']. */
export function cashtags(text: string): string[] {
  return [...text.matchAll(CASHTAG_RE)].map((m) => m[1]!.toUpperCase());
}

/** The tickers a row mentions: its explicit ticker when given, else the cashtags in its text. */
export function rowTickers(text: string | null | undefined, ticker: string | null | undefined): string[] {
  if (ticker && ticker.trim() !== '') return [ticker.trim().toUpperCase()];
  return text ? [...new Set(cashtags(text))] : [];
}

export interface TextStats {
  texts: number;
  tokens: number;
  oovTokens: number;
  tickerMentions: number;
  unseenTickerMentions: number;
  /** A few examples of each, for the incident's evidence. */
  topOov: Array<[string, number]>;
  topUnseenTickers: Array<[string, number]>;
}

/** OOV and unseen-ticker counts of some texts against a vocabulary and a ticker set. */
export function textStats(
  rows: Iterable<{ text: string | null; ticker?: string | null }>,
  vocabulary: ReadonlySet<string>,
  tickers: ReadonlySet<string>,
): TextStats {
  const oov = new Map<string, number>();
  const unseen = new Map<string, number>();
  let texts = 0;
  let tokens = 0;
  let oovTokens = 0;
  let tickerMentions = 0;
  let unseenTickerMentions = 0;
  for (const row of rows) {
    if (row.text) {
      texts++;
      for (const t of tokenize(row.text)) {
        tokens++;
        if (!vocabulary.has(t)) {
          oovTokens++;
          oov.set(t, (oov.get(t) ?? 0) + 1);
        }
      }
    }
    for (const t of rowTickers(row.text, row.ticker)) {
      tickerMentions++;
      if (!tickers.has(t)) {
        unseenTickerMentions++;
        unseen.set(t, (unseen.get(t) ?? 0) + 1);
      }
    }
  }
  return {
    texts,
    tokens,
    oovTokens,
    tickerMentions,
    unseenTickerMentions,
    topOov: top(oov, 10),
    topUnseenTickers: top(unseen, 10),
  };
}

function top(counts: Map<string, number>, k: number): Array<[string, number]> {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k);
}
