import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FinsentEnv } from '../lib/env';
import { ConfigError, type FinsentError, ModelUnavailableError } from '../lib/errors';
import { createFamilyRegistry } from '../models/families';
import type { FinbertModel } from '../models/finbert/model';
import { type BertRuntime, loadBertRuntime } from '../models/finbert/runtime';
import { type FinbertSettings, finbertSettings } from '../models/finbert/settings';
import { finbertStatus } from '../models/finbert/status';
import { resolveThread, workerEntry } from '../models/finbert/thread';
import { loadWorkerRuntime, openBertRuntime, workerExecArgv } from '../models/finbert/worker-runtime';
import { type BuildResult, buildBertFixture } from '../scripts/fixtures/bert/build';

/**
 * FinBERT in a worker thread (FINBERT_THREAD, docs/adr/065): the same numbers as on the main
 * thread, an event loop that stays free while a batch runs, and a dead worker that fails loudly.
 */

const REPO = path.resolve(import.meta.dirname, '..');
const TEXTS = [
  'Shares soared after record quarterly profit',
  'Bank stocks slump on credit fears',
  'Fed meeting today',
];
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

let root: string;
let tiny: BuildResult;
const envFor = (overrides: Partial<FinsentEnv> = {}): FinsentEnv => ({
  dataDir: path.join(root, 'data'),
  ...overrides,
});
const settingsFor = (dir: string, raw: NodeJS.ProcessEnv = {}): FinbertSettings =>
  finbertSettings(envFor({ finbertModelDir: dir }), { FINBERT_DTYPE: 'fp32', ...raw });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'finsent-finbert-worker-'));
  tiny = await buildBertFixture({ outDir: path.join(root, 'tiny'), seed: 7, quantize: false });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function closing<T extends BertRuntime, R>(runtime: T, fn: (rt: T) => Promise<R>): Promise<R> {
  try {
    return await fn(runtime);
  } finally {
    await runtime.dispose();
  }
}

describe('FINBERT_THREAD', () => {
  it('defaults to auto, which is the worker from the source tree', () => {
    const settings = finbertSettings(envFor(), {});
    expect(settings.thread).toBe('auto');
    expect(workerEntry()?.href).toBe(pathToFileURL(path.join(REPO, 'models/finbert/worker-entry.mjs')).href);
    expect(resolveThread(settings)).toBe('worker');
    expect(resolveThread(finbertSettings(envFor(), { FINBERT_THREAD: ' Main ' }))).toBe('main');
    expect(resolveThread(finbertSettings(envFor(), { FINBERT_THREAD: 'worker' }))).toBe('worker');
  });

  it('rejects a bad value with the variable and the valid ones', async () => {
    const bad = () => finbertSettings(envFor(), { FINBERT_THREAD: 'gpu' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow('FINBERT_THREAD=gpu is invalid: use one of auto, worker, main');
    const status = await finbertStatus(envFor({ finbertModelDir: tiny.dir }), {
      raw: { FINBERT_THREAD: 'threads' },
    });
    expect(status).toMatchObject({ state: 'unavailable', thread: '?' });
    expect(status.reason).toMatch(/FINBERT_THREAD=threads is invalid/);
  });

  it('reports the thread in the status line', async () => {
    const env = envFor({ finbertModelDir: tiny.dir });
    expect(await finbertStatus(env, { raw: { FINBERT_DTYPE: 'fp32' } })).toMatchObject({
      state: 'ready',
      thread: 'worker',
    });
    expect(
      await finbertStatus(env, { raw: { FINBERT_DTYPE: 'fp32', FINBERT_THREAD: 'main' } }),
    ).toMatchObject({ state: 'ready', thread: 'main' });
  });
});

describe('a worker-thread runtime', () => {
  it('gives the main thread’s logits and pooled vectors, as Float32Arrays', async () => {
    const settings = settingsFor(tiny.dir);
    const main = await loadBertRuntime(settings, { variant: 'encoder' });
    const worker = await loadWorkerRuntime(settings, { variant: 'encoder' });
    try {
      expect(worker.thread).toBe('worker');
      expect(worker.info).toEqual(main.info);
      const [a, b] = await Promise.all([worker.run(TEXTS), main.run(TEXTS)]);
      expect(a.logits).toHaveLength(TEXTS.length);
      expect(a.pooled).toHaveLength(TEXTS.length);
      TEXTS.forEach((_, i) => {
        expect(a.logits![i]).toBeInstanceOf(Float32Array);
        expect(maxDiff(a.logits![i]!, b.logits![i]!)).toBeLessThan(1e-6);
        expect(maxDiff(a.pooled![i]!, b.pooled![i]!)).toBeLessThan(1e-6);
      });
      // Concurrent calls are answered in order, each with its own rows.
      const many = await Promise.all(TEXTS.map((t) => worker.run([t])));
      many.forEach((out, i) => {
        expect(maxDiff(out.logits![0]!, b.logits![i]!)).toBeLessThan(1e-5);
      });
    } finally {
      await Promise.all([main.dispose(), worker.dispose()]);
    }
  });

  it('is what the family loads by default, and predicts what FINBERT_THREAD=main predicts', async () => {
    const registry = createFamilyRegistry();
    const load = async (thread: string) => {
      const previous = { dtype: process.env.FINBERT_DTYPE, thread: process.env.FINBERT_THREAD };
      process.env.FINBERT_DTYPE = 'fp32';
      process.env.FINBERT_THREAD = thread;
      try {
        return (await registry.load('finbert', {
          env: envFor({ finbertModelDir: tiny.dir }),
        })) as FinbertModel;
      } finally {
        for (const [name, value] of [
          ['FINBERT_DTYPE', previous.dtype],
          ['FINBERT_THREAD', previous.thread],
        ] as const) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
    };
    const inWorker = await load('auto');
    const onMain = await load('main');
    try {
      const [a, b] = await Promise.all([inWorker.predict(TEXTS), onMain.predict(TEXTS)]);
      a.forEach((p, i) => {
        expect(p.label).toBe(b[i]!.label);
        expect(p.scores.positive).toBeCloseTo(b[i]!.scores.positive, 6);
        expect(p.scores.negative).toBeCloseTo(b[i]!.scores.negative, 6);
      });
    } finally {
      await Promise.all([inWorker.close(), onMain.close()]);
    }
  });

  it('rethrows errors from inside the worker as the same codes and messages', async () => {
    // A directory that passes the file check but whose ONNX file is garbage: the worker's
    // loadBertRuntime fails, with MODEL_UNAVAILABLE and its fix.
    const broken = path.join(root, 'broken');
    await mkdir(path.join(broken, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      await copyFile(path.join(tiny.dir, f), path.join(broken, f));
    }
    await writeFile(path.join(broken, 'onnx', 'model.onnx'), 'not an onnx graph');
    const settings = settingsFor(broken);
    const onMain = (await loadBertRuntime(settings).catch((e: unknown) => e)) as FinsentError;
    const inWorker = (await loadWorkerRuntime(settings).catch((e: unknown) => e)) as FinsentError;
    expect(inWorker).toBeInstanceOf(ModelUnavailableError);
    expect(inWorker.code).toBe('MODEL_UNAVAILABLE');
    expect(inWorker.message).toBe(onMain.message);
    expect(inWorker.message).toMatch(
      /^FinBERT unavailable: loading failed .*; set FINBERT_MODEL_DIR or allow network access$/,
    );
    expect(inWorker.context).toMatchObject({ action: 'loading FinBERT' });

    // A call that fails in the worker fails here with the same message, and the worker lives on.
    await closing(await loadWorkerRuntime(settingsFor(tiny.dir)), async (rt) => {
      const main = await loadBertRuntime(settingsFor(tiny.dir));
      try {
        const bad = [null as unknown as string];
        const expected = (await main.run(bad).catch((e: unknown) => e)) as Error;
        const got = (await rt.run(bad).catch((e: unknown) => e)) as Error;
        expect(expected).toBeInstanceOf(TypeError);
        expect(got).toBeInstanceOf(TypeError);
        expect(got.message).toBe(expected.message);
        expect((await rt.run(TEXTS)).logits).toHaveLength(3);
      } finally {
        await main.dispose();
      }
    });
  });

  it('rejects pending and later calls with a clear error when the worker dies, and says so in the status', async () => {
    const env = envFor({ finbertModelDir: tiny.dir });
    const rt = await loadWorkerRuntime(settingsFor(tiny.dir));
    try {
      rt.crashForTest('simulated native crash');
      const pending = rt.run(TEXTS);
      await expect(pending).rejects.toThrow(ModelUnavailableError);
      await expect(pending).rejects.toThrow(
        /^FinBERT unavailable: its worker thread crashed \(simulated native crash\); load the model again .*FINBERT_THREAD=main/,
      );
      await expect(rt.run(TEXTS)).rejects.toThrow(/worker thread crashed \(simulated native crash\)/);
      const status = await finbertStatus(env, { raw: { FINBERT_DTYPE: 'fp32' } });
      expect(status).toMatchObject({ state: 'unavailable', thread: 'worker' });
      expect(status.reason).toMatch(/worker thread crashed \(simulated native crash\)/);
    } finally {
      await rt.dispose();
    }
    // Disposed (the pool retires it, or it is reloaded): the status forgets the dead runtime.
    expect(await finbertStatus(env, { raw: { FINBERT_DTYPE: 'fp32' } })).toMatchObject({ state: 'ready' });
    await expect(rt.run(TEXTS)).rejects.toThrow(/worker thread crashed/);
  });

  it('after dispose refuses calls, and dispose is idempotent', async () => {
    const rt = await openBertRuntime(settingsFor(tiny.dir));
    expect((rt as { thread?: string }).thread).toBe('worker');
    const inFlight = rt.run(TEXTS);
    await rt.dispose();
    // A call sent before dispose still finishes: the worker handles messages in order.
    expect((await inFlight).logits).toHaveLength(3);
    await rt.dispose();
    await expect(rt.run(TEXTS)).rejects.toThrow('FinBERT was closed; load it again');
  });
});

describe('the process', () => {
  it("passes the parent's Node options to the worker, less its entry point's", () => {
    expect(
      workerExecArgv([
        '--input-type=module',
        '-e',
        'code',
        '--import',
        'tsx',
        '--cpu-prof',
        '--input-type',
        'commonjs',
      ]),
    ).toEqual(['--import', 'tsx', '--cpu-prof']);
    expect(workerExecArgv(['--eval=x', '-p', 'y', '--conditions=dev'])).toEqual(['--conditions=dev']);
  });

  const execFileP = promisify(execFile);
  /** A child process that loads a worker runtime, runs one batch and ends its script. */
  async function child(dispose: boolean): Promise<{ ms: number; stdout: string }> {
    const runtimeUrl = pathToFileURL(path.join(REPO, 'models/finbert/worker-runtime.ts')).href;
    const settingsUrl = pathToFileURL(path.join(REPO, 'models/finbert/settings.ts')).href;
    const code = `
      import { loadWorkerRuntime } from ${JSON.stringify(runtimeUrl)};
      import { finbertSettings } from ${JSON.stringify(settingsUrl)};
      const settings = finbertSettings({ dataDir: ${JSON.stringify(path.join(root, 'data'))}, finbertModelDir: ${JSON.stringify(tiny.dir)} }, { FINBERT_DTYPE: 'fp32' });
      const rt = await loadWorkerRuntime(settings);
      const out = await rt.run(['Shares rose']);
      ${dispose ? 'await rt.dispose();' : ''}
      console.log('ran', out.logits.length, performance.now().toFixed(0));
    `;
    const started = performance.now();
    const { stdout } = await execFileP(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      {
        cwd: REPO,
        timeout: 60_000,
      },
    );
    return { ms: performance.now() - started, stdout };
  }

  it('exits by itself after a run, disposed or not: no worker keeps it alive', async () => {
    const [disposed, forgotten] = await Promise.all([child(true), child(false)]);
    expect(disposed.stdout).toMatch(/^ran 1 /);
    expect(forgotten.stdout).toMatch(/^ran 1 /);
  }, 90_000);
});

describe('the event loop while a batch runs', () => {
  /** Big enough that a batch takes a few hundred ms of CPU, small enough to build in a second. */
  let medium: BuildResult;
  beforeAll(async () => {
    medium = await buildBertFixture({
      outDir: path.join(root, 'medium'),
      seed: 3,
      quantize: false,
      shape: { layers: 4, hidden: 256, heads: 4, intermediate: 1024 },
    });
  });

  /** Runs `work` while a 1 ms timer ticks; returns the work's duration and the longest gap between ticks. */
  async function lagDuring(
    work: () => Promise<unknown>,
  ): Promise<{ runMs: number; maxLagMs: number; ticks: number }> {
    let last = performance.now();
    let maxLagMs = 0;
    let ticks = 0;
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - last);
      last = now;
      ticks++;
      timer = setTimeout(tick, 1);
    };
    timer = setTimeout(tick, 1);
    const started = performance.now();
    try {
      await work();
    } finally {
      clearTimeout(timer);
    }
    const runMs = performance.now() - started;
    maxLagMs = Math.max(maxLagMs, performance.now() - last);
    return { runMs, maxLagMs, ticks };
  }

  it('stays responsive with the worker, and is blocked for the whole batch on the main thread', async () => {
    const settings = settingsFor(medium.dir);
    const long = Array.from({ length: 24 }, (_, i) =>
      Array.from(
        { length: 120 },
        (_, k) => ['profit', 'shares', 'bank', 'rose', 'fell', 'quarter'][(i + k) % 6],
      ).join(' '),
    );
    const main = await loadBertRuntime(settings);
    const worker = await loadWorkerRuntime(settings);
    try {
      // Warm both sessions (first-run allocations), then measure one batch on each.
      await Promise.all([main.run(long.slice(0, 2)), worker.run(long.slice(0, 2))]);
      const onMain = await lagDuring(() => main.run(long));
      const inWorker = await lagDuring(() => worker.run(long));
      console.log(
        `[finsent tests] batch of ${long.length} × 128 tokens: main thread ${onMain.runMs.toFixed(0)} ms ` +
          `(longest timer gap ${onMain.maxLagMs.toFixed(0)} ms); worker ${inWorker.runMs.toFixed(0)} ms ` +
          `(longest gap ${inWorker.maxLagMs.toFixed(0)} ms, ${inWorker.ticks} ticks)`,
      );
      // The premise: the batch is long enough to matter, and on the main thread it blocks the loop.
      expect(onMain.runMs).toBeGreaterThan(100);
      expect(onMain.maxLagMs).toBeGreaterThan(0.8 * onMain.runMs);
      // In the worker the timer keeps firing; the bound leaves room for a loaded two-core machine
      // (the worker's ONNX threads compete with this one for the cores).
      expect(inWorker.maxLagMs).toBeLessThan(Math.max(50, inWorker.runMs / 3));
      expect(inWorker.ticks).toBeGreaterThan(10);
    } finally {
      await Promise.all([main.dispose(), worker.dispose()]);
    }
  });
});
