import { BOOSTER_DICT, N_SCALAR, NEGATE } from '../lexicon';

/**
 * Which VADER tokens the financial overlay may re-estimate, and how the engine's main rules scale
 * a token's valence (negation, "but"), so that the fitted valences are the ones the engine adds up.
 */

/** Words whose identity VADER's rules test: their valence must stay the stock one. */
const RULE_WORDS = new Set([
  ...NEGATE,
  ...[...BOOSTER_DICT.keys()].flatMap((k) => k.split(' ')),
  'but',
  'no',
  'least',
  'kind',
  'of',
  'at',
  'very',
  'never',
  'so',
  'this',
  'without',
  'doubt',
  'or',
  'nor',
]);

/** English function words: frequent everywhere, so a fitted valence would only absorb class priors. */
const STOPWORDS = new Set(
  `a about after again all am an and any are as be because been before being between both by can
  could did do does doing during each few for from further had has have having he her here hers
  herself him himself his how i if in into is it its itself just me my myself nor now on once only
  other our ours ourselves own same she should some such than that the their theirs them
  themselves then there these they this those through to too until us was we were what when where
  which while who whom why will with would you your yours yourself rt amp via per vs etc`.split(/\s+/),
);

const WORD = /^[a-z][a-z'-]*[a-z]$/;

/** A token the overlay may learn: a lower-case word (2+ letters, inner ' or -), not a rule or stop word. */
export function isLearnable(token: string): boolean {
  return WORD.test(token) && !RULE_WORDS.has(token) && !STOPWORDS.has(token);
}

/**
 * Lower-cased names that appear as $cashtags, @mentions or URL parts in the texts: ticker- and
 * account-specific valences would not generalise, so they are never learned.
 */
export function collectNames(texts: readonly string[]): Set<string> {
  const names = new Set<string>();
  const pattern = /[$@]([A-Za-z][A-Za-z0-9._]*)|https?:\/\/\S+/g;
  for (const text of texts) {
    for (const m of text.matchAll(pattern)) {
      if (m[1]) names.add(m[1].toLowerCase().replace(/[._]+$/, ''));
    }
  }
  return names;
}

function negates(word: string | undefined): boolean {
  return word !== undefined && (NEGATE.has(word) || word.includes("n't"));
}

/**
 * Per-token multipliers approximating the engine: × −0.74 when a negator (or "no") precedes within
 * three words; × 0.5 before the first "but" and × 1.5 after it.
 */
export function ruleMultipliers(tokens: readonly string[]): number[] {
  const but = tokens.indexOf('but');
  return tokens.map((_, i) => {
    let m = 1;
    if (
      negates(tokens[i - 1]) ||
      negates(tokens[i - 2]) ||
      negates(tokens[i - 3]) ||
      tokens[i - 1] === 'no' ||
      tokens[i - 2] === 'no'
    ) {
      m = N_SCALAR;
    }
    if (but >= 0) m *= i < but ? 0.5 : i > but ? 1.5 : 1;
    return m;
  });
}
