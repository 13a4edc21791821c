import { BOOSTER_DICT, C_INCR, N_SCALAR, stockEmojiLexicon, stockVaderLexicon } from './lexicon';
import { codePointLength, isPyPunctuation, isPyWhitespace, pyIsUpper, pyLower } from './pystr';
import { butCheck, finalScores, idiomsCheck, negationCheck, replaceEmoji, type VaderScores } from './rules';

export { replaceEmoji, type VaderScores } from './rules';

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
   * `polarityScores` and `tokenize` in one pass: the scores and the lower-cased tokens before
   * phrase merging (what the financial VADER's polarity gate reads).
   */
  scoreAndTokenize(text: string): { scores: VaderScores; tokens: string[] } {
    const processed = replaceEmoji(text, this.#emoji);
    const { exclamations, questions } = this.#tokenise(processed);
    const tokens = this.#lowers.slice(0, this.#count);
    if (this.#phrases.size > 0) this.#mergePhrases();
    return { scores: this.#score(this.#count, exclamations, questions), tokens };
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
