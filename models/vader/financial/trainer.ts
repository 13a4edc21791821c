import { InputError } from '../../../lib/errors';
import type { LabelledText, Trainer, TrainOptions, TrainResult } from '../../training/types';
import type { Label } from '../../types';
import { VaderEngine } from '../engine';
import { PolarityGate, type PolarityGateSpec } from '../gate';
import { stockVaderLexicon } from '../lexicon';
import { labelOf } from '../mapping';
import {
  ARTIFACT_FILE,
  ARTIFACT_FORMAT_V1,
  ARTIFACT_FORMAT_V2,
  type FinancialArtifact,
  fingerprint,
  serializeArtifact,
} from './artifact';
import { fitOverlay, type OverlayParams, type TrainingDoc } from './fit';
import { fitGate, fitGateThreshold, type GateDoc, type GateParams } from './gate';
import { scoreLabels } from './metrics';
import { FINANCIAL_PRIOR } from './prior';
import { collectNames } from './text';
import { fitThresholds } from './thresholds';

/** The overlay's search grid (each combination is fitted and scored on the validation split). */
export const OVERLAY_GRID: { [K in keyof OverlayParams]: number[] } = {
  lambda: [0.5, 1, 2],
  minSupport: [3],
  maxPhrases: [0, 150],
  phraseMinSupport: [6],
  prior: [1],
  learningRate: [0.05],
  steps: [300],
};

/**
 * The polarity gate's search grid, searched on the chosen overlay. `gate: 0` is the v1 model
 * (thresholds only), so the gate is kept only where it beats that on the validation split. The
 * penalty stops at 3e-4: weaker ones scored a little higher on the tweets (ADR 064) but learn
 * more of their quirks.
 */
export const GATE_GRID: { [K in keyof GateParams]: number[] } = {
  gate: [0, 1],
  gateL2: [3e-4, 1e-3, 3e-3],
  gateMinSupport: [5],
  gatePairs: [0],
  gateFunctionWords: [1],
  gateLearningRate: [0.05],
  gateSteps: [300],
};

/** The whole search grid; any key can be pinned (a number) or re-gridded (an array) via options.params. */
export const DEFAULT_GRID: { [K in keyof (OverlayParams & GateParams)]: number[] } = {
  ...OVERLAY_GRID,
  ...GATE_GRID,
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

function axes(params: Record<string, unknown> | undefined): Record<string, number[]> {
  const out: Record<string, number[]> = { ...DEFAULT_GRID };
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
    if (key === 'gate' && !values.every((v) => v === 0 || v === 1)) {
      throw new InputError('vader training parameter "gate" must be 0 (no gate) or 1 (learn a gate)');
    }
    out[key] = values as number[];
  }
  return out;
}

function combinations<T>(keys: readonly string[], axes: Record<string, number[]>): T[] {
  let combos: Record<string, number>[] = [{}];
  for (const key of keys) combos = combos.flatMap((c) => axes[key]!.map((v) => ({ ...c, [key]: v })));
  return combos as T[];
}

/** Overlay combinations, and gate combinations (gate: 0 once, without gate parameters). */
function grid(params: Record<string, unknown> | undefined) {
  const all = axes(params);
  const overlays = combinations<OverlayParams>(Object.keys(OVERLAY_GRID), all);
  const gateKeys = Object.keys(GATE_GRID).filter((k) => k !== 'gate');
  const gates: (GateParams | undefined)[] = [];
  if (all.gate!.includes(0)) gates.push(undefined);
  if (all.gate!.includes(1))
    gates.push(...combinations<GateParams>(gateKeys, all).map((g) => ({ ...g, gate: 1 })));
  return { overlays, gates };
}

/**
 * Trains the financial VADER. Hyperparameters are chosen by macro-F1 on `validation` (never on a
 * test set; with an empty validation set, a seeded stratified 20% of `train` is held out): first
 * the overlay's, then, on the chosen overlay, the polarity gate's (or no gate). Thresholds on
 * compound and the gate threshold are then fitted for macro-F1 on 5-fold out-of-fold scores over
 * train ∪ validation, and the final overlay and gate are fitted on all of it. With a gate the
 * artifact is format v2, without one v1. Same data + seed → same files.
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

/** Out-of-fold compounds: each text scored by an overlay fitted on the other folds. */
function outOfFoldCompounds(
  data: readonly LabelledText[],
  docs: readonly TrainingDoc[],
  overlayFor: (on: readonly TrainingDoc[]) => Record<string, number>,
  seed: number,
  onFold?: (k: number) => void,
): number[] {
  const oof = new Array<number>(data.length);
  kFolds(data, FOLDS, seed).forEach((held, k) => {
    onFold?.(k);
    const inFold = new Set(held);
    const engine = new VaderEngine({ overlay: overlayFor(docs.filter((_, i) => !inFold.has(i))) });
    for (const i of held) oof[i] = engine.polarityScores(data[i]!.text).compound;
  });
  return oof;
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
  const validationTokens = split.validation.map((x) => tokenizer.tokenize(x.text));
  const names = collectNames([...split.train, ...split.validation].map((x) => x.text));
  const stock = stockVaderLexicon();
  const gold = split.validation.map((x) => x.label);
  const { overlays: candidates, gates } = grid(options.params);
  const learnsGate = gates.some((g) => g !== undefined);
  const gateCount = gates.filter((g) => g !== undefined).length;
  const total = candidates.length + (learnsGate ? FOLDS + gateCount + FOLDS : 0) + FOLDS + 1;
  let done = 0;
  const progress = (message: string) => options.onProgress?.({ step: ++done, total, message });

  // 1. The overlay: each combination scored on the validation split with thresholds fitted there.
  let best:
    | { params: OverlayParams; overlay: Record<string, number>; macroF1: number; compounds: number[] }
    | undefined;
  const overlayFor = (params: OverlayParams, on: readonly TrainingDoc[] = docs) =>
    buildOverlay(on, stock, names, params);
  for (const params of candidates) {
    const overlay = overlayFor(params);
    const engine = new VaderEngine({ overlay });
    const compounds = split.validation.map((x) => engine.polarityScores(x.text).compound);
    const { macroF1 } = fitThresholds(compounds, gold);
    progress(`${JSON.stringify(params)} → macro-F1 ${macroF1.toFixed(4)}`);
    if (!best || macroF1 > best.macroF1 + 1e-12) best = { params, overlay, macroF1, compounds };
  }
  const chosen = best!;

  // 2. The gate, on the chosen overlay: fitted on the training part with out-of-fold compounds
  // (an overlay is more confident on the texts it was fitted on than on new ones), scored on the
  // validation split with its threshold fitted there; "no gate" competes with the same rule.
  let gateChoice: {
    params: GateParams | undefined;
    spec?: Omit<PolarityGateSpec, 'threshold' | 'midpoint'>;
    macroF1: number;
  } = {
    params: undefined,
    macroF1: gates.includes(undefined) ? chosen.macroF1 : -1,
  };
  if (learnsGate) {
    const trainOof = outOfFoldCompounds(
      split.train,
      docs,
      (on) => overlayFor(chosen.params, on),
      options.seed,
      (k) => progress(`gate: out-of-fold compounds ${k + 1}/${FOLDS}`),
    );
    const gateDocs: GateDoc[] = docs.map((d, i) => ({ ...d, compound: trainOof[i]! }));
    for (const params of gates) {
      if (!params) continue;
      const spec = fitGate(gateDocs, names, params);
      const gate = new PolarityGate({ ...spec, threshold: 0.5, midpoint: 0 });
      const probabilities = validationTokens.map((t, i) => gate.probability(t, chosen.compounds[i]!));
      const { macroF1 } = fitGateThreshold(probabilities, chosen.compounds, gold);
      progress(`gate ${JSON.stringify(params)} → macro-F1 ${macroF1.toFixed(4)}`);
      if (macroF1 > gateChoice.macroF1 + 1e-12) gateChoice = { params, spec, macroF1 };
    }
  }
  const gateParams = gateChoice.params;

  // 3. Thresholds (and the gate threshold) from out-of-fold scores over train ∪ validation
  // (K-fold, seeded): five times the texts of the validation split alone, none scored by a
  // model that saw it. The final overlay and gate are then fitted on all of it.
  const all = [...split.train, ...split.validation];
  const allDocs = all.map((x) => ({ tokens: tokenizer.tokenize(x.text), label: x.label }));
  const allGold = all.map((x) => x.label);
  const oof = outOfFoldCompounds(
    all,
    allDocs,
    (on) => overlayFor(chosen.params, on),
    options.seed,
    (k) => progress(`threshold fold ${k + 1}/${FOLDS}`),
  );
  const { macroF1: oofThresholdsMacroF1, ...thresholds } = fitThresholds(oof, allGold);
  let gate: PolarityGateSpec | undefined;
  let oofMacroF1 = oofThresholdsMacroF1;
  if (gateParams) {
    const allGateDocs: GateDoc[] = allDocs.map((d, i) => ({ ...d, compound: oof[i]! }));
    const probabilities = new Array<number>(all.length);
    kFolds(all, FOLDS, options.seed).forEach((held, k) => {
      progress(`gate threshold fold ${k + 1}/${FOLDS}`);
      const inFold = new Set(held);
      const foldGate = new PolarityGate({
        ...fitGate(
          allGateDocs.filter((_, i) => !inFold.has(i)),
          names,
          gateParams,
        ),
        threshold: 0.5,
        midpoint: 0,
      });
      for (const i of held) probabilities[i] = foldGate.probability(allDocs[i]!.tokens, oof[i]!);
    });
    const fitted = fitGateThreshold(probabilities, oof, allGold);
    oofMacroF1 = fitted.macroF1;
    gate = { ...fitGate(allGateDocs, names, gateParams), threshold: fitted.threshold, midpoint: 0 };
  }
  progress('final overlay');
  const overlay = overlayFor(chosen.params, allDocs);

  // The search split's figures, for the overlay (and gate) chosen there with the final thresholds.
  const thresholdLabels = chosen.compounds.map((c) => labelOf(c, thresholds));
  const thresholdScores = scoreLabels(gold, thresholdLabels);
  let tuned = thresholdScores;
  if (gate && gateChoice.spec) {
    const searchGate = new PolarityGate({
      ...gateChoice.spec,
      threshold: gate.threshold,
      midpoint: gate.midpoint,
    });
    tuned = scoreLabels(
      gold,
      validationTokens.map((t, i) => {
        const compound = chosen.compounds[i]!;
        return searchGate.labelOf(searchGate.probability(t, compound), { compound, neg: 0, neu: 0, pos: 0 });
      }),
    );
  }
  const stockEngine = new VaderEngine();
  const stockScores = scoreLabels(
    gold,
    split.validation.map((x) =>
      labelOf(stockEngine.polarityScores(x.text).compound, { positive: 0.05, negative: -0.05 }),
    ),
  );
  const validation: Record<string, number> = {
    macroF1: tuned.macroF1,
    accuracy: tuned.accuracy,
    searchMacroF1: gate ? gateChoice.macroF1 : chosen.macroF1,
    outOfFoldMacroF1: oofMacroF1,
    stockMacroF1: stockScores.macroF1,
    stockAccuracy: stockScores.accuracy,
  };
  if (gate) {
    // What the same overlay gives without the gate (the v1 rule), for comparison.
    validation.thresholdsMacroF1 = thresholdScores.macroF1;
    validation.thresholdsAccuracy = thresholdScores.accuracy;
    validation.thresholdsOutOfFoldMacroF1 = oofThresholdsMacroF1;
  }
  const training = {
    seed: options.seed,
    trainSize: split.train.length,
    validationSize: split.validation.length,
    trainFingerprint: fingerprint(trainSet),
    validationFingerprint: fingerprint(validationSet),
    validation,
    searched: candidates.length + gates.length,
  };
  const common = { engine: 'vaderSentiment 3.3.1' as const, overlay, thresholds, training };
  const artifact: FinancialArtifact =
    gate && gateParams
      ? {
          format: ARTIFACT_FORMAT_V2,
          ...common,
          gate,
          params: { ...chosen.params, ...gateParams, gate: 1 as const },
        }
      : { format: ARTIFACT_FORMAT_V1, ...common, params: chosen.params };
  const notes = [
    `overlay of ${Object.keys(overlay).length} terms over the VADER 3.3.1 lexicon`,
    gate
      ? `polarity gate of ${Object.keys(gate.weights).length} term weights (threshold ${gate.threshold})`
      : 'no polarity gate: thresholds on compound decide',
    `${candidates.length + gates.length} hyperparameter combinations searched on ${split.validation.length} validation texts`,
  ];
  return {
    family: 'vader',
    files: { [ARTIFACT_FILE]: serializeArtifact(artifact) },
    params: { ...artifact.params, thresholds, ...(gate ? { gateThreshold: gate.threshold } : {}) },
    validation,
    notes,
    artifact,
  };
}
