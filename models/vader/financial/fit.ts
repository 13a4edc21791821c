import type { Label } from '../../types';
import { isLearnable, ruleMultipliers } from './text';

/** Hyperparameters of the overlay fit (searched by the trainer on a validation split). */
export interface OverlayParams {
  /** Ridge strength pulling each valence toward its stock value (0 for words VADER lacks). */
  lambda: number;
  /** Minimum number of training texts a word must occur in to be re-estimated. */
  minSupport: number;
  /** 1: shrink toward (and fall back on) finsent's financial prior; 0: toward the stock lexicon only. */
  prior: number;
  /** Adam step size and number of full-batch steps. */
  learningRate: number;
  steps: number;
  /** At most this many two-word phrases are learned (0: none). */
  maxPhrases: number;
  /** Minimum number of training texts a phrase must occur in. */
  phraseMinSupport: number;
}

export interface TrainingDoc {
  tokens: readonly string[];
  label: Label;
}

export interface FittedOverlay {
  /** Re-estimated term (or phrase) → valence, rounded to 3 decimals. */
  values: Map<string, number>;
  /** Phrases merged before fitting: the seeds found in the data and those selected from it. */
  phrases: string[];
}

const MAX_VALENCE = 4;

interface ClassCounts {
  df: number;
  pos: number;
  neg: number;
}

function polarity(c: ClassCounts | undefined): number {
  return c ? (c.pos - c.neg) / (c.df + 4) : 0;
}

function countTerms(docs: readonly TrainingDoc[], terms: (tokens: readonly string[]) => Iterable<string>) {
  const counts = new Map<string, ClassCounts>();
  for (const doc of docs) {
    for (const term of new Set(terms(doc.tokens))) {
      const c = counts.get(term) ?? { df: 0, pos: 0, neg: 0 };
      counts.set(term, c);
      c.df++;
      if (doc.label === 'positive') c.pos++;
      else if (doc.label === 'negative') c.neg++;
    }
  }
  return counts;
}

/**
 * Two-word phrases whose class balance says more than their words do ("net loss" vs "net" and
 * "loss"), ranked by that surplus weighted by √support.
 */
function selectPhrases(
  docs: readonly TrainingDoc[],
  learnable: (t: string) => boolean,
  p: OverlayParams,
): string[] {
  if (p.maxPhrases <= 0) return [];
  const unigrams = countTerms(docs, (t) => t);
  const bigrams = countTerms(docs, function* (t) {
    for (let i = 0; i + 1 < t.length; i++)
      if (learnable(t[i]!) && learnable(t[i + 1]!)) yield `${t[i]} ${t[i + 1]}`;
  });
  const scored: [string, number][] = [];
  for (const [phrase, c] of bigrams) {
    if (c.df < p.phraseMinSupport) continue;
    const [a, b] = phrase.split(' ') as [string, string];
    const own = polarity(c);
    const surplus = Math.abs(own - (polarity(unigrams.get(a)) + polarity(unigrams.get(b))) / 2);
    if (Math.abs(own) >= 0.25 && surplus >= 0.2) scored.push([phrase, surplus * Math.sqrt(c.df)]);
  }
  scored.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  return scored.slice(0, p.maxPhrases).map(([phrase]) => phrase);
}

/**
 * A conservative stem for tying inflections (falls/fell are not tied, falls/falling are): strips
 * -ing, -ed, -es, -s and a doubled final consonant, keeping at least three letters.
 */
export function stem(word: string): string {
  if (word.includes(' ')) return word;
  let w = word;
  for (const suffix of ['ing', 'ed', 'es', 's']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix) && !w.endsWith('ss')) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w !== word && w.length >= 4 && w.at(-1) === w.at(-2) && !'aeiouls'.includes(w.at(-1)!))
    w = w.slice(0, -1);
  if (w !== word && w.endsWith('e') && w.length >= 4) w = w.slice(0, -1);
  return w.endsWith('e') && w.length >= 4 ? w.slice(0, -1) : w;
}

/** First word → phrases (as word lists) starting with it, longest first. */
export type PhraseIndex = Map<string, string[][]>;

export function phraseIndex(phrases: Iterable<string>): PhraseIndex {
  const index: PhraseIndex = new Map();
  for (const phrase of phrases) {
    const words = phrase.split(' ');
    index.set(
      words[0]!,
      [...(index.get(words[0]!) ?? []), words].sort((x, y) => y.length - x.length),
    );
  }
  return index;
}

/** Greedy left-to-right, longest-first merge of known phrases, as the engine does. */
export function mergePhrases(tokens: readonly string[], index: PhraseIndex): string[] {
  if (index.size === 0) return [...tokens];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const match = index.get(tokens[i]!)?.find((words) => words.every((w, k) => tokens[i + k] === w));
    if (match) {
      out.push(match.join(' '));
      i += match.length;
    } else out.push(tokens[i++]!);
  }
  return out;
}

/**
 * Fits per-term valences with a proportional-odds (ordinal logistic) model on VADER's own sum:
 * P(negative) = σ(θ₁ − s), P(negative or neutral) = σ(θ₂ − s), with s = Σ_tokens m·v, where m is
 * the engine's negation / "but" multiplier. The penalty λ Σ (v − v_stock)² shrinks each valence
 * toward its stock value (0 for words VADER lacks). Full-batch Adam from the stock values, fixed
 * step count and term order: the same data and parameters give the same valences.
 */
export function fitOverlay(
  docs: readonly TrainingDoc[],
  base: ReadonlyMap<string, number>,
  excluded: ReadonlySet<string>,
  p: OverlayParams,
  seedPhrases: ReadonlyMap<string, number> = new Map(),
): FittedOverlay {
  const learnable = (t: string) => isLearnable(t) && !excluded.has(t);
  const phraseSet = new Set([...seedPhrases.keys(), ...selectPhrases(docs, learnable, p)]);
  const phrases = phraseIndex(phraseSet);
  const merged = docs.map((d) => mergePhrases(d.tokens, phrases));
  const df = countTerms(
    merged.map((tokens, i) => ({ tokens, label: docs[i]!.label })),
    (t) => t,
  );
  // Inflections share one valence (falls/falling/fall): support is counted per stem.
  const groupOf = (t: string) => (phraseSet.has(t) ? t : stem(t));
  const groupDf = new Map<string, number>();
  for (const [t, c] of df)
    if (phraseSet.has(t) || learnable(t)) groupDf.set(groupOf(t), (groupDf.get(groupOf(t)) ?? 0) + c.df);
  const vocab = [...df.keys()]
    .filter((t) => phraseSet.has(t) || (learnable(t) && (groupDf.get(groupOf(t)) ?? 0) >= p.minSupport))
    .sort();
  const groups = [...new Set(vocab.map(groupOf))].sort();
  const groupIndex = new Map(groups.map((g, k) => [g, k]));
  const index = new Map(vocab.map((t) => [t, groupIndex.get(groupOf(t))!]));
  const priorSum = new Float64Array(groups.length);
  const members = new Float64Array(groups.length);
  for (const t of vocab) {
    const k = index.get(t)!;
    priorSum[k] = priorSum[k]! + (base.get(t) ?? seedPhrases.get(t) ?? 0);
    members[k] = members[k]! + 1;
  }
  const prior = Array.from(priorSum, (sum, k) => sum / members[k]!);

  // Row-wise sparse design: per text, the terms it holds with their summed multipliers, plus the
  // fixed contribution of words that keep their stock valence.
  const rows = merged.map((tokens) => {
    const mult = ruleMultipliers(tokens);
    const local = new Map<number, number>();
    let fixed = 0;
    tokens.forEach((t, i) => {
      const j = index.get(t);
      if (j === undefined) fixed += mult[i]! * (base.get(t) ?? 0);
      else local.set(j, (local.get(j) ?? 0) + mult[i]!);
    });
    return { terms: [...local.keys()], x: [...local.values()], fixed };
  });
  const labels = docs.map((d) => d.label);
  const v = Float64Array.from(prior);
  const size = groups.length;
  // θ₁ = a, θ₂ = a + e^b keeps the thresholds ordered.
  const params = { a: -1, b: Math.log(2) };
  const adam = new Adam(size + 2, p.learningRate);
  const grad = new Float64Array(size + 2);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const n = docs.length;

  for (let step = 0; step < p.steps; step++) {
    grad.fill(0);
    const t1 = params.a;
    const t2 = params.a + Math.exp(params.b);
    for (let d = 0; d < n; d++) {
      const row = rows[d]!;
      let sum = row.fixed;
      for (let k = 0; k < row.terms.length; k++) sum += row.x[k]! * v[row.terms[k]!]!;
      const sa = sigmoid(t1 - sum);
      const sb = sigmoid(t2 - sum);
      let ds: number;
      let d1: number;
      let d2: number;
      if (labels[d] === 'negative') {
        ds = 1 - sa;
        d1 = -(1 - sa);
        d2 = 0;
      } else if (labels[d] === 'positive') {
        ds = -sb;
        d1 = 0;
        d2 = sb;
      } else {
        const pa = sa * (1 - sa);
        const pb = sb * (1 - sb);
        const mass = Math.max(sb - sa, 1e-12);
        ds = (pb - pa) / mass;
        d1 = pa / mass;
        d2 = -pb / mass;
      }
      for (let k = 0; k < row.terms.length; k++) grad[row.terms[k]!]! += (ds * row.x[k]!) / n;
      grad[size]! += (d1 + d2) / n;
      grad[size + 1]! += (d2 * Math.exp(params.b)) / n;
    }
    for (let j = 0; j < size; j++) grad[j]! += (2 * p.lambda * (v[j]! - prior[j]!)) / n;
    adam.step(grad, (j, delta) => {
      if (j < size) v[j] = Math.max(-MAX_VALENCE, Math.min(MAX_VALENCE, v[j]! - delta));
      else if (j === size) params.a -= delta;
      else params.b -= delta;
    });
  }

  const values = new Map(vocab.map((t) => [t, Math.round(v[index.get(t)!]! * 1000) / 1000]));
  return { values, phrases: vocab.filter((t) => phraseSet.has(t)) };
}

/** Adam (Kingma & Ba) over a flat parameter vector; `apply(j, delta)` subtracts delta from θ_j. */
export class Adam {
  readonly #m: Float64Array;
  readonly #v: Float64Array;
  #t = 0;
  constructor(
    size: number,
    readonly rate: number,
  ) {
    this.#m = new Float64Array(size);
    this.#v = new Float64Array(size);
  }

  step(grad: Float64Array, apply: (j: number, delta: number) => void): void {
    this.#t++;
    const c1 = 1 - 0.9 ** this.#t;
    const c2 = 1 - 0.999 ** this.#t;
    for (let j = 0; j < grad.length; j++) {
      const g = grad[j]!;
      this.#m[j] = 0.9 * this.#m[j]! + 0.1 * g;
      this.#v[j] = 0.999 * this.#v[j]! + 0.001 * g * g;
      if (g === 0 && this.#m[j] === 0) continue;
      apply(j, (this.rate * (this.#m[j]! / c1)) / (Math.sqrt(this.#v[j]! / c2) + 1e-8));
    }
  }
}
