/**
 * Drift computation over 1,000,000 logged predictions, end to end from the store.
 *
 *   npx tsx bench/monitor.ts                 # PGlite (in memory)
 *   DATABASE_URL=postgres://… npx tsx bench/monitor.ts   # and the real Postgres, in its own schema
 *   BENCH_ROWS=200000 npx tsx bench/monitor.ts           # smaller
 *   BENCH_ENGINES=postgres BENCH_KEEP=1 …                 # one engine; keep the schema for EXPLAIN
 *   BENCH_SCHEMA=bench_ab12cd34 …                         # re-measure a kept schema, no generation
 *
 * Rows are generated inside the database with generate_series (no JS round trip), plus 20 %
 * as many FinBERT shadow rows on the same texts for the disagreement join. Prints figures;
 * asserts nothing. Results: docs/benchmarks/monitor.md.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { loadDriftConfig } from '../config/drift';
import { evaluateDrift } from '../pipeline/monitor/drift';
import { buildReferenceSnapshot, type ReferenceSnapshot } from '../pipeline/monitor/reference';
import { runMonitor } from '../pipeline/monitor/run';
import { loadCurrentWindow } from '../pipeline/monitor/window';
import { type Db, openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';
import { asReferenceRows, BASE_TICKERS, BASE_WORDS, synthetic } from '../tests/fixtures/monitor/synthetic';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEAT = 3;
const from = new Date('2026-03-01T00:00:00Z');
const until = new Date('2026-03-02T00:00:00Z');

async function generate(db: Db): Promise<number> {
  const t = performance.now();
  const words = `(ARRAY[${BASE_WORDS.map((w) => `'${w}'`).join(',')}])`;
  const tickers = `(ARRAY[${[...BASE_TICKERS, 'PEPE', 'BONK'].map((w) => `'${w}'`).join(',')}])`;
  const w = (n: number): string =>
    `${words}[1 + floor(random() * ${BASE_WORDS.length})::int]${n > 1 ? ` || ' ' || ${w(n - 1)}` : ''}`;
  const chunk = 250_000;
  for (let start = 1; start <= ROWS; start += chunk) {
    const end = Math.min(ROWS, start + chunk - 1);
    await db.query(
      `INSERT INTO predictions (id, created_at, model, version, shadow, label, sentiment, confidence,
         score_positive, score_negative, score_neutral, latency_ms, ticker, text_hash, text_length, text)
       SELECT 'v-' || g, $1::timestamptz + (g * (86400.0 / $3)) * interval '1 second', 'vader', '1.0.0', false,
         lab, sent, conf, 0.2, 0.2, 0.6, 1 + 30 * random() ^ 3, tick, md5(txt), length(txt), txt
       FROM (
         SELECT g, lab, tick, txt,
           greatest(-1, least(1, (CASE lab WHEN 'positive' THEN 0.45 WHEN 'negative' THEN -0.45 ELSE 0 END)
             + 0.35 * (random() + random() + random() - 1.5) + 0.05)) AS sent,
           greatest(0.34, least(1, 0.7 + 0.2 * (random() + random() - 1))) AS conf
         FROM (
           SELECT g,
             CASE WHEN r < 0.3 THEN 'positive' WHEN r < 0.5 THEN 'negative' ELSE 'neutral' END AS lab,
             ${tickers}[1 + floor(random() * 10)::int] AS tick,
             '$' || ${tickers}[1 + floor(random() * 10)::int] || ' ' || ${w(8)} AS txt
           FROM (SELECT g, random() AS r FROM generate_series($2::int, $4::int) AS g) a
         ) b
       ) c`,
      [from.toISOString(), start, ROWS, end],
    );
  }
  await db.query(
    `INSERT INTO predictions (id, created_at, model, version, shadow, label, sentiment, confidence,
       score_positive, score_negative, score_neutral, latency_ms, ticker, text_hash, text_length, text)
     SELECT 'f' || substr(id, 2), created_at, 'finbert', '1.0.0', true,
       CASE WHEN random() < 0.3 THEN 'neutral' ELSE label END, sentiment, confidence, 0.2, 0.2, 0.6, 40, ticker, text_hash, text_length, text
     FROM predictions WHERE model = 'vader' AND substr(id, 3)::int % 5 = 0`,
  );
  await db.exec('ANALYZE predictions');
  return performance.now() - t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU seconds of a local Postgres backend, from /proc (undefined when the server is not local). */
function backendCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return undefined;
  }
}

/**
 * Wall times on a shared machine say as much about the neighbours as about the code. On a local
 * server, also measure the work itself: the drift queries on ONE connection without parallel
 * workers, timed by the backend's own CPU counters.
 */
async function backendCpu(url: string, schema: string, reference: ReferenceSnapshot): Promise<void> {
  const one = await openDb({ databaseUrl: url, schema, max: 1 });
  try {
    const [{ pid } = { pid: 0 }] = await one.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await one.query('SET max_parallel_workers_per_gather = 0');
    const config = loadDriftConfig();
    const runs: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const before = backendCpuMs(pid);
      if (before === undefined) {
        console.log('  (server not local: backend CPU not measured)');
        return;
      }
      await loadCurrentWindow(one, { model: 'vader', from, to: until }, reference, {
        textSample: config.text.sample,
        disagreementModels: config.disagreement.models,
        numericSample: config.drift.numeric_sample,
      });
      runs.push(backendCpuMs(pid)! - before);
    }
    console.log(
      `  backend CPU for the drift queries (one connection, no parallel workers): median ${(median(runs) / 1000).toFixed(2)} s  [${runs.map((x) => (x / 1000).toFixed(2)).join(', ')}]`,
    );
  } finally {
    await one.close();
  }
}

async function bench(name: string, db: Db): Promise<ReferenceSnapshot> {
  const config = loadDriftConfig();
  const ref = synthetic({ n: 5000, seed: 7 });
  const reference = buildReferenceSnapshot({
    model: 'vader',
    version: '1.0.0',
    sourceName: 'bench',
    rows: asReferenceRows(ref),
    predictions: ref.map((r) => r.prediction),
  });
  const gen = process.env.BENCH_SCHEMA && name.startsWith('PostgreSQL') ? 0 : await generate(db);
  const [{ n } = { n: 0 }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions');
  console.log(`\n${name}: generated ${n.toLocaleString()} rows in ${(gen / 1000).toFixed(1)} s`);
  const filter = { model: 'vader', from, to: until };
  const driftTimes: number[] = [];
  const driftCpu: number[] = [];
  const fullTimes: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    let t = performance.now();
    const cpu = process.cpuUsage();
    const current = await loadCurrentWindow(db, filter, reference, {
      textSample: config.text.sample,
      disagreementModels: config.disagreement.models,
      numericSample: config.drift.numeric_sample,
    });
    const signals = evaluateDrift(reference, current, config);
    driftTimes.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    driftCpu.push((used.user + used.system) / 1000);
    if (i === 0) {
      console.log(
        `  window: ${current.n.toLocaleString()} predictions, ${current.disagreement?.pairs.toLocaleString()} vader/finbert pairs, ${current.textSample.length} sampled texts`,
      );
      for (const s of signals) console.log(`    ${s.severity.padEnd(5)} ${s.summary}`);
    }
    t = performance.now();
    await runMonitor({
      db,
      config,
      models: [{ model: 'vader', version: '1.0.0' }],
      until,
      reference: { id: 'ref-bench', snapshot: reference },
    });
    fullTimes.push(performance.now() - t);
  }
  console.log(
    `  drift (window from the store + all signals): median ${(median(driftTimes) / 1000).toFixed(2)} s  [${driftTimes.map((x) => (x / 1000).toFixed(2)).join(', ')}]`,
  );
  console.log(
    `  full run (drift + latency percentiles + feedback + writes): median ${(median(fullTimes) / 1000).toFixed(2)} s  [${fullTimes.map((x) => (x / 1000).toFixed(2)).join(', ')}]`,
  );
  console.log(
    `  CPU time of this process during drift (all of PGlite's work; only the client's for Postgres): median ${(median(driftCpu) / 1000).toFixed(2)} s`,
  );
  console.log(
    `  rows per second (drift, wall): ${Math.round(n / (median(driftTimes) / 1000)).toLocaleString()}`,
  );
  console.log(
    `  load average now: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (other work on this machine inflates wall times)`,
  );
  return reference;
}

console.log(
  `bench/monitor.ts — ${ROWS.toLocaleString()} vader predictions; node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
);
const ENGINES = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',');
if (ENGINES.includes('pglite')) {
  const db = await openDb({ dataDir: 'memory://' });
  await migrate(db);
  try {
    await bench('PGlite (in memory)', db);
  } finally {
    await db.close();
  }
}
if (process.env.DATABASE_URL && ENGINES.includes('postgres')) {
  const schema = process.env.BENCH_SCHEMA ?? `bench_${randomBytes(4).toString('hex')}`;
  const admin = await openDb({ databaseUrl: process.env.DATABASE_URL, max: 1 });
  if (!process.env.BENCH_SCHEMA) await admin.exec(`CREATE SCHEMA ${schema}`);
  const db = await openDb({ databaseUrl: process.env.DATABASE_URL, schema, max: 4 });
  try {
    await migrate(db);
    const [v] = await db.query<{ server_version: string }>('SHOW server_version');
    const reference = await bench(`PostgreSQL ${v?.server_version} (localhost)`, db);
    await backendCpu(process.env.DATABASE_URL, schema, reference);
  } finally {
    await db.close();
    if (process.env.BENCH_KEEP || process.env.BENCH_SCHEMA) console.log(`  kept schema ${schema}`);
    else await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  }
} else {
  console.log('\nDATABASE_URL not set: PostgreSQL skipped.');
}
