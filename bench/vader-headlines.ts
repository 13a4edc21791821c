/**
 * The builtin financial VADER on finsent's own labelled headline set (models/data, ADR 016): 555
 * fictional news headlines that no VADER training run reads. It is small and written by the
 * project, so a smoke test of news wording rather than a benchmark, but it is the only labelled
 * news-style text in the repository: a first check that what the tweets taught generalises.
 *
 *   npx tsx bench/vader-headlines.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Label } from '../models/types';
import { readArtifactDir } from '../models/vader/financial/artifact';
import { BUILTIN_DIR, financialModel } from '../models/vader/financial/family';
import { confusion, scoreLabels } from '../models/vader/financial/metrics';
import { VaderModel } from '../models/vader/model';

const data = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'models', 'data');
const read = (split: string) =>
  readFileSync(path.join(data, `finsent-headlines.${split}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { text: string; label: Label });
const sets = { 'all 555': ['train', 'validation', 'test'].flatMap(read), 'test split': read('test') };
const artifact = readArtifactDir(BUILTIN_DIR);
const models: [string, VaderModel][] = [
  ['vader-base (±0.05)', new VaderModel('vader-base', '3.3.1')],
  [
    'vader builtin, thresholds only',
    new VaderModel('vader', 'builtin', { overlay: artifact.overlay, thresholds: artifact.thresholds }),
  ],
];
if (artifact.format.endsWith('/v2'))
  models.push(['vader builtin (gated)', financialModel(artifact, 'builtin')]);
for (const [setName, rows] of Object.entries(sets)) {
  console.log(`${setName} (${rows.length} headlines):`);
  const gold = rows.map((r) => r.label);
  for (const [name, model] of models) {
    const predicted = model.predictSync(rows.map((r) => r.text)).map((p) => p.label);
    const { macroF1, accuracy } = scoreLabels(gold, predicted);
    console.log(`  ${name.padEnd(32)} macro-F1 ${macroF1.toFixed(3)}  accuracy ${accuracy.toFixed(3)}`);
    if (setName === 'all 555')
      console.log(`    confusion gold→pred ${JSON.stringify(confusion(gold, predicted).counts)}`);
  }
}
