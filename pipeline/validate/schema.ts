import { z } from 'zod';
import type { RowRules } from '../../config/quality';
import type { Article, Candidate } from '../normalise/article';
import { TICKER_PATTERN } from '../normalise/tickers';

/**
 * The shape every stored article has: required fields, types and formats. Thresholds that are
 * policy rather than shape (lengths, ages, languages) live in config/quality.yaml and are checked
 * by `checkCandidate` after this schema.
 */
export const ArticleSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{24}$/, 'a 24-hex-digit id'),
  source: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a configured source name'),
  itemKey: z.string().min(1).max(512),
  url: z.string().max(2048, 'at most 2048 characters').nullable(),
  headline: z.string({ error: (i) => (i.input == null ? 'headline is missing' : 'headline must be text') }),
  summary: z.string().nullable(),
  tickers: z.array(z.string().regex(TICKER_PATTERN, 'an upper-case ticker')),
  publishedAt: z.date({
    error: (i) => (i.input == null ? 'published_at is missing or unreadable' : 'not a date'),
  }),
  collectedAt: z.date(),
  language: z.string().regex(/^([a-z]{2,3}|und)$/, 'an ISO 639 code or "und"'),
  headlineHash: z.string().regex(/^[0-9a-f]{32}$/),
  raw: z.unknown(),
});

export type RowCheck = { ok: true; article: Article } | { ok: false; reasons: string[] };

const MINUTE = 60_000;
const DAY = 86_400_000;

function words(s: string): number {
  return s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/**
 * Runs the schema and every row rule; collects ALL reasons (an operator fixing a feed wants the
 * whole list, not the first). Time rules are relative to `collectedAt`, so re-validating an old
 * row later gives the same answer it got when it was collected.
 *
 * @example
 * checkCandidate(candidate, loadQualityConfig().row)
 * // { ok: false, reasons: ['published_at.future: published_at 2031-01-01T00:00:00.000Z is 2419 days after it was collected'] }
 */
export function checkCandidate(c: Candidate, rules: RowRules): RowCheck {
  const reasons = c.problems.map((p) => `parse: ${p}`);
  const parsed = ArticleSchema.safeParse(c);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.') || 'record';
      const message = issue.message.startsWith(field.replace('publishedAt', 'published_at'))
        ? issue.message
        : `${field} ${issue.message}`;
      // A missing date was already reported by the parser with the value it could not read,
      // and a missing headline has no hash: one reason each, not two.
      if (field === 'publishedAt' && c.problems.some((p) => p.startsWith('published_at'))) continue;
      if (field === 'headlineHash' && c.headline === null) continue;
      reasons.push(`schema.${field}: ${message}`);
    }
  }
  const h = c.headline;
  if (h !== null) {
    if (h.length < rules.headline.min_chars || h.length > rules.headline.max_chars) {
      reasons.push(
        `headline.length: ${h.length} characters, outside [${rules.headline.min_chars}, ${rules.headline.max_chars}]`,
      );
    }
    const n = words(h);
    if (n < rules.headline.min_words) {
      reasons.push(`headline.words: ${n} word(s), fewer than ${rules.headline.min_words}`);
    }
  }
  if (c.summary !== null && c.summary.length > rules.summary.max_chars) {
    reasons.push(`summary.length: ${c.summary.length} characters, more than ${rules.summary.max_chars}`);
  }
  if (c.tickers.length > rules.tickers.max) {
    reasons.push(`tickers.count: ${c.tickers.length} tickers, more than ${rules.tickers.max}`);
  }
  if (c.publishedAt !== null) {
    const p = c.publishedAt.getTime();
    const collected = c.collectedAt.getTime();
    const iso = c.publishedAt.toISOString();
    const skew = rules.published_at.future_skew_minutes * MINUTE;
    if (p > collected + skew) {
      const ahead = p - collected;
      const howFar =
        ahead >= DAY ? `${Math.round(ahead / DAY)} days` : `${Math.round(ahead / MINUTE)} minutes`;
      reasons.push(`published_at.future: published_at ${iso} is ${howFar} after it was collected`);
    }
    const notBefore = Date.parse(rules.published_at.not_before);
    if (p < notBefore) {
      reasons.push(`published_at.before_min: published_at ${iso} is before ${rules.published_at.not_before}`);
    } else if (
      rules.published_at.max_age_days !== null &&
      collected - p > rules.published_at.max_age_days * DAY
    ) {
      reasons.push(
        `published_at.too_old: published_at ${iso} is ${Math.round((collected - p) / DAY)} days old, ` +
          `more than ${rules.published_at.max_age_days}`,
      );
    }
  }
  const lang = c.language;
  if (lang === 'und' ? !rules.language.accept_undetermined : !rules.language.allowed.includes(lang)) {
    reasons.push(`language.allowed: language "${lang}" is not one of ${rules.language.allowed.join(', ')}`);
  }
  if (reasons.length > 0 || !parsed.success) return { ok: false, reasons };
  return { ok: true, article: parsed.data as Article };
}
