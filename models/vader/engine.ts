import {
  BOOSTER_DICT,
  C_INCR,
  IDIOM_WORDS,
  N_SCALAR,
  NEGATE,
  SPECIAL_CASES,
  stockEmojiLexicon,
  stockVaderLexicon,
} from './lexicon';
import { codePointLength, isPyPunctuation, isPyWhitespace, pyIsUpper, pyLower, pyRound } from './pystr';

/** VADER's own output: proportions of negative, neutral and positive text, and the compound score. */
export interface VaderScores {
  neg: number;
  neu: number;
  pos: number;
  /** Normalised sum of valences in [-1, 1]. */
  compound: number;
}

export interface VaderEngineOptions {
  /**
   * Term → valence entries laid over the stock lexicon (new terms added, stock ones replaced).
   * A key with spaces is a phrase ("net loss"): its words, matched case-insensitively after
   * VADER's tokenisation, are scored as one lexicon token.
   */
  overlay?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
}

interface Phrase {
  words: string[];
  text: string;
  valence: number;
}

/** Emoji that can appear in text start at U+00A9 (©): cheaper to test than a Map lookup. */
const FIRST_EMOJI = 0xa9;

/**
 * A faithful and fast port of vaderSentiment 3.3.1's `SentimentIntensityAnalyzer.polarity_scores`.
 * Tables are built once per engine; each call reuses the engine's scratch buffers, so an engine
 * is not re-entrant (it is synchronous, which is all JavaScript needs).
 *
 *   new VaderEngine().polarityScores('VADER is smart, handsome, and funny!')
 *   // → { neg: 0, neu: 0.248, pos: 0.752, compound: 0.8439 }
 */
export class VaderEngine {
  readonly #lexicon: ReadonlyMap<string, number>;
  readonly #emoji: ReadonlyMap<number, string>;
  /** First word → phrases starting with it, longest first. */
  readonly #phrases = new Map<string, Phrase[]>();

  #tokens: string[] = [];
  #lowers: string[] = [];
  #inLex = new Uint8Array(64);
  #upper = new Uint8Array(64);
  #valence = new Float64Array(64);
  #sentiments = new Float64Array(64);

  constructor(options: VaderEngineOptions = {}) {
    const stock = stockVaderLexicon();
    this.#emoji = stockEmojiLexicon();
    const overlay = options.overlay;
    if (!overlay) {
      this.#lexicon = stock;
      return;
    }
    const lexicon = new Map(stock);
    const entries = overlay instanceof Map ? [...overlay.entries()] : Object.entries(overlay);
    for (const [term, valence] of entries) {
      const words = term.toLowerCase().trim().split(/\s+/);
      if (words.length === 1) lexicon.set(words[0]!, valence);
      else this.#addPhrase({ words, text: words.join(' '), valence });
    }
    this.#lexicon = lexicon;
  }

  #addPhrase(phrase: Phrase): void {
    const list = this.#phrases.get(phrase.words[0]!) ?? [];
    list.push(phrase);
    list.sort((a, b) => b.words.length - a.words.length);
    this.#phrases.set(phrase.words[0]!, list);
  }

  /** Valence of a single (lower-case) term in this engine's lexicon, if it has one. */
  valenceOf(term: string): number | undefined {
    return this.#lexicon.get(term);
  }

  polarityScores(text: string): VaderScores {
    const processed = replaceEmoji(text, this.#emoji);
    const { exclamations, questions } = this.#tokenise(processed);
    if (this.#phrases.size > 0) this.#mergePhrases();
    return this.#score(this.#count, exclamations, questions);
  }

  /**
   * VADER's tokens for a text, lower-cased, before phrase merging: what the rules see. Used by
   * the financial trainer so that its features are exactly the engine's words.
   */
  tokenize(text: string): string[] {
    this.#tokenise(replaceEmoji(text, this.#emoji));
    return this.#lowers.slice(0, this.#count);
  }

  /** Number of tokens in the scratch buffers for the current call. */
  #count = 0;

  /** `text.split()` + `_strip_punc_if_word`, with lower-casing, lexicon look-up and caps in one pass. */
  #tokenise(text: string): { exclamations: number; questions: number } {
    let n = 0;
    let exclamations = 0;
    let questions = 0;
    const len = text.length;
    let i = 0;
    while (i < len) {
      while (i < len && isPyWhitespace(text.charCodeAt(i))) i++;
      if (i >= len) break;
      const start = i;
      for (; i < len; i++) {
        const c = text.charCodeAt(i);
        if (c === 33) exclamations++;
        else if (c === 63) questions++;
        else if (isPyWhitespace(c)) break;
      }
      let s = start;
      let e = i;
      while (s < e && isPyPunctuation(text.charCodeAt(s))) s++;
      while (e > s && isPyPunctuation(text.charCodeAt(e - 1))) e--;
      // A stripped word of two or fewer characters was probably an emoticon: keep it whole.
      this.#setToken(n++, codePointLength(text, s, e, 2) <= 2 ? text.slice(start, i) : text.slice(s, e));
    }
    this.#count = n;
    return { exclamations, questions };
  }

  #setToken(k: number, token: string): void {
    if (k >= this.#inLex.length) this.#grow(k * 2);
    const lower = pyLower(token);
    this.#tokens[k] = token;
    this.#lowers[k] = lower;
    const valence = this.#lexicon.get(lower);
    this.#inLex[k] = valence === undefined ? 0 : 1;
    this.#valence[k] = valence ?? 0;
    this.#upper[k] = pyIsUpper(token) ? 1 : 0;
  }

  #grow(size: number): void {
    const grow = <T extends Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.#inLex = grow(this.#inLex, (s) => new Uint8Array(s));
    this.#upper = grow(this.#upper, (s) => new Uint8Array(s));
    this.#valence = grow(this.#valence, (s) => new Float64Array(s));
    this.#sentiments = grow(this.#sentiments, (s) => new Float64Array(s));
  }

  /**
   * Replaces each overlay phrase found in the token stream by one lexicon token, compacting the
   * buffers in place (the write index never passes the read index).
   */
  #mergePhrases(): void {
    const n = this.#count;
    const lowers = this.#lowers;
    let out = 0;
    for (let i = 0; i < n; ) {
      const match = this.#phrases
        .get(lowers[i]!)
        ?.find((p) => p.words.every((w, k) => i + k < n && lowers[i + k] === w));
      if (match) {
        this.#setToken(out, this.#tokens.slice(i, i + match.words.length).join(' '));
        this.#lowers[out] = match.text;
        this.#inLex[out] = 1;
        this.#valence[out] = match.valence;
        i += match.words.length;
      } else {
        if (out !== i) {
          this.#tokens[out] = this.#tokens[i]!;
          this.#lowers[out] = lowers[i]!;
          this.#inLex[out] = this.#inLex[i]!;
          this.#valence[out] = this.#valence[i]!;
          this.#upper[out] = this.#upper[i]!;
        }
        i++;
      }
      out++;
    }
    this.#count = out;
  }

  #score(n: number, exclamations: number, questions: number): VaderScores {
    if (n === 0) return { neg: 0, neu: 0, pos: 0, compound: 0 };
    const lowers = this.#lowers;
    const inLex = this.#inLex;
    const s = this.#sentiments;
    let allCaps = 0;
    for (let i = 0; i < n; i++) allCaps += this.#upper[i]!;
    const capDiff = allCaps > 0 && allCaps < n;

    for (let i = 0; i < n; i++) {
      const lw = lowers[i]!;
      if (BOOSTER_DICT.has(lw) || (lw === 'kind' && i < n - 1 && lowers[i + 1] === 'of') || inLex[i] === 0) {
        s[i] = 0;
        continue;
      }
      s[i] = this.#valenceAt(i, n, capDiff);
    }
    butCheck(lowers, s, n);
    return finalScores(s, n, exclamations, questions);
  }

  /** `sentiment_valence` for a lexicon token at position i. */
  #valenceAt(i: number, n: number, capDiff: boolean): number {
    const lowers = this.#lowers;
    const inLex = this.#inLex;
    const lw = lowers[i]!;
    const base = this.#valence[i]!;
    let valence = base;
    // "no" before another lexicon word negates it rather than counting as negative itself.
    if (lw === 'no' && i !== n - 1 && inLex[i + 1] === 1) valence = 0;
    if (
      (i > 0 && lowers[i - 1] === 'no') ||
      (i > 1 && lowers[i - 2] === 'no') ||
      (i > 2 && lowers[i - 3] === 'no' && (lowers[i - 1] === 'or' || lowers[i - 1] === 'nor'))
    ) {
      valence = base * N_SCALAR;
    }
    if (capDiff && this.#upper[i] === 1) valence += valence > 0 ? C_INCR : -C_INCR;

    for (let start = 0; start < 3; start++) {
      const j = i - start - 1;
      if (j < 0 || inLex[j] === 1) continue;
      let scalar = this.#scalarIncDec(j, valence, capDiff);
      if (scalar !== 0) {
        if (start === 1) scalar *= 0.95;
        else if (start === 2) scalar *= 0.9;
      }
      valence += scalar;
      valence = negationCheck(valence, lowers, start, i);
      if (start === 2) valence = idiomsCheck(valence, lowers, i, n);
    }
    // "least" before a word negates it, except in "at least" and "very least".
    if (i > 1 && inLex[i - 1] === 0 && lowers[i - 1] === 'least') {
      if (lowers[i - 2] !== 'at' && lowers[i - 2] !== 'very') valence *= N_SCALAR;
    } else if (i > 0 && inLex[i - 1] === 0 && lowers[i - 1] === 'least') {
      valence *= N_SCALAR;
    }
    return valence;
  }

  /** `scalar_inc_dec`: a booster's push, signed like the valence, stronger in ALL CAPS. */
  #scalarIncDec(j: number, valence: number, capDiff: boolean): number {
    const booster = BOOSTER_DICT.get(this.#lowers[j]!);
    if (booster === undefined) return 0;
    let scalar = valence < 0 ? -booster : booster;
    if (capDiff && this.#upper[j] === 1) scalar += valence > 0 ? C_INCR : -C_INCR;
    return scalar;
  }
}

function negated(word: string): boolean {
  return NEGATE.has(word) || word.includes("n't");
}

function isSoOrThis(word: string | undefined): boolean {
  return word === 'so' || word === 'this';
}

/** `_negation_check`, including "never so/this" (intensifies) and "without doubt" (no negation). */
function negationCheck(valence: number, lowers: string[], start: number, i: number): number {
  if (start === 0) return negated(lowers[i - 1]!) ? valence * N_SCALAR : valence;
  if (start === 1) {
    if (lowers[i - 2] === 'never' && isSoOrThis(lowers[i - 1])) return valence * 1.25;
    if (lowers[i - 2] === 'without' && lowers[i - 1] === 'doubt') return valence;
    return negated(lowers[i - 2]!) ? valence * N_SCALAR : valence;
  }
  // The reference's precedence: (never AND so/this two back) OR so/this one back.
  if ((lowers[i - 3] === 'never' && isSoOrThis(lowers[i - 2])) || isSoOrThis(lowers[i - 1])) {
    return valence * 1.25;
  }
  if (lowers[i - 3] === 'without' && (lowers[i - 2] === 'doubt' || lowers[i - 1] === 'doubt')) return valence;
  return negated(lowers[i - 3]!) ? valence * N_SCALAR : valence;
}

function special(key: string | undefined): number | undefined {
  return key === undefined ? undefined : SPECIAL_CASES.get(key);
}

function booster(key: string | undefined): number {
  return key === undefined ? 0 : (BOOSTER_DICT.get(key) ?? 0);
}

/** `_special_idioms_check` (only reached with i ≥ 3), skipping string building when no idiom word is near. */
function idiomsCheck(valence: number, lowers: string[], i: number, n: number): number {
  const w0 = lowers[i]!;
  const w1 = lowers[i - 1]!;
  const w2 = lowers[i - 2]!;
  const w3 = lowers[i - 3]!;
  const k1 = IDIOM_WORDS.has(w1);
  const k2 = IDIOM_WORDS.has(w2);
  const k3 = IDIOM_WORDS.has(w3);
  if (!k1 && !k2 && !IDIOM_WORDS.has(w0)) return valence;
  const k0 = IDIOM_WORDS.has(w0);
  // The first matching sequence wins, in the reference's order.
  const before =
    special(k1 && k0 ? `${w1} ${w0}` : undefined) ??
    special(k2 && k1 && k0 ? `${w2} ${w1} ${w0}` : undefined) ??
    special(k2 && k1 ? `${w2} ${w1}` : undefined) ??
    special(k3 && k2 && k1 ? `${w3} ${w2} ${w1}` : undefined) ??
    special(k3 && k2 ? `${w3} ${w2}` : undefined);
  if (before !== undefined) valence = before;
  const zeroOne = special(k0 && n - 1 > i ? `${w0} ${lowers[i + 1]}` : undefined);
  if (zeroOne !== undefined) valence = zeroOne;
  const zeroOneTwo = special(k0 && n - 1 > i + 1 ? `${w0} ${lowers[i + 1]} ${lowers[i + 2]}` : undefined);
  if (zeroOneTwo !== undefined) valence = zeroOneTwo;
  // Two-word dampeners ("kind of", "sort of", "just enough") before the word.
  valence += booster(k3 && k2 && k1 ? `${w3} ${w2} ${w1}` : undefined);
  valence += booster(k3 && k2 ? `${w3} ${w2}` : undefined);
  valence += booster(k2 && k1 ? `${w2} ${w1}` : undefined);
  return valence;
}

/**
 * `_but_check`, bug for bug: the reference rescales `sentiments[sentiments.index(value)]`, the
 * FIRST element equal to the value, not the element being visited, while iterating the list it
 * mutates. Equal valences on both sides of "but" therefore rescale differently than intended.
 */
function butCheck(lowers: string[], s: Float64Array, n: number): void {
  let bi = -1;
  for (let i = 0; i < n; i++) {
    if (lowers[i] === 'but') {
      bi = i;
      break;
    }
  }
  if (bi < 0) return;
  for (let k = 0; k < n; k++) {
    const value = s[k]!;
    let si = 0;
    while (s[si] !== value) si++;
    if (si < bi) s[si] = value * 0.5;
    else if (si > bi) s[si] = value * 1.5;
  }
}

/** `score_valence`: punctuation emphasis, normalisation (alpha = 15) and the three proportions. */
function finalScores(s: Float64Array, n: number, exclamations: number, questions: number): VaderScores {
  let sum = 0;
  let posSum = 0;
  let negSum = 0;
  let neuCount = 0;
  for (let i = 0; i < n; i++) {
    const v = s[i]!;
    sum += v;
    // +1/−1 compensates for neutral words being counted as 1.
    if (v > 0) posSum += v + 1;
    else if (v < 0) negSum += v - 1;
    else neuCount += 1;
  }
  const ep = Math.min(exclamations, 4) * 0.292;
  const qm = questions > 1 ? (questions <= 3 ? questions * 0.18 : 0.96) : 0;
  const punct = ep + qm;
  if (sum > 0) sum += punct;
  else if (sum < 0) sum -= punct;
  const compound = Math.min(1, Math.max(-1, sum / Math.sqrt(sum * sum + 15)));
  if (posSum > Math.abs(negSum)) posSum += punct;
  else if (posSum < Math.abs(negSum)) negSum -= punct;
  const total = posSum + Math.abs(negSum) + neuCount;
  return {
    neg: pyRound(Math.abs(negSum / total), 3),
    neu: pyRound(Math.abs(neuCount / total), 3),
    pos: pyRound(Math.abs(posSum / total), 3),
    compound: pyRound(compound, 4),
  };
}

/**
 * Replaces each emoji code point by its description, spaced from preceding text but not from
 * following text ("a💘b" → "a heart with arrowb"), exactly like the reference. Text without any
 * character from U+00A9 upwards is returned as is.
 */
export function replaceEmoji(text: string, emoji: ReadonlyMap<number, string>): string {
  let i = 0;
  const len = text.length;
  while (i < len && text.charCodeAt(i) < FIRST_EMOJI) i++;
  if (i === len) return text;
  let out = '';
  let prevSpace = true;
  let last = 0;
  for (let k = 0; k < len; k++) {
    const c = text.charCodeAt(k);
    if (c < FIRST_EMOJI) {
      prevSpace = c === 32;
      continue;
    }
    const cp = text.codePointAt(k)!;
    const width = cp > 0xffff ? 2 : 1;
    const description = emoji.get(cp);
    if (description === undefined) {
      prevSpace = false;
      k += width - 1;
      continue;
    }
    out += text.slice(last, k);
    if (!prevSpace) out += ' ';
    out += description;
    prevSpace = false;
    k += width - 1;
    last = k + 1;
  }
  return out + text.slice(last);
}
