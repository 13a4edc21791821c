/**
 * VADER throughput: finsent's engine against the `vader-sentiment` npm package on the same
 * 20,000 generated financial sentences (and the shared Twitter financial set when present),
 * single-threaded, after warm-up. Prints sentences/s and the ratio; asserts nothing.
 *
 *   npx tsx bench/vader.ts [count=20000] [rounds=5]
 */
import os from 'node:os';
import path from 'node:path';
import vader from 'vader-sentiment';
import { sharedDir } from '../lib/paths';
import { VaderEngine } from '../models/vader/engine';
import { readLabelledCsv } from '../models/vader/financial/csv';
import { financialSentences } from './financial-sentences';

const count = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 7);

function once(texts: readonly string[], score: (t: string) => unknown): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (const t of texts) sink += score(t) ? 1 : 0;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) console.log(sink); // keeps the work observable
  return texts.length / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Rounds alternate between the two implementations so that both see the same machine load (the
 * bench shares two cores with whatever else runs); figures are medians over rounds.
 */
function compare(texts: readonly string[], ours: (t: string) => unknown, theirs: (t: string) => unknown) {
  once(texts, ours); // warm-up (JIT)
  once(texts, theirs);
  const a: number[] = [];
  const b: number[] = [];
  const ratio: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(once(texts, ours));
    b.push(once(texts, theirs));
    ratio.push(a.at(-1)! / b.at(-1)!);
  }
  return { ours: median(a), theirs: median(b), ratio: median(ratio) };
}

function twitterTexts(): string[] | undefined {
  const dir = sharedDir('data', 'twitter-financial-news-sentiment');
  return dir ? readLabelledCsv(path.join(dir, 'sent_train.csv')).map((x) => x.text) : undefined;
}

function report(name: string, texts: readonly string[]): void {
  const words = texts.reduce((n, t) => n + t.split(/\s+/).length, 0) / texts.length;
  const engine = new VaderEngine();
  const { ours, theirs, ratio } = compare(
    texts,
    (t) => engine.polarityScores(t),
    (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t),
  );
  console.log(`\n${name}: ${texts.length} texts, ${words.toFixed(1)} words on average`);
  console.log(
    `  finsent VaderEngine     ${Math.round(ours).toLocaleString('en-US').padStart(10)} sentences/s`,
  );
  console.log(
    `  vader-sentiment 1.1.3   ${Math.round(theirs).toLocaleString('en-US').padStart(10)} sentences/s`,
  );
  console.log(`  ratio (median of rounds) ${ratio.toFixed(1)}x`);
}

console.log(
  `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), median of ${rounds} rounds`,
);
report('generated financial sentences', financialSentences(count));
const tweets = twitterTexts();
if (tweets) report('twitter-financial-news-sentiment sent_train.csv', tweets);
else console.log('\n(../shared twitter set absent: generated sentences only)');
