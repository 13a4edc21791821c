/**
 * Polarity-gate variants on the trainer's seeded search split of the Twitter financial set
 * (sent_valid.csv is never read). The overlay is fitted with the builtin's parameters on the
 * training part; each gate is fitted on the training part's out-of-fold compounds (as the trainer
 * does) and scored on the validation part with its threshold fitted there (the trainer's search
 * figure), next to the v1 rule (two thresholds on compound, fitted there too).
 *
 *   npx tsx bench/vader-gate.ts [--seed 42] [--in-sample] [--grid '[{"gateL2":1e-4},{"gatePairs":1}]']
 *   (~10 s, plus about a second a variant)
 */
import path from 'node:path';
import { sharedDir } from '../lib/paths';
import { VaderEngine } from '../models/vader/engine';
import { readLabelledCsv } from '../models/vader/financial/csv';
import { fitGate, fitGateThreshold, type GateParams } from '../models/vader/financial/gate';
import { scoreLabels } from '../models/vader/financial/metrics';
import { collectNames } from '../models/vader/financial/text';
import { fitThresholds } from '../models/vader/financial/thresholds';
import { buildOverlay, kFolds, stratifiedSplit, VALIDATION_SHARE } from '../models/vader/financial/trainer';
import { PolarityGate } from '../models/vader/gate';
import { stockVaderLexicon } from '../models/vader/lexicon';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const seed = Number.parseInt(option('--seed') ?? '42', 10);
const variants = JSON.parse(
  option('--grid') ??
    '[{"gateL2":1e-4},{"gateL2":3e-4},{"gateL2":1e-3},{"gateL2":3e-3},{"gateL2":1e-2},' +
      '{"gateMinSupport":3},{"gateMinSupport":10},{"gateFunctionWords":0},{"gatePairs":1}]',
) as Partial<GateParams>[];
const dir = sharedDir('data', 'twitter-financial-news-sentiment');
if (!dir || !Number.isInteger(seed)) {
  console.error(
    dir ? '--seed needs an integer' : '../shared/data/twitter-financial-news-sentiment is absent',
  );
  process.exit(2);
}
const { train, validation } = stratifiedSplit(
  readLabelledCsv(path.join(dir, 'sent_train.csv')),
  VALIDATION_SHARE,
  seed,
);
const tokenizer = new VaderEngine();
const stock = stockVaderLexicon();
const names = collectNames([...train, ...validation].map((x) => x.text));
const overlayParams = {
  lambda: 0.5,
  minSupport: 3,
  maxPhrases: 0,
  phraseMinSupport: 6,
  prior: 1,
  learningRate: 0.05,
  steps: 300,
};
const docs = train.map((x) => ({ tokens: tokenizer.tokenize(x.text), label: x.label }));
const engine = new VaderEngine({ overlay: buildOverlay(docs, stock, names, overlayParams) });
const compounds = validation.map((x) => engine.polarityScores(x.text).compound);
const oof = new Array<number>(train.length);
for (const held of kFolds(train, 5, seed)) {
  const inFold = new Set(held);
  const fold = new VaderEngine({
    overlay: buildOverlay(
      docs.filter((_, i) => !inFold.has(i)),
      stock,
      names,
      overlayParams,
    ),
  });
  for (const i of held) oof[i] = fold.polarityScores(train[i]!.text).compound;
}
const gold = validation.map((x) => x.label);
const tokens = validation.map((x) => tokenizer.tokenize(x.text));
console.log(
  `seed ${seed}: ${train.length} training / ${validation.length} validation texts; v1 rule (thresholds fitted on the split): macro-F1 ${fitThresholds(compounds, gold).macroF1.toFixed(3)}`,
);
// The builtin's gate parameters; each variant overrides some of them.
const defaults: GateParams = {
  gate: 1,
  gateL2: 3e-4,
  gateMinSupport: 5,
  gatePairs: 0,
  gateFunctionWords: 1,
  gateLearningRate: 0.05,
  gateSteps: 300,
};
const inSample = args.includes('--in-sample');
// With --in-sample the gate sees the compounds of an overlay fitted on the same texts instead.
const trainCompounds = inSample ? train.map((x) => engine.polarityScores(x.text).compound) : oof;
for (const variant of variants) {
  const params = { ...defaults, ...variant, gate: 1 };
  const spec = fitGate(
    docs.map((d, i) => ({ ...d, compound: trainCompounds[i]! })),
    names,
    params,
  );
  const gate = new PolarityGate({ ...spec, threshold: 0.5, midpoint: 0 });
  const p = tokens.map((t, i) => gate.probability(t, compounds[i]!));
  const fitted = fitGateThreshold(p, compounds, gold);
  const half = scoreLabels(
    gold,
    p.map((q, i) => gate.labelOf(q, { compound: compounds[i]!, neg: 0, neu: 0, pos: 0 })),
  );
  console.log(
    `${JSON.stringify(variant)}: ${Object.keys(spec.weights).length} terms, bias ${spec.bias}, intensity ${spec.intensity} → macro-F1 ${fitted.macroF1.toFixed(3)} (τ ${fitted.threshold.toFixed(3)}); at τ = 0.5: ${half.macroF1.toFixed(3)}`,
  );
}
