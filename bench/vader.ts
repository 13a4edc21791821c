/**
 * VADER throughput: finsent's engine against the `vader-sentiment` npm package on the same
 * 20,000 generated financial sentences (and the shared Twitter financial set when present),
 * single-threaded, after warm-up. Prints sentences/s and the ratio; asserts nothing.
 *
 *   npx tsx bench/vader.ts [count=20000] [rounds=5]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vader from 'vader-sentiment';
import { sharedDir } from '../lib/paths';
import { VaderEngine } from '../models/vader/engine';
import { financialSentences } from './financial-sentences';

const count = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 5);

function throughput(texts: readonly string[], score: (t: string) => unknown): number {
  let sink = 0;
  for (let w = 0; w < 2; w++) for (const t of texts) sink += score(t) ? 1 : 0; // warm-up (JIT)
  const best: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (const t of texts) sink += score(t) ? 1 : 0;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best.push(texts.length / seconds);
  }
  if (sink < 0) console.log(sink);
  best.sort((a, b) => a - b);
  return best[Math.floor(best.length / 2)]!; // median round
}

function twitterTexts(): string[] | undefined {
  const dir = sharedDir('data', 'twitter-financial-news-sentiment');
  if (!dir) return undefined;
  const lines = readFileSync(path.join(dir, 'sent_train.csv'), 'utf8').split('\n').slice(1);
  // The text is everything before the last comma (the label); quotes do not matter for timing.
  return lines.filter((l) => l.trim()).map((l) => l.slice(0, l.lastIndexOf(',')).replace(/^"|"$/g, ''));
}

function report(name: string, texts: readonly string[]): void {
  const words = texts.reduce((n, t) => n + t.split(/\s+/).length, 0) / texts.length;
  const engine = new VaderEngine();
  const ours = throughput(texts, (t) => engine.polarityScores(t));
  const theirs = throughput(texts, (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t));
  console.log(`\n${name}: ${texts.length} texts, ${words.toFixed(1)} words on average`);
  console.log(
    `  finsent VaderEngine     ${Math.round(ours).toLocaleString('en-US').padStart(10)} sentences/s`,
  );
  console.log(
    `  vader-sentiment 1.1.3   ${Math.round(theirs).toLocaleString('en-US').padStart(10)} sentences/s`,
  );
  console.log(`  ratio                   ${(ours / theirs).toFixed(1)}x`);
}

console.log(
  `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), median of ${rounds} rounds`,
);
report('generated financial sentences', financialSentences(count));
const tweets = twitterTexts();
if (tweets) report('twitter-financial-news-sentiment sent_train.csv', tweets);
else console.log('\n(../shared twitter set absent: generated sentences only)');
