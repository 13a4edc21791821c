/**
 * Figures for docs/benchmarks/promotion.md: how long the paired bootstrap takes, and the whole
 * comparison (metrics, McNemar, bootstrap CIs, verdict) on real data when ../shared is present —
 * stock VADER (vader-sentiment, ±0.05 on compound) against the majority class on the Twitter
 * Financial News validation split. Prints; asserts nothing.
 *
 *   npx tsx bench/promotion-stats.ts
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PolicySchema } from '../config/promotion';
import { sharedDir } from '../lib/paths';
import { compareModels } from '../models/compare/compare';
import { renderMarkdownReport } from '../models/compare/report';
import { predictionFromScores } from '../models/prediction';
import { pairedBootstrap } from '../models/stats/bootstrap';
import { createRng } from '../models/stats/prng';
import { loadLabelledSet, TWITTER_FINANCIAL_LABELS } from '../models/training/data';
import type { SentimentModel } from '../models/types';

console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);
console.log('\npaired bootstrap (3 classes, macro-F1 and accuracy of both models and their differences):');
console.log('n\tresamples\tms (median of 3)\tresamples/s');
for (const n of [500, 2388, 10000]) {
  const rng = createRng(n);
  const truth = Uint8Array.from({ length: n }, () => rng.int(3));
  const a = truth.map((t) => (rng.next() < 0.6 ? t : (t + 1) % 3));
  const b = truth.map((t) => (rng.next() < 0.7 ? t : (t + 2) % 3));
  for (const resamples of [2000, 5000, 10000]) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      pairedBootstrap({ truth, a, b, k: 3 }, { resamples, seed: i });
      times.push(performance.now() - t0);
    }
    const ms = times.sort((x, y) => x - y)[1]!;
    console.log(`${n}\t${resamples}\t${ms.toFixed(1)}\t${Math.round((resamples / ms) * 1000)}`);
  }
}

const valid = sharedDir('data', 'twitter-financial-news-sentiment', 'sent_valid.csv');
if (!valid) {
  console.warn('\n../shared/data is absent: skipping the real-data comparison.');
} else {
  // vader-sentiment ships no type declarations: require it and state the one call we use.
  const vader = createRequire(import.meta.url)('vader-sentiment') as {
    SentimentIntensityAnalyzer: {
      polarity_scores(t: string): { compound: number; pos: number; neg: number; neu: number };
    };
  };
  const stock: SentimentModel = {
    family: 'vader-sentiment',
    version: '1.1.3',
    predict: async (texts) =>
      texts.map((t) => {
        const s = vader.SentimentIntensityAnalyzer.polarity_scores(t);
        const label = s.compound >= 0.05 ? 'positive' : s.compound <= -0.05 ? 'negative' : 'neutral';
        return predictionFromScores(
          { positive: s.pos, negative: s.neg, neutral: s.neu },
          'vader-sentiment',
          '1.1.3',
          {
            label,
            sentiment: s.compound,
          },
        );
      }),
  };
  const majority: SentimentModel = {
    family: 'majority',
    version: '1.0.0',
    predict: async (texts) =>
      texts.map(() =>
        predictionFromScores({ positive: 0.2, negative: 0.15, neutral: 0.65 }, 'majority', '1.0.0'),
      ),
  };
  const set = await loadLabelledSet(valid, TWITTER_FINANCIAL_LABELS);
  const rows = set.rows;
  const policy = PolicySchema.parse({ bootstrap: { resamples: 5000, seed: 20240611 } });
  const t0 = performance.now();
  const r = await compareModels(
    majority,
    stock,
    { name: path.basename(valid), fingerprint: set.fingerprint, examples: rows },
    policy,
  );
  console.log(
    `\nreal data: ${rows.length} sentences of ${path.basename(valid)}; comparison took ${(performance.now() - t0).toFixed(0)} ms`,
  );
  console.log(renderMarkdownReport(r, { title: 'bench' }));
}
