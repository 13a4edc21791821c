import { describe, expect, it } from 'vitest';
import { normaliseText, textFeatures, textHash } from '../pipeline/features/text';

describe('text features', () => {
  it('describes a typical headline', () => {
    const f = textFeatures('Apple beats estimates, shares up 5%!');
    expect(f).toMatchObject({
      charCount: 36,
      tokenCount: 6,
      numberCount: 1,
      hasNumber: true,
      hasPercent: true,
      hasCurrency: false,
      exclamationCount: 1,
      questionCount: 0,
      cashtagCount: 0,
      negationCount: 0,
      allCapsTokens: 0,
    });
    expect(f.uppercaseRatio).toBeCloseTo(1 / 27, 6);
    expect(f.avgTokenLength).toBeCloseTo(28 / 6, 6);
  });

  it('counts cashtags, currency amounts, shouting and negations', () => {
    const f = textFeatures("$TSLA WON'T hit $1,000 and SEC says no deal?? €2bn not enough");
    expect(f.cashtagCount).toBe(1);
    expect(f.hasCurrency).toBe(true);
    expect(f.numberCount).toBe(2);
    expect(f.allCapsTokens).toBe(3); // TSLA, WON'T, SEC
    expect(f.negationCount).toBe(3); // won't, no, not
    expect(f.questionCount).toBe(2);
  });

  it('handles the empty text and non-Latin scripts without dividing by zero', () => {
    expect(textFeatures('   ')).toMatchObject({
      charCount: 0,
      tokenCount: 0,
      avgTokenLength: 0,
      uppercaseRatio: 0,
    });
    const jp = textFeatures('トヨタ 決算 好調');
    expect(jp.tokenCount).toBe(3);
    expect(jp.uppercaseRatio).toBe(0);
    expect(jp.charCount).toBe(9);
  });

  it('hashes texts that differ only in whitespace the same way', () => {
    expect(normaliseText('  Apple \n beats\testimates ')).toBe('Apple beats estimates');
    expect(textHash('Apple  beats estimates')).toBe(textHash(' Apple beats estimates\n'));
    expect(textHash('Apple beats estimates')).not.toBe(textHash('Apple misses estimates'));
    expect(textFeatures('Apple beats').textHash).toBe(textHash('Apple beats'));
  });
});
