/**
 * Serving throughput and latency against a real port, with autocannon (127.0.0.1 only).
 *
 *   npx tsx bench/serve.ts                 # 10 s per scenario, 100 connections
 *   npx tsx bench/serve.ts --duration 30   # the 30 s runs
 *   npx tsx bench/serve.ts --store postgres   # prediction log to DATABASE_URL (default: PGlite)
 *   npx tsx bench/serve.ts --store none --log-level warn
 *   npx tsx bench/serve.ts --only predict-hot    # bare + the named scenarios
 *
 * Each server runs in its own child process, so the load generator (this process) and the server
 * do not share an event loop; each scenario gets an unmeasured warm-up of up to 3 s first. Scenarios, all with 100 connections:
 *   bare             POST /bare on a plain Fastify app returning constant JSON (the ceiling)
 *   predict-hot      POST /predict, VADER, cache on: after the first pass every text is cached
 *   predict-cold     POST /predict, VADER, no cache: every request runs the model
 *   batch-64         POST /predict with 64 headlines per request, no cache (headlines/s)
 *   finbert-batch    POST /predict/finbert with 16 headlines per request, when a finbert family is registered
 * VADER is the registered `vader` family when createFamilyRegistry() has one; until then a
 * stand-in wrapping the `vader-sentiment` package (same algorithm, JS port) is used, and said so.
 * Prints figures and ratios; never asserts on time.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { readEnv } from '../lib/env';
import { sharedDir } from '../lib/paths';
import { createFamilyRegistry, FamilyRegistry, type ModelFamily } from '../models/families';
import { normaliseScores, predictionFromScores } from '../models/prediction';
import type { SentimentModel } from '../models/types';
import { MemoryCache } from '../pipeline/cache/memory';
import { type Db, openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';
import { buildApp } from '../serving/app';
import { staticConfigSource } from '../serving/pool/watch';

interface Args {
  duration: number;
  connections: number;
  store: 'pglite' | 'postgres' | 'none';
  logLevel: string;
  /** Comma-separated scenario names to run (default: all). */
  only: string[] | undefined;
}

/** The schema a `--store postgres` run writes its prediction log to (dropped at the end). */
const BENCH_SCHEMA = `finsent_bench_${process.env.FINSENT_BENCH_PARENT ?? process.pid}`;

function parseArgs(argv: string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    duration: Number(get('duration') ?? 10),
    connections: Number(get('connections') ?? 100),
    store: (['none', 'postgres'] as const).find((s) => s === get('store')) ?? 'pglite',
    logLevel: get('log-level') ?? 'info',
    only: get('only')?.split(','),
  };
}

// ---------------------------------------------------------------------------------------------
// Headlines: the shared Twitter financial set when present, else a built-in handful.

function headlines(): string[] {
  const file = sharedDir('data', 'twitter-financial-news-sentiment', 'sent_valid.csv');
  if (!file) {
    return [
      'Apple shares jump after record quarterly revenue',
      'Bank cuts dividend as loan losses mount',
      'Oil prices steady ahead of OPEC meeting',
      'Tesla misses delivery estimates, stock slides',
      'Microsoft raises full-year guidance on cloud demand',
      'Retailer warns of weaker holiday sales',
      'Fed holds rates, signals patience',
      'Chipmaker beats estimates and lifts outlook',
    ];
  }
  const lines = readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean);
  return lines.map((l) => {
    const comma = l.lastIndexOf(',');
    const text = l.slice(0, comma);
    return text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text;
  });
}

// ---------------------------------------------------------------------------------------------
// Server processes

interface VaderSentiment {
  SentimentIntensityAnalyzer: {
    polarity_scores(t: string): Record<'neg' | 'neu' | 'pos' | 'compound', number>;
  };
}

/** A stand-in `vader` family over the vader-sentiment package, used only until the real engine is registered. */
async function standInVader(): Promise<ModelFamily> {
  // @ts-expect-error vader-sentiment ships no type declarations
  const imported: unknown = await import('vader-sentiment');
  const vader = (imported as { default: VaderSentiment }).default;
  const model: SentimentModel = {
    family: 'vader',
    version: '0.0.0-vader-sentiment',
    predict: async (texts) =>
      texts.map((t) => {
        const s = vader.SentimentIntensityAnalyzer.polarity_scores(t);
        const scores = normaliseScores({ positive: s.pos, negative: s.neg, neutral: s.neu });
        const label = s.compound >= 0.05 ? 'positive' : s.compound <= -0.05 ? 'negative' : 'neutral';
        return predictionFromScores(scores, 'vader', '0.0.0-vader-sentiment', {
          label,
          sentiment: s.compound,
        });
      }),
  };
  return { name: 'vader', description: 'vader-sentiment (bench stand-in)', load: async () => model };
}

async function serveChild(kind: string, args: Args): Promise<void> {
  const { default: Fastify } = await import('fastify');
  if (kind === 'bare') {
    const app = Fastify({ logger: false });
    app.post('/bare', async () => ({ ok: true, label: 'neutral', sentiment: 0 }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    process.send?.({ port: (app.server.address() as { port: number }).port, note: 'plain Fastify' });
    return;
  }
  const registered = createFamilyRegistry();
  const families = new FamilyRegistry();
  let note = 'registered vader family';
  if (registered.names().includes('vader')) families.register(registered.resolve('vader').family);
  else {
    families.register(await standInVader());
    note = 'stand-in vader (vader-sentiment package)';
  }
  if (registered.names().includes('finbert')) families.register(registered.resolve('finbert').family);
  let db: Db | undefined;
  if (args.store === 'pglite') db = await openDb({ dataDir: 'memory://' });
  if (args.store === 'postgres') {
    const admin = await openDb({ databaseUrl: postgresUrl(), max: 1 });
    await admin.exec(`CREATE SCHEMA IF NOT EXISTS ${BENCH_SCHEMA}`);
    await admin.close();
    db = await openDb({ databaseUrl: postgresUrl(), schema: BENCH_SCHEMA, max: 4 });
  }
  if (db) await migrate(db);
  const { createWriteStream } = await import('node:fs');
  const config = {
    families: Object.fromEntries(families.names().map((f) => [f, { champion: 'builtin' }])),
    serving: { default: 'vader', split: [], shadow: [] },
  };
  const app = await buildApp({
    env: readEnv(),
    families,
    configSource: staticConfigSource(JSON.stringify(config), 'bench config'),
    configPollMs: 0,
    ...(db ? { db } : {}),
    ...(kind === 'predict-hot' ? { cache: new MemoryCache({ maxEntries: 100_000 }) } : {}),
    // Production settings, with a rate limit too high to trip: its bookkeeping is still paid.
    rateLimit: { max: 1_000_000_000, timeWindowMs: 60_000, adminMax: 20 },
    logger: { level: args.logLevel, stream: createWriteStream('/dev/null') },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({
    port: (app.server.address() as { port: number }).port,
    note: `${note}; store ${args.store}; cache ${kind === 'predict-hot' ? 'memory' : 'none'}; log level ${args.logLevel}`,
    finbert: families.names().includes('finbert'),
  });
}

function postgresUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error('--store postgres needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  return url;
}

function startChild(
  kind: string,
  argv: string[],
): Promise<{ port: number; note: string; finbert?: boolean; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1]!, ['--child', kind, ...argv], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, FINSENT_BENCH_PARENT: String(process.pid) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m: { port: number; note: string; finbert?: boolean }) =>
      resolve({ ...m, stop: () => child.kill('SIGTERM') }),
    );
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

// ---------------------------------------------------------------------------------------------
// Load

interface Figures {
  scenario: string;
  reqPerS: number;
  textsPerS: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  note: string;
}

async function load(
  scenario: string,
  port: number,
  path: string,
  body: () => string,
  textsPerRequest: number,
  args: Args,
  note: string,
): Promise<Figures> {
  // Warm-up (not measured): JIT, tsx's module loading and the first cache fills happen here.
  await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections: args.connections,
    duration: Math.min(3, args.duration),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: body() }),
      },
    ],
  });
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections: args.connections,
    duration: args.duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: body() }),
      },
    ],
  });
  return {
    scenario,
    reqPerS: r.requests.average,
    textsPerS: r.requests.average * textsPerRequest,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    note,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const childAt = argv.indexOf('--child');
  const args = parseArgs(argv);
  if (childAt >= 0) {
    await serveChild(argv[childAt + 1]!, args);
    return;
  }
  const texts = headlines();
  let i = 0;
  const next = () => texts[i++ % texts.length]!;
  const batch = (n: number) => JSON.stringify({ texts: Array.from({ length: n }, next) });
  const passArgs = ['--store', args.store, '--log-level', args.logLevel];
  console.log(
    `bench/serve: ${args.connections} connections, ${args.duration} s per scenario, ${texts.length} distinct headlines; ` +
      `node ${process.version}; load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const results: Figures[] = [];
  const scenarios: [string, string, () => string, number][] = [
    ['bare', '/bare', () => JSON.stringify({ text: next() }), 1],
    ['predict-hot', '/predict', () => JSON.stringify({ text: next() }), 1],
    ['predict-cold', '/predict', () => JSON.stringify({ text: next() }), 1],
    ['batch-64', '/predict', () => batch(64), 64],
  ];
  let finbert = false;
  for (const [name, path, body, n] of scenarios) {
    if (args.only && !args.only.includes(name) && name !== 'bare') continue;
    const server = await startChild(name, passArgs);
    finbert ||= server.finbert === true;
    try {
      if (name === 'predict-hot') {
        // Warm the cache with every headline once, so the run measures cache hits.
        for (let k = 0; k < texts.length; k += 64) {
          await fetch(`http://127.0.0.1:${server.port}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ texts: texts.slice(k, k + 64) }),
          });
        }
      }
      const f = await load(name, server.port, path, body, n, args, server.note);
      results.push(f);
      console.log(
        `${name.padEnd(14)} ${f.reqPerS.toFixed(0).padStart(7)} req/s ${f.textsPerS.toFixed(0).padStart(8)} texts/s  ` +
          `p50 ${f.p50} ms  p99 ${f.p99} ms  errors ${f.errors}  non-2xx ${f.non2xx}  (${f.note})`,
      );
    } finally {
      server.stop();
    }
  }
  if (finbert) {
    const server = await startChild('finbert', passArgs);
    try {
      results.push(
        await load(
          'finbert-batch-16',
          server.port,
          '/predict/finbert',
          () => batch(16),
          16,
          args,
          server.note,
        ),
      );
      const f = results.at(-1)!;
      console.log(
        `finbert-batch-16 ${f.reqPerS.toFixed(0)} req/s ${f.textsPerS.toFixed(0)} texts/s p50 ${f.p50} ms p99 ${f.p99} ms errors ${f.errors}`,
      );
    } finally {
      server.stop();
    }
  } else {
    console.log('finbert: no finbert family registered in createFamilyRegistry(); FinBERT scenario skipped');
  }
  const bare = results.find((r) => r.scenario === 'bare')!;
  for (const r of results.filter((x) => x.scenario.startsWith('predict'))) {
    const ratio = r.reqPerS / bare.reqPerS;
    console.log(
      `${r.scenario}: ${(ratio * 100).toFixed(1)}% of bare (target >= 50%: ${ratio >= 0.5 ? 'met' : 'NOT met'}); ` +
        `p99 ${r.p99} ms (target < 10 ms: ${r.p99 < 10 ? 'met' : 'NOT met'}); errors ${r.errors + r.non2xx} (target 0: ${r.errors + r.non2xx === 0 ? 'met' : 'NOT met'})`,
    );
  }
  console.log(`JSON ${JSON.stringify({ args, loadavg: loadavg(), results })}`);
  if (args.store === 'postgres') {
    const admin = await openDb({ databaseUrl: postgresUrl(), max: 1 });
    await admin.exec(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE`);
    await admin.close();
  }
}

await main();
