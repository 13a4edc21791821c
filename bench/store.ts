/**
 * Feature-store benchmark: loads N articles into raw_data, featurizes them with M model
 * versions (fast deterministic stand-in models, so the figures are the store's, not a model's),
 * then measures latestFeatures p50/p95/p99 over random tickers — on PGlite (persisted in a temp
 * directory) and on the real Postgres when DATABASE_URL is set (in a throwaway schema).
 * Also measures the alternative without ticker_features (a GIN index on processed_features.tickers).
 *
 *   npx tsx bench/store.ts [--articles 100000] [--tickers 300] [--models 3] [--queries 2000]
 *
 * Prints figures; asserts nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { predictionFromScores } from '../models/prediction';
import type { SentimentModel } from '../models/types';
import { runFeaturizeStage } from '../pipeline/features/featurize';
import { openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';
import { latestFeatures } from '../pipeline/store/ticker-features';
import type { Db } from '../pipeline/store/types';
import { ensureRawData } from '../tests/helpers/raw-data';

const { values: args } = parseArgs({
  options: {
    articles: { type: 'string', default: '100000' },
    tickers: { type: 'string', default: '300' },
    models: { type: 'string', default: '3' },
    queries: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    only: { type: 'string' },
  },
});
const N = Number(args.articles);
const TICKERS = Number(args.tickers);
const MODELS = Number(args.models);
const QUERIES = Number(args.queries);
const CONCURRENCY = Number(args.concurrency);
const END = new Date('2026-01-15T12:00:00Z');
const DAYS = 30;

/** Deterministic pseudo-random numbers (mulberry32), so every run loads the same data. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tickerNames = Array.from({ length: TICKERS }, (_, i) => `T${String(i).padStart(4, '0')}`);
/** Zipf-like popularity (s = 1): a few tickers are in most of the news, as in real feeds. */
const weights = tickerNames.map((_, i) => 1 / (i + 1));
const total = weights.reduce((a, b) => a + b, 0);
const cumulative = weights.map(
  (
    (s) => (w) =>
      (s += w / total)
  )(0),
);
function pickTicker(r: () => number): string {
  const x = r();
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return tickerNames[lo]!;
}

async function loadArticles(db: Db): Promise<number> {
  await ensureRawData(db);
  const r = rng(42);
  const started = performance.now();
  for (let i = 0; i < N; i += 5000) {
    const rows = [];
    for (let j = i; j < Math.min(N, i + 5000); j++) {
      const n = 1 + Math.floor(r() * r() * 3);
      const tickers = [...new Set(Array.from({ length: n }, () => pickTicker(r)))];
      rows.push({
        id: createHash('sha1').update(`article-${j}`).digest('hex').slice(0, 20),
        source: 'bench',
        headline: `${tickers[0]} headline ${j} ${['beats', 'misses', 'holds'][j % 3]} estimates`,
        tickers,
        published_at: new Date(END.getTime() - r() * DAYS * 86_400_000).toISOString(),
        language: 'en',
      });
    }
    await db.query(
      `INSERT INTO raw_data (id, source, headline, tickers, published_at, language)
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS x(id text, source text, headline text, tickers text[], published_at timestamptz, language text)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }
  return performance.now() - started;
}

/** Microsecond-cheap deterministic "models": the store is what is measured. */
function fakeModel(version: string): SentimentModel {
  return {
    family: 'bench',
    version,
    predict: async (texts) =>
      texts.map((t) => {
        const h = createHash('md5')
          .update(version + t)
          .digest();
        const p = h[0]! / 255;
        const n = (h[1]! / 255) * (1 - p);
        return predictionFromScores({ positive: p, negative: n, neutral: 1 - p - n }, 'bench', version);
      }),
  };
}

function percentiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1]! };
}

async function measure(
  label: string,
  call: (ticker: string) => Promise<unknown>,
  tickers: () => string,
  concurrency = 1,
): Promise<Record<string, string | number>> {
  for (let i = 0; i < 50; i++) await call(tickers()); // warm caches and plans
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < QUERIES) {
        next++;
        const t = tickers();
        const t0 = performance.now();
        await call(t);
        times.push(performance.now() - t0);
      }
    }),
  );
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const p = percentiles(times);
  return {
    query: label,
    concurrency,
    p50: p.p50.toFixed(2),
    p95: p.p95.toFixed(2),
    p99: p.p99.toFixed(2),
    max: p.max.toFixed(1),
    'queries/s': Math.round((QUERIES / wall) * 1000),
    // This process's CPU per query: all of the work on PGlite (in-process), the client side only
    // on Postgres. Unlike wall time it does not grow while the process waits for a busy CPU.
    'cpu ms/query': ((cpu.user + cpu.system) / 1000 / QUERIES).toFixed(2),
  };
}

async function ginAlternative(db: Db, ticker: string, version: string): Promise<unknown> {
  return db.query(
    `SELECT count(*) FILTER (WHERE published_at > $2::timestamptz - interval '1 hour') AS n1h,
            avg(sentiment) FILTER (WHERE published_at > $2::timestamptz - interval '1 hour') AS s1h,
            count(*) AS n1d, avg(sentiment) AS s1d,
            avg((label = 'positive')::int::float8) AS bull, avg((label = 'negative')::int::float8) AS bear
     FROM processed_features
     WHERE tickers @> ARRAY[$1]::text[] AND model = 'bench' AND version = $3
       AND published_at > $2::timestamptz - interval '1 day' AND published_at <= $2::timestamptz`,
    [ticker, END.toISOString(), version],
  );
}

async function run(name: string, db: Db): Promise<void> {
  console.log(`\n## ${name}\n`);
  await migrate(db);
  const loadMs = await loadArticles(db);
  console.log(
    `raw_data: ${N} articles loaded in ${(loadMs / 1000).toFixed(1)} s (${Math.round(N / (loadMs / 1000))}/s)`,
  );
  const models = Array.from({ length: MODELS }, (_, i) => fakeModel(`${i + 1}.0.0`));
  const f0 = performance.now();
  const result = await runFeaturizeStage({ db, models, batchSize: 1000 });
  const fMs = performance.now() - f0;
  if (!result.ok) throw new Error(result.models.map((m) => m.error).join('; '));
  const counts = (
    await db.query<{ pf: number; tf: number }>(
      `SELECT (SELECT count(*)::int FROM processed_features) AS pf, (SELECT count(*)::int FROM ticker_features) AS tf`,
    )
  )[0]!;
  console.log(
    `featurize: ${result.featurized} feature rows (+${counts.tf} ticker rows) in ${(fMs / 1000).toFixed(1)} s ` +
      `(${Math.round(result.featurized / (fMs / 1000))} rows/s, batches of 1000)`,
  );
  const sizes = await db.query<{ rel: string; mb: number }>(
    `SELECT relname AS rel, round(pg_total_relation_size(c.oid) / 1048576.0, 1)::float8 AS mb
     FROM pg_class c WHERE relname IN ('raw_data', 'processed_features', 'ticker_features') ORDER BY relname`,
  );
  console.log(`sizes (MB, with indexes): ${sizes.map((s) => `${s.rel} ${s.mb}`).join(', ')}`);
  const hot = tickerNames[0]!;
  const hotDay = await latestFeatures(db, hot, { model: 'bench', version: '1.0.0', asOf: END });
  console.log(
    `hottest ticker ${hot}: ${hotDay?.features.count_1d} articles in its last day (per model version)`,
  );

  const r = rng(7);
  const anyTicker = () => tickerNames[Math.floor(r() * TICKERS)]!;
  const v = `${MODELS}.0.0`;
  const rows: Record<string, string | number>[] = [];
  const before = await measure(
    'latestFeatures, model+version given (stats as the stage left them)',
    (t) => latestFeatures(db, t, { model: 'bench', version: v, asOf: END }),
    anyTicker,
  );
  rows.push(before);
  await db.exec('VACUUM ANALYZE'); // what autovacuum would eventually do on Postgres (PGlite has none)
  rows.push(
    await measure(
      'latestFeatures, model+version given, after VACUUM ANALYZE',
      (t) => latestFeatures(db, t, { model: 'bench', version: v, asOf: END }),
      anyTicker,
    ),
  );
  rows.push(
    await measure(
      'latestFeatures, newest model picked',
      (t) => latestFeatures(db, t, { asOf: END }),
      anyTicker,
    ),
  );
  rows.push(
    await measure(
      'latestFeatures, hottest ticker only',
      (t) => latestFeatures(db, t, { model: 'bench', version: v, asOf: END }),
      () => hot,
    ),
  );
  if (db.kind === 'postgres' && CONCURRENCY > 1) {
    rows.push(
      await measure(
        'latestFeatures, model+version given',
        (t) => latestFeatures(db, t, { model: 'bench', version: v, asOf: END }),
        anyTicker,
        CONCURRENCY,
      ),
    );
  }
  const g0 = performance.now();
  await db.exec(
    'CREATE INDEX bench_pf_tickers_gin ON processed_features USING gin (tickers); ANALYZE processed_features',
  );
  const ginBuild = performance.now() - g0;
  rows.push(
    await measure(
      'alternative: GIN on processed_features.tickers (aggregates only)',
      (t) => ginAlternative(db, t, v),
      anyTicker,
    ),
  );
  rows.push(
    await measure(
      'alternative: GIN, hottest ticker only',
      (t) => ginAlternative(db, t, v),
      () => hot,
    ),
  );
  console.log(`(GIN index built in ${(ginBuild / 1000).toFixed(1)} s)\n`);
  const cols = Object.keys(rows[0]!);
  console.log(`| ${cols.join(' | ')} |`);
  console.log(`|${cols.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${cols.map((c) => row[c]).join(' | ')} |`);
}

console.log(
  `# bench/store.ts — ${N} articles, ${TICKERS} tickers (Zipf), ${MODELS} model versions, ${QUERIES} queries per row`,
);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
if (args.only !== 'postgres') {
  const dir = mkdtempSync(path.join(tmpdir(), 'finsent-bench-'));
  const db = await openDb({ dataDir: path.join(dir, 'pglite') });
  try {
    await run('PGlite (persisted, temp directory)', db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
const url = process.env.DATABASE_URL;
if (!url) console.log('\nDATABASE_URL is not set: Postgres skipped.');
else if (args.only !== 'pglite') {
  const schema = `bench_store_${randomBytes(4).toString('hex')}`;
  const admin = await openDb({ databaseUrl: url, max: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const db = await openDb({ databaseUrl: url, schema, max: CONCURRENCY });
  try {
    await run(
      `Postgres ${(await db.query<{ v: string }>("SELECT current_setting('server_version') AS v"))[0]?.v} (schema ${schema})`,
      db,
    );
  } finally {
    await db.close();
    await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  }
}
console.log(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
