/** An equity ticker as stored: AAPL, BRK.B, RDS-A. */
export const TICKER_PATTERN = /^[A-Z][A-Z0-9]{0,5}(?:[.-][A-Z0-9]{1,3})?$/;

// Spelled out in both cases the wires use: the ticker itself must stay case-sensitive, or
// "Nasdaq: Stocks rally" would yield STOCKS.
const EXCHANGES =
  'NASDAQ|Nasdaq|NYSE American|NYSE MKT|NYSE Arca|NYSE|AMEX|OTCQX|OTCQB|OTC|TSXV|TSX|CBOE|Cboe|BATS|LSE|ASX';
// "(NASDAQ: AAPL)", "NYSE:JPM", "(Nasdaq: MSFT)" in press releases and wire copy.
const EXCHANGE_MENTION = new RegExp(
  `\\b(?:${EXCHANGES})\\s*:\\s*([A-Z][A-Z0-9]{0,5}(?:\\.[A-Z]{1,2})?)\\b`,
  'g',
);
// Cashtags: "$AAPL", "$BRK.B" (but not "$1.26" or "US$5bn").
const CASHTAG = /(?<![A-Za-z0-9$])\$([A-Z]{1,5}(?:\.[A-Z]{1,2})?)(?![A-Za-z0-9])/g;
// Prefixes that mark a non-equity instrument in some APIs (Alpha Vantage "CRYPTO:BTC").
const NON_EQUITY = /^(CRYPTO|FOREX|FX|INDEX|COMMODITY):/i;

/** One source-supplied ticker in stored form, or null when it is not an equity ticker. */
export function normaliseTicker(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let t = value.trim();
  if (t === '' || NON_EQUITY.test(t)) return null;
  t = t
    .replace(/^\$/, '')
    .replace(/^[A-Za-z ]+:\s*/, '')
    .toUpperCase();
  return TICKER_PATTERN.test(t) ? t : null;
}

/** Tickers the text itself names through exchange mentions and cashtags. */
export function tickersInText(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(EXCHANGE_MENTION)) if (m[1]) out.push(m[1].toUpperCase());
  for (const m of text.matchAll(CASHTAG)) if (m[1]) out.push(m[1]);
  return out;
}

/**
 * The article's tickers: the source's own list plus those the headline and summary name,
 * upper-cased, de-duplicated and sorted so equal sets compare equal.
 *
 * @example
 * articleTickers(['aapl', 'CRYPTO:BTC'], 'Apple (NASDAQ: AAPL) and $MSFT rally') // ['AAPL', 'MSFT']
 */
export function articleTickers(sourceTickers: unknown, ...texts: (string | null)[]): string[] {
  const set = new Set<string>();
  if (Array.isArray(sourceTickers)) {
    for (const v of sourceTickers) {
      const t = normaliseTicker(v);
      if (t) set.add(t);
    }
  }
  for (const text of texts) {
    if (!text) continue;
    for (const t of tickersInText(text)) if (TICKER_PATTERN.test(t)) set.add(t);
  }
  return [...set].sort();
}
