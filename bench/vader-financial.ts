/**
 * Trains the financial VADER on the Twitter financial set's train split (hyperparameters of the
 * overlay and the polarity gate searched on a seeded 20% of it), measures macro-F1 on its held-out validation file,
 * and with --write stores the result as the committed `builtin` artifact.
 *
 *   npx tsx bench/vader-financial.ts [--write] [--seed 42]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../lib/paths';
import { VaderEngine } from '../models/vader/engine';
import { ARTIFACT_FILE, ARTIFACT_FORMAT_V2, serializeArtifact } from '../models/vader/financial/artifact';
import { readLabelledCsv } from '../models/vader/financial/csv';
import { BUILTIN_DIR, financialModel } from '../models/vader/financial/family';
import { confusion, scoreLabels } from '../models/vader/financial/metrics';
import { trainFinancialVader } from '../models/vader/financial/trainer';
import { DEFAULT_THRESHOLDS, labelOf } from '../models/vader/mapping';

const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number.parseInt(args[seedAt + 1] ?? '', 10) : 42;
if (!Number.isInteger(seed)) {
  console.error('--seed needs an integer');
  process.exit(2);
}
const dir = sharedDir('data', 'twitter-financial-news-sentiment');
if (!dir) {
  console.error('../shared/data/twitter-financial-news-sentiment is absent: nothing to train on');
  process.exit(2);
}
const train = readLabelledCsv(path.join(dir, 'sent_train.csv'));
const test = readLabelledCsv(path.join(dir, 'sent_valid.csv'));

const started = performance.now();
const result = trainFinancialVader(train, [], {
  seed,
  onProgress: (e) => console.log(`  [${e.step}/${e.total}] ${e.message}`),
});
const seconds = (performance.now() - started) / 1000;
const { artifact } = result;
console.log(
  `\ntrained in ${seconds.toFixed(1)} s, seed ${seed}, ${Object.keys(artifact.overlay).length} overlay terms` +
    (artifact.format === ARTIFACT_FORMAT_V2
      ? `, gate of ${Object.keys(artifact.gate.weights).length} terms (bias ${artifact.gate.bias}, intensity ${artifact.gate.intensity}, threshold ${artifact.gate.threshold})`
      : ', no gate'),
);
console.log(`artifact ${Buffer.byteLength(serializeArtifact(artifact))} bytes`);
console.log('chosen params', artifact.params, 'thresholds', artifact.thresholds);
console.log('search-split validation', artifact.training.validation);

const gold = test.map((x) => x.label);
const tuned = new VaderEngine({ overlay: artifact.overlay });
const stock = new VaderEngine();
const model = financialModel(artifact, 'candidate');
const ours = model.predictSync(test.map((x) => x.text)).map((p) => p.label);
const thresholdsOnly = test.map((x) => labelOf(tuned.polarityScores(x.text).compound, artifact.thresholds));
const base = test.map((x) => labelOf(stock.polarityScores(x.text).compound, DEFAULT_THRESHOLDS));
console.log(`\nheld-out sent_valid.csv (${test.length} texts, never seen in training or search):`);
console.log('  vader-base (±0.05)', scoreLabels(gold, base));
if (model.gate) console.log('  vader, no gate     ', scoreLabels(gold, thresholdsOnly));
console.log('  vader (financial) ', scoreLabels(gold, ours));
console.log('  confusion gold→pred', JSON.stringify(confusion(gold, ours).counts));

if (args.includes('--write')) {
  const file = path.join(BUILTIN_DIR, ARTIFACT_FILE);
  writeFileSync(file, serializeArtifact(artifact));
  console.log(`\nwrote ${file}`);
}
