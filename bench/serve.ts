/**
 * Serving throughput and latency against a real port, with autocannon (127.0.0.1 only).
 *
 *   npx tsx bench/serve.ts --help          # this text
 *   npx tsx bench/serve.ts                 # 10 s per scenario, 100 connections
 *   npx tsx bench/serve.ts --duration 30   # the issue's 30 s runs
 *   npx tsx bench/serve.ts --store postgres   # prediction log to DATABASE_URL (default: PGlite)
 *   npx tsx bench/serve.ts --store none --log-level warn
 *   npx tsx bench/serve.ts --pglite-thread main   # PGlite on the event loop's thread (before ADR 066)
 *   npx tsx bench/serve.ts --only predict-hot    # bare + the named scenarios
 *   npx tsx bench/serve.ts --only predict-hot --no-finbert   # ... without the FinBERT scenarios
 *   npx tsx bench/serve.ts --cpu-prof /tmp/prof  # V8 CPU profiles of the servers
 *   FINBERT_MODEL_DIR=/tmp/bert-base npx tsx bench/serve.ts --only bare --no-shedding   # FinBERT, no 503s
 *
 * Each server runs in its own child process, so the load generator (this process) and the server
 * do not share an event loop; each scenario gets an unmeasured warm-up of up to 3 s first. Scenarios, all with 100 connections:
 *   bare             POST /bare on a plain Fastify app returning constant JSON (the ceiling)
 *   predict-hot      POST /predict, VADER, cache on: after the first pass every text is cached
 *   predict-lean     predict-hot without the production extras (store, info logs, rate limit, shedding)
 *   predict-cold     POST /predict, VADER, no cache: every request runs the model
 *   batch-64         POST /predict with 64 headlines per request, no cache, 4 connections (headlines/s)
 *   finbert-batch-16 POST /predict/finbert, 16 headlines per request, 4 connections, when a finbert family is registered
 *   finbert-single   POST /predict/finbert, one headline per request, 16 connections (the micro-batcher gathers them)
 *   --finbert-contention adds, on the same FinBERT server: vader-finbert-idle (POST /predict, VADER, 8
 *                    connections, FinBERT idle), then vader-finbert-busy (the same, while finbert-batch-16
 *                    runs beside it: is the event loop free while FinBERT works? FINBERT_THREAD, ADR 065)
 * Throughput counts 2xx answers only.
 * VADER is the registered `vader` family of createFamilyRegistry() (the financial vader's builtin
 * champion unless a promotion says otherwise).
 * Prints figures and ratios; never asserts on time.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs as parseNodeArgs } from 'node:util';
import autocannon from 'autocannon';
import { readEnv } from '../lib/env';
import { sharedDir } from '../lib/paths';
import { createFamilyRegistry, FamilyRegistry } from '../models/families';
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
  /** Write a V8 CPU profile of each server process into this directory. */
  cpuProf: string | undefined;
  /** `--no-shedding`: run the servers without load shedding (see what the model alone does). */
  shedding: boolean;
  /** `--pglite-thread main`: PGlite on the server's own thread instead of a worker (ADR 066). */
  pgliteThread: 'main' | 'worker';
  /** `--no-finbert`: skip the FinBERT scenarios even when a finbert family is registered. */
  finbert: boolean;
}

/** The schema a `--store postgres` run writes its prediction log to (dropped at the end). */
const BENCH_SCHEMA = `finsent_bench_${process.env.FINSENT_BENCH_PARENT ?? process.pid}`;

function printHelp(): void {
  // The header comment of this file is the help: one text, so the two cannot drift apart.
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const doc = source.slice(source.indexOf('/**') + 3, source.indexOf('*/'));
  console.log(
    doc
      .split('\n')
      .map((line) => line.replace(/^ \* ?/, ''))
      .join('\n')
      .trim(),
  );
}

const text = { type: 'string' } as const;
const flag = { type: 'boolean', default: false } as const;
const OPTIONS = {
  duration: { ...text, default: '10' },
  connections: { ...text, default: '100' },
  store: { ...text, default: 'pglite' },
  'log-level': { ...text, default: 'info' },
  only: text,
  'cpu-prof': text,
  'pglite-thread': { ...text, default: 'worker' },
  'no-shedding': flag,
  'no-finbert': flag,
  'finbert-contention': flag,
  child: text,
  help: { ...flag, short: 'h' },
} as const;

function fail(message: string): never {
  console.error(`bench/serve: ${message}; see --help`);
  process.exit(2);
}

/** The flags; unknown ones and bad values stop the run before any server starts. */
function parseArgs(argv: string[]): Args & { child: string | undefined; help: boolean; contention: boolean } {
  const v = (() => {
    try {
      return parseNodeArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
    } catch (error) {
      return fail((error as Error).message);
    }
  })();
  const positive = (name: 'duration' | 'connections') => {
    const n = Number(v[name]);
    return n > 0 ? n : fail(`--${name} must be a positive number`);
  };
  const store = v.store;
  if (store !== 'pglite' && store !== 'postgres' && store !== 'none')
    fail('--store must be pglite, postgres or none');
  const pgliteThread = v['pglite-thread'];
  if (pgliteThread !== 'main' && pgliteThread !== 'worker') fail('--pglite-thread must be main or worker');
  return {
    duration: positive('duration'),
    connections: positive('connections'),
    store: store as Args['store'],
    logLevel: v['log-level'],
    only: v.only?.split(','),
    cpuProf: v['cpu-prof'],
    shedding: !v['no-shedding'],
    // Where PGlite runs: its own thread, as `finsent serve` runs it (FINSENT_PGLITE_THREAD), or `main`.
    pgliteThread: pgliteThread as Args['pgliteThread'],
    finbert: !v['no-finbert'],
    child: v.child,
    help: v.help,
    contention: v['finbert-contention'],
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

/** Server CPU time (user + system, µs) on request: a throughput-independent cost per request. */
function answerCpuQueries(): void {
  process.on('message', (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ cpu: u.user + u.system });
    }
  });
}

async function serveChild(kind: string, args: Args): Promise<void> {
  answerCpuQueries();
  // Exit normally on SIGTERM so a --cpu-prof profile is written, after closing the app as the
  // real server does (its models and store are released first; at most 10 s).
  let closeApp = async () => {};
  process.on('SIGTERM', () => {
    const exit = () => process.exit(0);
    setTimeout(exit, 10_000).unref();
    closeApp().then(exit, (error) => {
      console.error('close failed', error);
      exit();
    });
  });
  const { default: Fastify } = await import('fastify');
  if (kind === 'bare') {
    const app = Fastify({ logger: false });
    closeApp = () => app.close();
    app.post('/bare', async () => ({ ok: true, label: 'neutral', sentiment: 0 }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    process.send?.({ port: (app.server.address() as { port: number }).port, note: 'plain Fastify' });
    return;
  }
  const registered = createFamilyRegistry();
  const families = new FamilyRegistry();
  const note = 'registered vader family';
  families.register(registered.resolve('vader').family);
  if (registered.names().includes('finbert')) families.register(registered.resolve('finbert').family);
  // predict-lean: the same route with the production extras off (no store, warn-level logs, no
  // rate limit, no load shedding, no process metrics), to show what those extras cost.
  const lean = kind === 'predict-lean';
  const store = lean ? 'none' : args.store;
  const logLevel = lean ? 'warn' : args.logLevel;
  const cached = kind === 'predict-hot' || lean;
  let db: Db | undefined;
  if (store === 'pglite') db = await openDb({ dataDir: 'memory://', pgliteThread: args.pgliteThread });
  if (store === 'postgres') {
    const admin = await openDb({ databaseUrl: postgresUrl(), max: 1 });
    await admin.exec(`CREATE SCHEMA IF NOT EXISTS ${BENCH_SCHEMA}`);
    await admin.close();
    db = await openDb({ databaseUrl: postgresUrl(), schema: BENCH_SCHEMA, max: 4 });
  }
  if (db) await migrate(db);
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
    ...(cached ? { cache: new MemoryCache({ maxEntries: 100_000 }) } : {}),
    // Production settings, with a rate limit too high to trip: its bookkeeping is still paid.
    rateLimit: lean ? false : { max: 1_000_000_000, timeWindowMs: 60_000, adminMax: 20 },
    ...(lean ? { underPressure: false as const, defaultMetrics: false } : {}),
    ...(args.shedding ? {} : { underPressure: false as const }),
    // Logs go to stdout as in production; the parent discards the child's stdout.
    logger: { level: logLevel },
  });
  closeApp = async () => {
    await app.close();
    await db?.close();
  };
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({
    port: (app.server.address() as { port: number }).port,
    note: `${note}; store ${store}${store === 'pglite' ? ` (${args.pgliteThread} thread)` : ''}; cache ${cached ? 'memory' : 'none'}; log level ${logLevel}${lean ? '; no rate limit, shedding or process metrics' : ''}`,
    finbert: families.names().includes('finbert'),
  });
}

function postgresUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error('--store postgres needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  return url;
}

interface Child {
  port: number;
  note: string;
  finbert?: boolean;
  /** SIGTERM; resolves when the process has exited (and says so if it did not exit cleanly). */
  stop(): Promise<void>;
  /** The server process's CPU time so far, in µs. */
  cpu(): Promise<number>;
}

function startChild(kind: string, argv: string[], cpuProf?: string): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1]!, ['--child', kind, ...argv], {
      execArgv: ['--import', 'tsx', ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [])],
      env: { ...process.env, FINSENT_BENCH_PARENT: String(process.pid) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (m: { port: number; note: string; finbert?: boolean }) =>
      resolve({
        ...m,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', (code, signal) => {
              if (code !== 0) console.log(`${kind} server: exited with ${code ?? signal} on SIGTERM`);
              done();
            });
            child.kill('SIGTERM');
          }),
        cpu: () =>
          new Promise<number>((ok) => {
            child.once('message', (r: { cpu: number }) => ok(r.cpu));
            child.send('cpu');
          }),
      }),
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
  /** Server CPU (user + system) per answered request, in µs: steadier than req/s on a shared machine. */
  cpuPerRequestUs: number;
  /** Responses by status code, e.g. { 200: 51234, 503: 12 }. */
  statuses: Record<string, number>;
  note: string;
}

async function load(
  scenario: string,
  server: Child,
  path: string,
  body: () => string,
  textsPerRequest: number,
  args: Args,
  note: string,
  connections = args.connections,
): Promise<Figures> {
  // Warm-up (not measured): JIT, tsx's module loading and the first cache fills happen here.
  await autocannon({
    url: `http://127.0.0.1:${server.port}${path}`,
    connections,
    duration: Math.min(3, args.duration),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: body() }),
      },
    ],
  });
  const cpuBefore = await server.cpu();
  const r = await autocannon({
    url: `http://127.0.0.1:${server.port}${path}`,
    connections,
    duration: args.duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: body() }),
      },
    ],
  });
  const statuses = Object.fromEntries(
    Object.entries(
      (r as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {},
    ).map(([code, v]) => [code, v.count]),
  );
  const cpu = (await server.cpu()) - cpuBefore;
  // Throughput counts answered texts only: a shed (503) request scored nothing.
  const ok = Object.entries(statuses).reduce((n, [code, c]) => (code.startsWith('2') ? n + c : n), 0);
  return {
    scenario: connections === args.connections ? scenario : `${scenario} (${connections} conn)`,
    reqPerS: ok / r.duration,
    textsPerS: (ok * textsPerRequest) / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    cpuPerRequestUs: ok > 0 ? cpu / ok : Number.NaN,
    statuses,
    note,
  };
}

/**
 * `--finbert-contention`: VADER's /predict on the FinBERT server, first with FinBERT idle, then
 * while 16-headline FinBERT requests keep it busy. The two loads share the server, so the CPU
 * figure of the busy run is not split between them (printed as n/a).
 */
async function finbertContention(
  server: Child,
  args: Args,
  next: () => string,
  batch: (n: number) => string,
  results: Figures[],
): Promise<void> {
  const vader = () => JSON.stringify({ text: next() });
  const print = (f: Figures, cpu: boolean) =>
    console.log(
      `${f.scenario.padEnd(18)} ${f.reqPerS.toFixed(1).padStart(8)} req/s ${f.textsPerS.toFixed(1).padStart(8)} texts/s  ` +
        `p50 ${f.p50} ms  p99 ${f.p99} ms  cpu ${cpu ? `${f.cpuPerRequestUs.toFixed(0)} µs/req` : 'n/a'}  errors ${f.errors}  statuses ${JSON.stringify(f.statuses)}` +
        `  (FINBERT_THREAD=${process.env.FINBERT_THREAD ?? 'auto'})`,
    );
  const idle = await load('vader-finbert-idle', server, '/predict', vader, 1, args, server.note, 8);
  results.push(idle);
  print(idle, true);
  const [busy, finbertBeside] = await Promise.all([
    load('vader-finbert-busy', server, '/predict', vader, 1, args, server.note, 8),
    load('finbert-beside-vader', server, '/predict/finbert', () => batch(16), 16, args, server.note, 4),
  ]);
  results.push(busy, finbertBeside);
  print(busy, false);
  print(finbertBeside, false);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    printHelp();
    return;
  }
  if (args.child) {
    await serveChild(args.child, args);
    return;
  }
  const texts = headlines();
  let i = 0;
  const next = () => texts[i++ % texts.length]!;
  const batch = (n: number) => JSON.stringify({ texts: Array.from({ length: n }, next) });
  const passArgs = [
    '--store',
    args.store,
    '--log-level',
    args.logLevel,
    '--pglite-thread',
    args.pgliteThread,
    ...(args.shedding ? [] : ['--no-shedding']),
  ];
  console.log(
    `bench/serve: ${args.connections} connections, ${args.duration} s per scenario, ${texts.length} distinct headlines; ` +
      `node ${process.version}; load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const results: Figures[] = [];
  // [name, path, body, texts per request, connections]. The batch runs with few connections: 100
  // clients each sending 64 headlines queue seconds of model work, which the server sheds (503).
  const scenarios: [string, string, () => string, number, number][] = [
    ['bare', '/bare', () => JSON.stringify({ text: next() }), 1, args.connections],
    ['predict-hot', '/predict', () => JSON.stringify({ text: next() }), 1, args.connections],
    ['predict-lean', '/predict', () => JSON.stringify({ text: next() }), 1, args.connections],
    ['predict-cold', '/predict', () => JSON.stringify({ text: next() }), 1, args.connections],
    ['batch-64', '/predict', () => batch(64), 64, 4],
  ];
  // Decided here, not by the scenarios run: `--only bare` must still measure FinBERT.
  const finbert = createFamilyRegistry().names().includes('finbert');
  for (const [name, path, body, n, connections] of scenarios) {
    if (args.only && !args.only.includes(name) && name !== 'bare') continue;
    const server = await startChild(name, passArgs, args.cpuProf);
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
      const f = await load(name, server, path, body, n, args, server.note, connections);
      results.push(f);
      console.log(
        `${f.scenario.padEnd(14)} ${f.reqPerS.toFixed(0).padStart(7)} req/s ${f.textsPerS.toFixed(0).padStart(8)} texts/s  ` +
          `p50 ${f.p50} ms  p99 ${f.p99} ms  cpu ${Number.isFinite(f.cpuPerRequestUs) ? `${f.cpuPerRequestUs.toFixed(0)} µs/req` : 'n/a'}  errors ${f.errors}  statuses ${JSON.stringify(f.statuses)}  (${f.note})`,
      );
    } finally {
      await server.stop();
    }
  }
  if (finbert && !args.finbert) {
    console.log('finbert: skipped (--no-finbert)');
  } else if (finbert) {
    // Both go through the server's micro-batcher (FINBERT_BATCH, on by default): 16-headline
    // requests from 4 clients, and single headlines from 16 clients that it gathers into batches.
    const finbertScenarios: [string, () => string, number, number][] = [
      ['finbert-batch-16', () => batch(16), 16, 4],
      ['finbert-single', () => JSON.stringify({ text: next() }), 1, 16],
    ];
    const server = await startChild('finbert', passArgs, args.cpuProf);
    try {
      for (const [name, body, n, connections] of finbertScenarios) {
        const f = await load(name, server, '/predict/finbert', body, n, args, server.note, connections);
        results.push(f);
        console.log(
          `${f.scenario.padEnd(14)} ${f.reqPerS.toFixed(1).padStart(7)} req/s ${f.textsPerS.toFixed(1).padStart(8)} texts/s  ` +
            `p50 ${f.p50} ms  p99 ${f.p99} ms  cpu ${Number.isFinite(f.cpuPerRequestUs) ? `${(f.cpuPerRequestUs / n / 1000).toFixed(1)} ms/headline` : 'n/a'}  errors ${f.errors}  statuses ${JSON.stringify(f.statuses)}` +
            `  (FINBERT_MODEL_DIR=${process.env.FINBERT_MODEL_DIR ?? '(unset: the hub model, unreachable offline)'}; FINBERT_THREAD=${process.env.FINBERT_THREAD ?? 'auto'})`,
        );
      }
      if (args.contention) await finbertContention(server, args, next, batch, results);
    } finally {
      await server.stop();
    }
  } else {
    console.log('finbert: no finbert family registered in createFamilyRegistry(); FinBERT scenario skipped');
  }
  const bare = results.find((r) => r.scenario === 'bare')!;
  for (const r of results.filter((x) => x.scenario.startsWith('predict'))) {
    const errors =
      r.errors + Object.entries(r.statuses).reduce((n, [c, k]) => (c.startsWith('2') ? n : n + k), 0);
    const ratio = r.reqPerS / bare.reqPerS;
    console.log(
      `${r.scenario}: ${(ratio * 100).toFixed(1)}% of bare's req/s (target >= 50%: ${ratio >= 0.5 ? 'met' : 'NOT met'}); ` +
        `CPU per request ${((bare.cpuPerRequestUs / r.cpuPerRequestUs) * 100).toFixed(1)}% of bare's capacity; ` +
        `p99 ${r.p99} ms (target < 10 ms: ${r.p99 < 10 ? 'met' : 'NOT met'}); errors ${errors} (target 0: ${errors === 0 ? 'met' : 'NOT met'})`,
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
