import { BOOSTER_DICT, IDIOM_WORDS, N_SCALAR, NEGATE, SPECIAL_CASES } from './lexicon';
import { pyRound } from './pystr';

/**
 * The reference's stand-alone rules (`_negation_check`, `_special_idioms_check`, `_but_check`,
 * `score_valence`) and its emoji replacement, as functions over the engine's lower-cased tokens.
 */

/** Emoji that can appear in text start at U+00A9 (©): cheaper to test than a Map lookup. */
const FIRST_EMOJI = 0xa9;

/** VADER's own output: proportions of negative, neutral and positive text, and the compound score. */
export interface VaderScores {
  neg: number;
  neu: number;
  pos: number;
  /** Normalised sum of valences in [-1, 1]. */
  compound: number;
}

function negated(word: string): boolean {
  return NEGATE.has(word) || word.includes("n't");
}

function isSoOrThis(word: string | undefined): boolean {
  return word === 'so' || word === 'this';
}

/** `_negation_check`, including "never so/this" (intensifies) and "without doubt" (no negation). */
export function negationCheck(valence: number, lowers: string[], start: number, i: number): number {
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
export function idiomsCheck(valence: number, lowers: string[], i: number, n: number): number {
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
export function butCheck(lowers: string[], s: Float64Array, n: number): void {
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
export function finalScores(
  s: Float64Array,
  n: number,
  exclamations: number,
  questions: number,
): VaderScores {
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
