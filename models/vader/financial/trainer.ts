import { InputError } from '../../../lib/errors';
import type { LabelledText, Trainer, TrainOptions, TrainResult } from '../../training/types';
import type { Label } from '../../types';
import { VaderEngine } from '../engine';
import { stockVaderLexicon } from '../lexicon';
import { labelOf } from '../mapping';
import {
  ARTIFACT_FILE,
  ARTIFACT_FORMAT,
  type FinancialArtifact,
  fingerprint,
  serializeArtifact,
} from './artifact';
import { fitOverlay, type OverlayParams, type TrainingDoc } from './fit';
import { scoreLabels } from './metrics';
import { FINANCIAL_PRIOR } from './prior';
import { collectNames } from './text';
import { fitThresholds } from './thresholds';

/** The search grid; any key can be pinned (a number) or re-gridded (an array) via options.params. */
export const DEFAULT_GRID: { [K in keyof OverlayParams]: number[] } = {
  lambda: [0.5, 1, 2],
  minSupport: [3],
  maxPhrases: [0, 150],
  phraseMinSupport: [6],
  prior: [1],
  learningRate: [0.05],
  steps: [300],
};

/** Folds of the out-of-fold scoring the final thresholds are fitted on. */
export const FOLDS = 5;

/** Share of the training data held out for the search when no validation set is given. */
export const VALIDATION_SHARE = 0.2;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stratified split, the same for the same seed and data. */
export function stratifiedSplit(data: readonly LabelledText[], share: number, seed: number) {
  const random = rng(seed);
  const train: LabelledText[] = [];
  const held: LabelledText[] = [];
  const byLabel = new Map<Label, LabelledText[]>();
  for (const x of data) {
    const list = byLabel.get(x.label) ?? [];
    list.push(x);
    byLabel.set(x.label, list);
  }
  for (const label of [...byLabel.keys()].sort()) {
    const items = [...byLabel.get(label)!];
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    const cut = Math.round(items.length * share);
    held.push(...items.slice(0, cut));
    train.push(...items.slice(cut));
  }
  return { train, validation: held };
}

/** Stratified K folds of indices into `data`, the same for the same seed. */
export function kFolds(data: readonly LabelledText[], k: number, seed: number): number[][] {
  const random = rng(seed ^ 0x5eed);
  const folds: number[][] = Array.from({ length: k }, () => []);
  const byLabel = new Map<Label, number[]>();
  data.forEach((x, i) => {
    const list = byLabel.get(x.label) ?? [];
    list.push(i);
    byLabel.set(x.label, list);
  });
  let next = 0;
  for (const label of [...byLabel.keys()].sort()) {
    const items = byLabel.get(label)!;
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    for (const index of items) folds[next++ % k]!.push(index);
  }
  return folds.map((f) => f.sort((a, b) => a - b));
}

function grid(params: Record<string, unknown> | undefined): OverlayParams[] {
  const axes = { ...DEFAULT_GRID } as Record<keyof OverlayParams, number[]>;
  for (const [key, value] of Object.entries(params ?? {})) {
    if (!(key in DEFAULT_GRID)) {
      throw new InputError(
        `unknown vader training parameter "${key}": use ${Object.keys(DEFAULT_GRID).join(', ')}`,
      );
    }
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new InputError(
        `vader training parameter "${key}" must be a non-negative number or a list of them`,
      );
    }
    axes[key as keyof OverlayParams] = values as number[];
  }
  let combos: Partial<OverlayParams>[] = [{}];
  for (const key of Object.keys(DEFAULT_GRID) as (keyof OverlayParams)[]) {
    combos = combos.flatMap((c) => axes[key].map((v) => ({ ...c, [key]: v })));
  }
  return combos as OverlayParams[];
}

/**
 * Trains the financial VADER. Hyperparameters are chosen by macro-F1 on `validation` (never on a
 * test set; with an empty validation set, a seeded stratified 20% of `train` is held out).
 * Thresholds on compound are then fitted for macro-F1 on 5-fold out-of-fold compounds over
 * train ∪ validation, and the final overlay is fitted on all of it. Same data + seed → same files.
 *
 *   const result = await vaderTrainer.train(train, [], { seed: 7 });
 *   result.files['vader-financial.json']   // the artifact
 */
export const vaderTrainer: Trainer = {
  family: 'vader',
  async train(
    trainSet: readonly LabelledText[],
    validationSet: readonly LabelledText[],
    options: TrainOptions,
  ) {
    return trainFinancialVader(trainSet, validationSet, options);
  },
};

/**
 * The overlay for one parameter set: the financial prior where the data is silent, the fitted
 * valences where it speaks (kept when they differ from the stock lexicon, or are prior terms).
 */
export function buildOverlay(
  docs: readonly TrainingDoc[],
  stock: ReadonlyMap<string, number>,
  excluded: ReadonlySet<string>,
  params: OverlayParams,
): Record<string, number> {
  const prior = params.prior > 0 ? FINANCIAL_PRIOR : {};
  const base = new Map(stock);
  const seeds = new Map<string, number>();
  for (const [term, value] of Object.entries(prior)) (term.includes(' ') ? seeds : base).set(term, value);
  const { values } = fitOverlay(docs, base, excluded, params, seeds);
  const overlay: Record<string, number> = { ...prior };
  for (const [term, value] of values) {
    if (term.includes(' ') || term in prior || Math.abs(value - (stock.get(term) ?? 0)) >= 0.01)
      overlay[term] = value;
  }
  return overlay;
}

export function trainFinancialVader(
  trainSet: readonly LabelledText[],
  validationSet: readonly LabelledText[],
  options: TrainOptions,
): TrainResult & { artifact: FinancialArtifact } {
  const split =
    validationSet.length > 0
      ? { train: [...trainSet], validation: [...validationSet] }
      : stratifiedSplit(trainSet, VALIDATION_SHARE, options.seed);
  if (split.train.length < 50 || split.validation.length < 20) {
    throw new InputError(
      `financial VADER needs at least 50 training and 20 validation texts, got ${split.train.length} and ${split.validation.length}`,
    );
  }
  const tokenizer = new VaderEngine();
  const docs = split.train.map((x) => ({ tokens: tokenizer.tokenize(x.text), label: x.label }));
  const names = collectNames([...split.train, ...split.validation].map((x) => x.text));
  const stock = stockVaderLexicon();
  const gold = split.validation.map((x) => x.label);
  const candidates = grid(options.params);

  let best: { params: OverlayParams; overlay: Record<string, number>; macroF1: number } | undefined;
  const overlayFor = (params: OverlayParams, on: readonly TrainingDoc[] = docs) =>
    buildOverlay(on, stock, names, params);
  candidates.forEach((params, step) => {
    const overlay = overlayFor(params);
    const engine = new VaderEngine({ overlay });
    const compounds = split.validation.map((x) => engine.polarityScores(x.text).compound);
    const { macroF1 } = fitThresholds(compounds, gold);
    options.onProgress?.({
      step: step + 1,
      total: candidates.length,
      message: `${JSON.stringify(params)} → macro-F1 ${macroF1.toFixed(4)}`,
    });
    if (!best || macroF1 > best.macroF1 + 1e-12) best = { params, overlay, macroF1 };
  });
  const chosen = best!;

  // Thresholds from out-of-fold compounds over train ∪ validation (K-fold, seeded): five times the
  // texts of the validation split alone, none scored by an overlay that saw it. The final overlay
  // is then fitted on all of it.
  const all = [...split.train, ...split.validation];
  const folds = kFolds(all, FOLDS, options.seed);
  const oof = new Array<number>(all.length);
  folds.forEach((held, k) => {
    options.onProgress?.({
      step: candidates.length + k + 1,
      total: candidates.length + FOLDS + 1,
      message: `threshold fold ${k + 1}/${FOLDS}`,
    });
    const inFold = new Set(held);
    const foldDocs = all.flatMap((x, i) =>
      inFold.has(i) ? [] : [{ tokens: tokenizer.tokenize(x.text), label: x.label }],
    );
    const foldEngine = new VaderEngine({ overlay: overlayFor(chosen.params, foldDocs) });
    for (const i of held) oof[i] = foldEngine.polarityScores(all[i]!.text).compound;
  });
  const allGold = all.map((x) => x.label);
  const { macroF1: oofMacroF1, ...thresholds } = fitThresholds(oof, allGold);
  const overlay = overlayFor(
    chosen.params,
    all.map((x) => ({ tokens: tokenizer.tokenize(x.text), label: x.label })),
  );
  // The search split's figures, for the overlay chosen there with the final thresholds.
  const engine = new VaderEngine({ overlay: chosen.overlay });
  const compounds = split.validation.map((x) => engine.polarityScores(x.text).compound);
  const tuned = scoreLabels(
    gold,
    compounds.map((c) => labelOf(c, thresholds)),
  );
  const stockEngine = new VaderEngine();
  const stockScores = scoreLabels(
    gold,
    split.validation.map((x) =>
      labelOf(stockEngine.polarityScores(x.text).compound, { positive: 0.05, negative: -0.05 }),
    ),
  );
  const validation = {
    macroF1: tuned.macroF1,
    accuracy: tuned.accuracy,
    searchMacroF1: chosen.macroF1,
    outOfFoldMacroF1: oofMacroF1,
    stockMacroF1: stockScores.macroF1,
    stockAccuracy: stockScores.accuracy,
  };
  const artifact: FinancialArtifact = {
    format: ARTIFACT_FORMAT,
    engine: 'vaderSentiment 3.3.1',
    overlay,
    thresholds,
    params: chosen.params,
    training: {
      seed: options.seed,
      trainSize: split.train.length,
      validationSize: split.validation.length,
      trainFingerprint: fingerprint(trainSet),
      validationFingerprint: fingerprint(validationSet),
      validation,
      searched: candidates.length,
    },
  };
  return {
    family: 'vader',
    files: { [ARTIFACT_FILE]: serializeArtifact(artifact) },
    params: { ...chosen.params, thresholds },
    validation,
    notes: [
      `overlay of ${Object.keys(overlay).length} terms over the VADER 3.3.1 lexicon`,
      `${candidates.length} hyperparameter combinations searched on ${split.validation.length} validation texts`,
    ],
    artifact,
  };
}
