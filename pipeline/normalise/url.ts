// Query parameters that only track the reader; dropping them makes the same article's URL equal
// across sources and newsletters.
const TRACKING = [
  /^utm_/i,
  /^(fbclid|gclid|dclid|msclkid|yclid|igshid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok)$/i,
  /^(ncid|cmpid|soc_src|soc_trk|sr_share|guccounter|guce_referrer|guce_referrer_sig|\.tsrc|tsrc|ref_src)$/i,
];

/**
 * A canonical form of an article URL: http(s) only, lower-case host, no default port, no
 * fragment, no tracking parameters, the rest sorted. Returns null for anything that is not an
 * absolute http(s) URL.
 *
 * @example
 * canonicalUrl('https://Finance.Yahoo.com/news/apple-q2.html?.tsrc=rss&utm_source=x#top')
 * // 'https://finance.yahoo.com/news/apple-q2.html'
 */
export function canonicalUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.hash = '';
  u.username = '';
  u.password = '';
  u.hostname = u.hostname.toLowerCase().replace(/\.$/, '');
  const kept = [...u.searchParams.entries()].filter(([k]) => !TRACKING.some((re) => re.test(k)));
  kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  u.search = '';
  for (const [k, v] of kept) u.searchParams.append(k, v);
  return u.toString();
}
