import { describe, expect, it } from 'vitest';
import { loadQualityConfig, parseQualityConfig, rowRulesFor } from '../config/quality';
import { type Candidate, normaliseItem } from '../pipeline/normalise/article';
import type { RawItem } from '../pipeline/sources/types';
import { checkCandidate } from '../pipeline/validate/schema';

const quality = loadQualityConfig();
const rules = quality.row;
const NOW = new Date('2024-05-03T00:00:00Z');

function candidate(over: Partial<RawItem> = {}): Candidate {
  return normaliseItem(
    {
      itemKey: 'k-1',
      headline: 'Apple beats second-quarter estimates as services revenue hits a record',
      summary: 'Revenue rose.',
      url: 'https://news.example/apple',
      tickers: ['AAPL'],
      publishedAt: '2024-05-02T20:31:00Z',
      raw: {},
      ...over,
    },
    'finnhub',
    NOW,
  );
}

function reasons(c: Candidate, r = rules): string[] {
  const check = checkCandidate(c, r);
  return check.ok ? [] : check.reasons;
}

describe('row rules', () => {
  it('accepts a complete English article and returns it typed', () => {
    const check = checkCandidate(candidate(), rules);
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.article.publishedAt.toISOString()).toBe('2024-05-02T20:31:00.000Z');
  });

  it('requires a headline, and reports a missing one once', () => {
    expect(reasons(candidate({ headline: undefined }))).toEqual(['schema.headline: headline is missing']);
  });

  it('holds headlines to the configured lengths and word count', () => {
    expect(reasons(candidate({ headline: 'Up' }))).toEqual([
      'headline.length: 2 characters, outside [10, 400]',
      'headline.words: 1 word(s), fewer than 2',
    ]);
    expect(reasons(candidate({ headline: `Apple ${'rallies '.repeat(60)}` }))[0]).toMatch(
      /^headline\.length: 4\d\d characters/,
    );
  });

  it('quarantines dates in the future beyond the skew, before 1995, or older than the age limit', () => {
    expect(reasons(candidate({ publishedAt: '2024-05-03T00:05:00Z' }))).toEqual([]);
    expect(reasons(candidate({ publishedAt: '2024-05-03T01:00:00Z' }))).toEqual([
      'published_at.future: published_at 2024-05-03T01:00:00.000Z is 60 minutes after it was collected',
    ]);
    // Milliseconds where seconds were expected: tens of thousands of years ahead.
    expect(reasons(candidate({ publishedAt: 1714681800000 }))[0]).toMatch(
      /^published_at\.future: published_at \+056306-.* days after/,
    );
    expect(reasons(candidate({ publishedAt: '1970-01-01T00:00:00Z' }))).toEqual([
      'published_at.before_min: published_at 1970-01-01T00:00:00.000Z is before 1995-01-01T00:00:00Z',
    ]);
    expect(reasons(candidate({ publishedAt: '2001-09-10T12:00:00Z' }))[0]).toMatch(
      /^published_at\.too_old: .* days old, more than 3650$/,
    );
    expect(reasons(candidate({ publishedAt: 'Someday' }))).toEqual([
      'parse: published_at "Someday" is not a readable date',
    ]);
  });

  it('lets a source override the age limit (the sample holds old headlines)', () => {
    const old = candidate({ publishedAt: '2001-09-10T12:00:00Z' });
    expect(reasons(old, rowRulesFor(quality, 'sample'))).toEqual([]);
  });

  it('quarantines a language that is not allowed, and accepts undetermined short headlines', () => {
    expect(reasons(candidate({ headline: 'Die Aktie von Siemens steigt nach den Zahlen deutlich' }))).toEqual(
      ['language.allowed: language "de" is not one of en'],
    );
    expect(reasons(candidate({ headline: 'AAPL Q2 EPS $1.53 vs $1.50 est.', summary: null }))).toEqual([]);
    const strict = parseQualityConfig(
      JSON.stringify({
        ...quality,
        row: { ...rules, language: { allowed: ['en'], accept_undetermined: false } },
      }),
    ).row;
    expect(
      reasons(candidate({ headline: 'AAPL Q2 EPS $1.53 vs $1.50 est.', summary: null }), strict),
    ).toEqual(['language.allowed: language "und" is not one of en']);
  });

  it('collects every reason at once for a thoroughly broken item', () => {
    const r = reasons(candidate({ headline: ['not', 'text'], url: 'mailto:x@y.z', publishedAt: null }));
    expect(r).toEqual([
      'parse: headline is an array, not text',
      'parse: url "mailto:x@y.z" is not an absolute http(s) URL',
      'parse: published_at is missing',
      'schema.headline: headline is missing',
    ]);
  });
});

describe('quality.yaml', () => {
  it('rejects inconsistent thresholds with the field named', () => {
    const bad = { ...quality, row: { ...rules, headline: { min_chars: 50, max_chars: 10, min_words: 1 } } };
    expect(() => parseQualityConfig(JSON.stringify(bad), 'q.yaml')).toThrow(
      'q.yaml is invalid: row.headline: min_chars exceeds max_chars',
    );
  });
});
