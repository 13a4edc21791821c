/**
 * Ingest throughput: normalise + validate + store N articles (default 100,000) into PGlite and,
 * when DATABASE_URL is set, into Postgres — through the same code path `finsent collect` uses
 * (the sample source reading JSONL, batches stored by storeBatch with story de-duplication,
 * provenance, quarantine and run counters). Prints articles/s; never asserts on time.
 *
 *   npx tsx bench/ingest.ts [--n 100000] [--batch 500]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadQualityConfig, rowRulesFor } from '../config/quality';
import { parseSourcesConfig, type SourcesConfig } from '../config/sources';
import { runCollect } from '../pipeline/collect/run';
import { normaliseItem } from '../pipeline/normalise/article';
import { planSources } from '../pipeline/sources/registry';
import { sampleItem } from '../pipeline/sources/sample';
import { type Db, openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';
import { validateCollected } from '../pipeline/validate/run';
import { checkCandidate } from '../pipeline/validate/schema';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('n', 100_000);
const BATCH = arg('batch', 1000);

const COMPANIES = [
  ['Apple', 'AAPL'],
  ['Microsoft', 'MSFT'],
  ['Nvidia', 'NVDA'],
  ['Amazon', 'AMZN'],
  ['Alphabet', 'GOOGL'],
  ['Meta', 'META'],
  ['Tesla', 'TSLA'],
  ['JPMorgan', 'JPM'],
  ['Exxon Mobil', 'XOM'],
  ['Walmart', 'WMT'],
] as const;
const TEMPLATES = [
  '{c} shares rise {p}% after quarterly revenue tops estimates (report {n})',
  '{c} cuts full-year outlook as demand weakens in key markets, note {n}',
  '{c} announces a {p} billion dollar buyback and raises its dividend, filing {n}',
  'Analysts upgrade {c} to buy on margin recovery, price target lifted, item {n}',
  '{c} faces regulatory probe over pricing practices, sources say ({n})',
  '{c} stock slips {p}% as investors weigh slowing cloud growth, story {n}',
];

/** N sample lines; 3% repeat an earlier story under a new id (merged on ingest). */
function writeJsonl(file: string): void {
  const base = Date.parse('2024-01-01T00:00:00Z');
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    const dup = i % 33 === 32;
    const n = dup ? i - 7 : i;
    const [company, ticker] = COMPANIES[n % COMPANIES.length] as readonly [string, string];
    const text = (TEMPLATES[n % TEMPLATES.length] as string)
      .replace('{c}', company)
      .replace('{p}', String((n % 9) + 1))
      .replace('{n}', String(n));
    lines.push(
      JSON.stringify({
        id: `bench-${i}`,
        text,
        label: 'neutral',
        tickers: [ticker],
        published_at: new Date(base + n * 20_000 + (dup ? 60_000 : 0)).toISOString(),
        url: `https://news.example.com/${ticker.toLowerCase()}/${n}?utm_source=rss`,
        summary: `${company} (NASDAQ: ${ticker}) said on the call that results were in line with guidance; more detail in the filing. ${'Context. '.repeat(8)}`,
        source: 'sample',
      }),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function config(file: string): SourcesConfig {
  return parseSourcesConfig(
    JSON.stringify({
      user_agent: 'finsent-bench/1.0 (bench@example.com)',
      tickers: ['AAPL'],
      defaults: {
        timeout_ms: 1000,
        retries: 0,
        backoff_ms: 1,
        max_backoff_ms: 1,
        max_retry_after_ms: 1,
        max_body_bytes: 1 << 20,
        rate: { requests: 1, per_seconds: 1 },
        overlap_minutes: 0,
        max_pages: 1,
      },
      sources: { sample: { kind: 'sample', path: file } },
    }),
  );
}

const quality = loadQualityConfig();

/** CPU seconds a process has used (user + system), from /proc; undefined where unreadable. */
function procCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the command).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface Figures {
  rate: number;
  nodeCpu: number;
  serverCpu?: number;
}

async function ingest(label: string, db: Db, file: string, backendPid?: number): Promise<Figures> {
  await migrate(db);
  const cpu0 = process.cpuUsage();
  const server0 = backendPid === undefined ? undefined : procCpuSeconds(backendPid);
  const t0 = performance.now();
  const result = await runCollect({
    db,
    sources: planSources(config(file), { only: ['sample'] }),
    quality,
    batchSize: BATCH,
    trigger: 'bench',
  });
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const nodeCpu = (used.user + used.system) / 1e6;
  const server1 = backendPid === undefined ? undefined : procCpuSeconds(backendPid);
  const serverCpu = server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
  const s = result.sources[0];
  const rows = Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM raw_data'))[0]?.n);
  const rate = N / seconds;
  console.log(
    `${label.padEnd(38)} ${seconds.toFixed(1).padStart(6)} s  ${Math.round(rate).toLocaleString('en-US').padStart(8)} articles/s` +
      `   CPU: node ${nodeCpu.toFixed(1)} s${serverCpu === undefined ? '' : `, postgres backend ${serverCpu.toFixed(1)} s`}` +
      `   (${s?.newArticles} new, ${s?.merged} merged, ${s?.quarantined} quarantined; raw_data ${rows} rows)`,
  );
  const v0 = performance.now();
  const report = await validateCollected({ db, quality });
  const vs = (performance.now() - v0) / 1000;
  console.log(
    `${'  then the validate stage'.padEnd(38)} ${vs.toFixed(1).padStart(6)} s  ${Math.round(
      report.rowsChecked / vs,
    )
      .toLocaleString('en-US')
      .padStart(8)} rows/s     (${report.rowsChecked} rows re-checked, verdict ${report.verdict})`,
  );
  return { rate, nodeCpu, serverCpu };
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'finsent-bench-'));
  const file = path.join(dir, 'bench.jsonl');
  writeJsonl(file);
  console.log(`finsent ingest bench: ${N.toLocaleString('en-US')} articles, batch ${BATCH}`);
  console.log(
    `node ${process.version}, ${os.cpus().length} CPU (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
  );

  // CPU only: the same normalise + validate the collector does, no database.
  const rows = readFileSync(file, 'utf8').trimEnd().split('\n');
  const rules = rowRulesFor(quality, 'sample');
  const now = new Date();
  const t0 = performance.now();
  let ok = 0;
  rows.forEach((line, i) => {
    const c = normaliseItem(sampleItem(JSON.parse(line), i + 1), 'sample', now);
    if (checkCandidate(c, rules).ok) ok++;
  });
  const cpu = N / ((performance.now() - t0) / 1000);
  console.log(
    `${'parse + normalise + validate (no DB)'.padEnd(34)} ${Math.round(cpu).toLocaleString('en-US').padStart(17)} articles/s   (${ok} valid)`,
  );

  const pgliteDir = path.join(dir, 'pglite');
  const lite = await openDb({ dataDir: pgliteDir });
  let liteRate: number;
  try {
    liteRate = (await ingest('PGlite (persisted, temp dir)', lite, file)).rate;
  } finally {
    await lite.close();
  }

  const url = process.env.DATABASE_URL;
  let pgRate: number | undefined;
  if (url) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const admin = await openDb({ databaseUrl: url, max: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    // One connection, so one server backend does all the work and its CPU time can be read.
    const pg = await openDb({ databaseUrl: url, schema, max: 1 });
    try {
      const pid = Number((await pg.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]?.pid);
      const f = await ingest('Postgres (postgres.js, local server)', pg, file, pid);
      pgRate = f.rate;
      if (f.serverCpu !== undefined) {
        // Node and the server backend work in parallel (the next page is normalised while one is
        // stored), so with two idle cores the slower of the two bounds the rate.
        const ceiling = N / Math.max(f.nodeCpu, f.serverCpu);
        console.log(
          `${'  CPU-bound ceiling on 2 idle cores'.padEnd(38)} ${Math.round(ceiling).toLocaleString('en-US').padStart(17)} articles/s` +
            `   (N / max(node CPU, backend CPU); commits' fsync waits not included)`,
        );
      }
    } finally {
      await pg.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    }
  } else {
    console.log('Postgres: skipped (DATABASE_URL is not set)');
  }
  console.log('');
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (pgRate !== undefined) {
    console.log(
      `Postgres / PGlite: ${(pgRate / liteRate).toFixed(2)}x; target >= 5,000 articles/s into Postgres: ${pgRate >= 5000 ? 'met' : 'NOT met'}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

await main();
