import { describe, expect, it } from 'vitest';
import { replaceEmoji, VaderEngine } from '../models/vader/engine';
import { stockEmojiLexicon, stockVaderLexicon } from '../models/vader/lexicon';
import { pyIsUpper, pyRound } from '../models/vader/pystr';

/**
 * Each VADER 3.3.1 rule on a hand-written sentence. Expected values are derived by hand from the
 * reference algorithm (the derivation is in the comments), so these run without ../shared.
 */
const engine = new VaderEngine();
const score = (text: string) => engine.polarityScores(text);
/** The reference's normalize(score, alpha=15), rounded like its output. */
const compound = (sum: number) => pyRound(sum / Math.sqrt(sum * sum + 15), 4);
const N = -0.74;
const C = 0.733;
const B = 0.293;

/** pos/neg/neu as the reference computes them from word valences (no punctuation). */
function proportions(valences: number[]): { pos: number; neg: number; neu: number } {
  let pos = 0;
  let neg = 0;
  let neu = 0;
  for (const v of valences) {
    if (v > 0) pos += v + 1;
    else if (v < 0) neg += v - 1;
    else neu += 1;
  }
  const total = pos + Math.abs(neg) + neu;
  return {
    pos: pyRound(pos / total, 3),
    neg: pyRound(Math.abs(neg) / total, 3),
    neu: pyRound(neu / total, 3),
  };
}

function expectValences(text: string, valences: number[]): void {
  const sum = valences.reduce((a, b) => a + b, 0);
  expect(score(text)).toEqual({ ...proportions(valences), compound: compound(sum) });
}

describe('VADER lexicon data', () => {
  it('is the 3.3.x lexicon: 7,520 entries with flawed, heart, hearts and badass = 1.4', () => {
    const lexicon = stockVaderLexicon();
    // 7,520 lines; 14 words (e.g. "ok") appear twice and, as in a Python dict, the later line wins.
    expect(lexicon.size).toBe(7506);
    expect(lexicon.get('flawed')).toBe(-2.1);
    expect(lexicon.get('heart')).toBe(3.2);
    expect(lexicon.get('hearts')).toBe(3.3);
    expect(lexicon.get('badass')).toBe(1.4);
    expect(lexicon.get('ok')).toBe(1.2);
  });

  it('maps single emoji code points to their descriptions', () => {
    const emoji = stockEmojiLexicon();
    expect(emoji.get('😁'.codePointAt(0)!)).toBe('beaming face with smiling eyes');
    expect(emoji.get('💘'.codePointAt(0)!)).toBe('heart with arrow');
    expect(emoji.get('📉'.codePointAt(0)!)).toBe('chart decreasing');
    expect(emoji.size).toBeGreaterThan(1200);
  });
});

describe('VADER tokenisation', () => {
  it('keeps one-character tokens (they count as neutral words)', () => {
    // I, love, it → 3.2 and two neutrals; the 2018 npm port drops "I".
    expectValences('I love it', [0, 3.2, 0]);
  });

  it('strips punctuation from words but keeps short tokens whole (emoticons, "no.")', () => {
    expectValences('The book was good.', [0, 0, 0, 1.9]);
    // "no." stripped is "no" (two characters), so the token stays "no." and is not a lexicon word.
    expectValences('There is no.', [0, 0, 0]);
    // ":)" would strip to nothing: it stays an emoticon (2.0 in the lexicon).
    expectValences('Nice day :)', [1.8, 0, 2.0]);
  });

  it("splits on Python's whitespace (NBSP yes, zero-width space no)", () => {
    expectValences('good\u00a0news', [1.9, 0]);
    expectValences('good\u200bnews', [0]);
  });
});

describe('VADER negation', () => {
  it('flips a word after a negator, whatever its case', () => {
    expectValences('The book was not good', [0, 0, 0, 0, 1.9 * N]);
    expectValences('The book was Not good', [0, 0, 0, 0, 1.9 * N]);
    expectValences("It isn't good", [0, 0, 1.9 * N]);
  });

  it('treats any word containing "n\'t" as a negator, up to three words back', () => {
    // "mayn't" is not in the list but contains n't: two words back → × −0.74.
    expectValences("It mayn't be good", [0, 0, 0, 1.9 * N]);
  });

  it('reads "no" before a lexicon word as a negator, alone as a negative word', () => {
    // no → 0 (next word is in the lexicon); good → 1.9 × −0.74.
    expectValences('There is no good news', [0, 0, 0, 1.9 * N, 0]);
    expectValences('There is no news', [0, 0, -1.2, 0]);
  });

  it('intensifies "never so" instead of negating it', () => {
    // so is a booster (+0.293); "never so" × 1.25; "so" one back × 1.25 again (the reference's precedence).
    expectValences('The book was never so good', [0, 0, 0, 0, 0, (1.9 + B) * 1.25 * 1.25]);
    expectValences('The book was never good', [0, 0, 0, 0, 1.9 * N]);
  });

  it('negates after "without" but not in "without a doubt"', () => {
    // doubt (−1.5) two words after "without" is negated: +1.11; excellent keeps 2.7.
    expectValences('Without a doubt, excellent idea.', [0, 0, -1.5 * N, 2.7, 0]);
    expectValences('Without any excellent idea', [0, 0, 2.7 * N, 0]);
  });

  it('negates after "least" except in "at least" and "very least"', () => {
    expectValences('This is the least good option', [0, 0, 0, 0, 1.9 * N, 0]);
    expectValences('This is at least good', [0, 0, 0, 0, 1.9]);
  });
});

describe('VADER emphasis and modifiers', () => {
  it('adds a booster, less at two and three words away, and dampens with "kinda"', () => {
    expectValences('The book was very good', [0, 0, 0, 0, 1.9 + B]);
    expectValences('very much good', [0, 0, 1.9 + B * 0.95]);
    expectValences('The book was kinda good', [0, 0, 0, 0, 1.9 - B]);
  });

  it('dampens "kind of" through the two-word booster and ignores "kind" there', () => {
    expectValences('The book was kind of good', [0, 0, 0, 0, 0, 1.9 - B]);
  });

  it('emphasises ALL-CAPS words only when the text is not all caps', () => {
    expectValences('The book was GOOD', [0, 0, 0, 1.9 + C]);
    expectValences('The book was VERY good', [0, 0, 0, 0, 1.9 + B + C]);
    expectValences('THE BOOK WAS GOOD', [0, 0, 0, 1.9]);
  });

  it('amplifies with up to four "!" and with two or more "?"', () => {
    const good = (punct: number) => ({
      compound: compound(1.9 + punct),
      pos: pyRound((2.9 + punct) / (5.9 + punct), 3),
      neu: pyRound(3 / (5.9 + punct), 3),
      neg: 0,
    });
    expect(score('The book was good!')).toEqual(good(0.292));
    expect(score('The book was good!!!!!!')).toEqual(good(4 * 0.292));
    expect(score('The book was good?')).toEqual(good(0));
    expect(score('The book was good??')).toEqual(good(2 * 0.18));
    expect(score('The book was good????')).toEqual(good(0.96));
  });
});

describe('VADER "but"', () => {
  it('halves what comes before "but" and raises what follows by half, also for "But"', () => {
    expectValences('The food was good, but the service was horrible.', [0, 0, 0, 0.95, 0, 0, 0, 0, -3.75]);
    expectValences('But the results were good', [0, 0, 0, 0, 1.9 * 1.5]);
  });

  it('reproduces the reference rescaling the first equal value (3.2 × 0.5 = 1.6 collides)', () => {
    // love 3.2 → 1.6; then growth 1.6 finds index 1 first and halves it again: 0.8 + 1.6.
    expectValences('Investors love the story but growth', [0, 0.8, 0, 0, 0, 1.6]);
  });
});

describe('VADER idioms and emoji', () => {
  it('replaces a word by a special-case idiom value three or more words in', () => {
    expectValences('It is the bomb', [0, 0, 0, 3]);
    expectValences('The bomb', [0, -2.2]);
  });

  it('leaves sentiment-laden idioms without lexicon words alone, as the reference does', () => {
    expectValences('The firm is in the black', [0, 0, 0, 0, 0, 0]);
  });

  it('replaces emoji by their descriptions, glued to a following word', () => {
    const emoji = stockEmojiLexicon();
    expect(replaceEmoji('a💘b', emoji)).toBe('a heart with arrowb');
    expect(replaceEmoji('💘 up', emoji)).toBe('heart with arrow up');
    expect(replaceEmoji('no emoji here', emoji)).toBe('no emoji here');
    expect(replaceEmoji('math 𝐀 stays', emoji)).toBe('math 𝐀 stays');
    // great 3.1, heart 3.2 from "heart with arrow".
    expectValences('Great results 💘', [3.1, 0, 3.2, 0, 0]);
  });
});

describe('Python string semantics', () => {
  it('rounds like Python: exact ties to even, everything else on the exact binary value', () => {
    expect(pyRound(0.0625, 3)).toBe(0.062);
    expect(pyRound(0.1875, 3)).toBe(0.188);
    expect(pyRound(-0.0625, 3)).toBe(-0.062);
    expect(pyRound(0.2625, 3)).toBe(0.263);
    expect(pyRound(0.00015, 4)).toBe(0.0001);
    expect(pyRound(0.00005, 4)).toBe(0.0001);
  });

  it('decides isupper() like Python, including non-ASCII letters', () => {
    expect(pyIsUpper('GOOD')).toBe(true);
    expect(pyIsUpper('GOOD!')).toBe(true);
    expect(pyIsUpper('123')).toBe(false);
    expect(pyIsUpper('ÉTÉ')).toBe(true);
    expect(pyIsUpper('Été')).toBe(false);
  });

  it('scores empty and whitespace-only text as all zeros', () => {
    expect(score('')).toEqual({ neg: 0, neu: 0, pos: 0, compound: 0 });
    expect(score(' \n\t ')).toEqual({ neg: 0, neu: 0, pos: 0, compound: 0 });
  });
});
