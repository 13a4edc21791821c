import { createHash } from 'node:crypto';

/**
 * Surface features of a scored text: what a sentiment-model monitor watches for drift (longer
 * headlines, more numbers, more shouting) and what explains odd scores (VADER reacts to ALL
 * CAPS, "!" and negations; transformers truncate long texts). Cheap, deterministic, language
 * agnostic where possible. Stored as columns of processed_features.
 */
export interface TextFeatures {
  /** sha256 (hex) of the text after trimming and collapsing whitespace: joins predictions, finds repeats. */
  textHash: string;
  /** Unicode code points. */
  charCount: number;
  /** Whitespace-separated tokens. */
  tokenCount: number;
  /** Mean letters and digits per token (0 for an empty text). */
  avgTokenLength: number;
  /** Upper-case letters / letters (0 when there are no letters). */
  uppercaseRatio: number;
  /** Tokens of two or more letters, all upper case (emphasis for VADER; tickers count too). */
  allCapsTokens: number;
  /** Numbers such as 12, 3.5, 1,200 or 7%. */
  numberCount: number;
  hasNumber: boolean;
  /** A percentage: "5%", "5 percent", "5 pct". */
  hasPercent: boolean;
  /** A currency amount: "$5", "€1.2bn", "£30", "¥100", "USD 5". */
  hasCurrency: boolean;
  exclamationCount: number;
  questionCount: number;
  /** Cashtags such as $AAPL. */
  cashtagCount: number;
  /** Negation cues (not, no, never, n't, without, nor, none, neither, cannot). */
  negationCount: number;
}

const NUMBER = /(?<![\p{L}\p{N}])[-+]?\d[\d,]*(?:\.\d+)?/gu;
const PERCENT = /\d\s*(?:%|percent\b|pct\b|per cent\b)/iu;
const CURRENCY = /(?:[$€£¥]\s?\d|\b(?:USD|EUR|GBP|JPY)\s?\d|\d\s?(?:USD|EUR|GBP|JPY)\b)/u;
const CASHTAG = /(?<![\p{L}\p{N}$])\$[A-Za-z]{1,6}(?:\.[A-Za-z]{1,2})?(?![\p{L}\p{N}])/gu;
const NEGATION = /\b(?:not|no|never|without|nor|none|neither|cannot|nothing)\b|n['’]t\b/giu;

/** Normalises a text the way its hash sees it. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

export function textHash(text: string): string {
  return createHash('sha256').update(normaliseText(text)).digest('hex');
}

/**
 * @example
 * textFeatures('Apple beats estimates, shares up 5%!')
 * // → { charCount: 36, tokenCount: 6, hasPercent: true, exclamationCount: 1, numberCount: 1, … }
 */
export function textFeatures(text: string): TextFeatures {
  const normal = normaliseText(text);
  const tokens = normal === '' ? [] : normal.split(' ');
  let letters = 0;
  let upper = 0;
  for (const ch of normal) {
    if (/\p{L}/u.test(ch)) {
      letters++;
      if (ch !== ch.toLowerCase() && ch === ch.toUpperCase()) upper++;
    }
  }
  let tokenChars = 0;
  let allCaps = 0;
  for (const token of tokens) {
    const word = token.replace(/[^\p{L}\p{N}]/gu, '');
    tokenChars += [...word].length;
    const lettersOnly = token.replace(/[^\p{L}]/gu, '');
    if (
      [...lettersOnly].length >= 2 &&
      lettersOnly === lettersOnly.toUpperCase() &&
      /\p{Lu}/u.test(lettersOnly)
    ) {
      allCaps++;
    }
  }
  const numberCount = (normal.match(NUMBER) ?? []).length;
  return {
    textHash: createHash('sha256').update(normal).digest('hex'),
    charCount: [...normal].length,
    tokenCount: tokens.length,
    avgTokenLength: tokens.length === 0 ? 0 : tokenChars / tokens.length,
    uppercaseRatio: letters === 0 ? 0 : upper / letters,
    allCapsTokens: allCaps,
    numberCount,
    hasNumber: numberCount > 0,
    hasPercent: PERCENT.test(normal),
    hasCurrency: CURRENCY.test(normal),
    exclamationCount: count(normal, '!'),
    questionCount: count(normal, '?'),
    cashtagCount: (normal.match(CASHTAG) ?? []).length,
    negationCount: (normal.match(NEGATION) ?? []).length,
  };
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}
