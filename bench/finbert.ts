/**
 * FinBERT-path benchmark on a BERT-base-shaped fixture (12 layers, hidden 768, 12 heads, vocab
 * 30,522; random weights, so speed is real and outputs mean nothing):
 *
 *   npx tsx bench/finbert.ts                 # fp32 and int8, ~6–7 minutes on 2 shared cores
 *   npx tsx bench/finbert.ts --dtypes q8 --headlines 32 --latency-runs 30
 *
 * Prints single-headline latency (p50/p95/p99), throughput at 1, 8 and 32 concurrent callers with
 * and without micro-batching, and finsent's time against a bare onnxruntime-node session.run on the
 * same token ids. Never asserts on time. The fixture is built once into .finsent/fixtures/ (~550 MB).
 */
import os from 'node:os';
import path from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import ort from 'onnxruntime-node';
import { readEnv } from '../lib/env';
import { REPO_ROOT } from '../lib/paths';
import { FinbertModel, loadFinbertModel } from '../models/finbert/model';
import { encodeBatch, loadBertRuntime } from '../models/finbert/runtime';
import { DTYPE_FILE, type FinbertDtype, finbertSettings } from '../models/finbert/settings';
import { ensureBertFixture } from '../scripts/fixtures/bert/build';
import { BERT_BASE_SHAPE } from '../scripts/fixtures/bert/weights';

const HEADLINES = [
  'Apple shares rise 3% after record iPhone sales beat analyst estimates',
  'Tesla stock slides as deliveries miss expectations for the second quarter',
  'Fed holds interest rates steady, signals two cuts later this year',
  'Oil prices jump on supply concerns after OPEC output cut',
  'JPMorgan profit falls 8% as loan loss provisions climb',
  'Nvidia market value tops $3 trillion on AI chip demand',
  'Boeing shares tumble after FAA orders new inspections',
  'Treasury yields edge higher ahead of inflation data',
  'Amazon to cut 9,000 more jobs in cloud and advertising units',
  'Gold hits record high as dollar weakens',
  'Microsoft raises dividend by 10% and announces $60 billion buyback',
  'Retail sales unexpectedly decline in March, raising recession fears',
  'Goldman Sachs upgrades Ford to buy, citing strong EV momentum',
  'European stocks open flat as investors await ECB decision',
  'Bitcoin falls below $60,000 amid crypto selloff',
  'Walmart beats earnings estimates and lifts full-year guidance',
  'Intel shares plunge 20% after weak outlook and layoffs',
  'Netflix adds 9 million subscribers, stock surges in late trading',
  'Chinese exports grow faster than expected in April',
  'Disney reports quarterly loss on streaming costs',
  'Oracle cloud revenue jumps 40%, shares hit all-time high',
  'Bank of Japan keeps policy unchanged, yen weakens',
  'Exxon to acquire Pioneer in $60 billion deal',
  'Home sales drop for third straight month as mortgage rates climb',
];

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const DTYPES = flag('dtypes', 'fp32,q8').split(',') as FinbertDtype[];
const ROUNDS_TOTAL = Number(flag('headlines', '48'));
const LATENCY_RUNS = Number(flag('latency-runs', '60'));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** Process CPU time (user + system) in ms: less sensitive than wall time to other load on the machine. */
function cpuMs(since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

async function latency(model: FinbertModel, runs: number) {
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const text = HEADLINES[i % HEADLINES.length]!;
    const t = performance.now();
    await model.predict([text]);
    times.push(performance.now() - t);
  }
  const cpuPerHeadline = cpuMs(cpu) / runs;
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    cpuPerHeadline,
  };
}

/**
 * C callers, each sending one headline at a time, `rounds` each (at least ROUNDS_TOTAL headlines in
 * all): a fixed amount of work rather than a time window, so even 32 callers at ~1 s per batch
 * complete several batches.
 */
async function throughput(model: FinbertModel, callers: number) {
  const rounds = Math.max(3, Math.ceil(ROUNDS_TOTAL / callers));
  const before = model.batcherStats();
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      for (let r = 0; r < rounds; r++) {
        const t = performance.now();
        await model.predict([HEADLINES[(c + r * callers) % HEADLINES.length]!]);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const after = model.batcherStats();
  // Items per session call during this run only (the batcher's own mean covers its whole life).
  const meanBatch =
    before && after ? (after.submitted - before.submitted) / Math.max(1, after.batches - before.batches) : 1;
  return {
    perSecond: times.length / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    meanBatch,
  };
}

/** finsent predict() vs bare session.run on the same ids, alternated to share the machine's noise. */
async function overhead(
  model: FinbertModel,
  modelFile: string,
  tokenizerDir: string,
  batch: number,
  rounds: number,
) {
  const texts = Array.from({ length: batch }, (_, i) => HEADLINES[i % HEADLINES.length]!);
  // Token ids prepared once with the same tokenizer and truncation, outside the timed bare loop.
  const tokenizer = await AutoTokenizer.from_pretrained(tokenizerDir, { local_files_only: true });
  const enc = encodeBatch(tokenizer, texts, 128);
  const feeds = Object.fromEntries(
    Object.entries(enc).map(([k, t]) => [k, new ort.Tensor('int64', t.data as BigInt64Array, t.dims)]),
  );
  const session = await ort.InferenceSession.create(modelFile, { executionProviders: ['cpu'] });
  const bare: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < 3; i++) {
    await session.run(feeds);
    await model.predict(texts);
  }
  const bareCpu: number[] = [];
  const oursCpu: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let cpu = process.cpuUsage();
    let t = performance.now();
    await session.run(feeds);
    bare.push(performance.now() - t);
    bareCpu.push(cpuMs(cpu));
    cpu = process.cpuUsage();
    t = performance.now();
    await model.predict(texts);
    ours.push(performance.now() - t);
    oursCpu.push(cpuMs(cpu));
  }
  await session.release();
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return { bare: median(bare), finsent: median(ours), bareCpu: median(bareCpu), finsentCpu: median(oursCpu) };
}

async function main() {
  const outDir = path.join(REPO_ROOT, '.finsent', 'fixtures', 'bert-base');
  const started = performance.now();
  const fixture = await ensureBertFixture({ outDir, shape: BERT_BASE_SHAPE, seed: 42 });
  console.log(
    `fixture: ${path.relative(REPO_ROOT, fixture.dir)} (${fixture.built ? 'built' : 'reused'} in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, onnxruntime-node ${ort.env.versions.node}`,
  );

  for (const dtype of DTYPES) {
    const settings = finbertSettings(
      { ...readEnv(), finbertModelDir: fixture.dir },
      { FINBERT_DTYPE: dtype },
    );
    const t0 = performance.now();
    const batched = await loadFinbertModel(settings, { version: 'builtin' });
    const loadMs = performance.now() - t0;
    // The same runtime without the batcher: every predict() is its own session call.
    const unbatchedRuntime = await loadBertRuntime(settings);
    const unbatched = new FinbertModel(unbatchedRuntime, {
      version: 'builtin',
      batch: { ...settings.batch, enabled: false },
    });
    console.log(
      `\n== ${dtype} (onnx/${DTYPE_FILE[dtype]}), loaded in ${ms(loadMs)}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    await latency(batched, 5);

    const single = await latency(batched, LATENCY_RUNS);
    console.log(
      `single headline (${LATENCY_RUNS} sequential): p50 ${ms(single.p50)}  p95 ${ms(single.p95)}  p99 ${ms(single.p99)}  (CPU ${ms(single.cpuPerHeadline)} per headline)`,
    );

    console.log('concurrent callers, one headline each, headlines/s (p50 / p99 latency):');
    for (const callers of [1, 8, 32]) {
      const off = await throughput(unbatched, callers);
      const on = await throughput(batched, callers);
      console.log(
        `  ${String(callers).padStart(2)} callers: batching off ${off.perSecond.toFixed(1).padStart(6)}/s (${ms(off.p50)} / ${ms(off.p99)})` +
          `  on ${on.perSecond.toFixed(1).padStart(6)}/s (${ms(on.p50)} / ${ms(on.p99)}, mean batch ${on.meanBatch.toFixed(1)})` +
          `  ×${(on.perSecond / off.perSecond).toFixed(2)}`,
      );
    }

    const file = path.join(fixture.dir, 'onnx', DTYPE_FILE[dtype]);
    for (const [batch, rounds] of [
      [1, 40],
      [32, 8],
    ] as const) {
      const o = await overhead(unbatched, file, fixture.dir, batch, rounds);
      console.log(
        `overhead, batch ${String(batch).padStart(2)}: bare session.run ${ms(o.bare)}, finsent predict() ${ms(o.finsent)}  ratio ×${(o.finsent / o.bare).toFixed(3)}` +
          `  (CPU ${ms(o.bareCpu)} vs ${ms(o.finsentCpu)}, ×${(o.finsentCpu / o.bareCpu).toFixed(3)})`,
      );
    }
    await batched.close();
    await unbatched.close();
  }
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
