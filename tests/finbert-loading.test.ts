import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FinsentEnv } from '../lib/env';
import { ModelUnavailableError } from '../lib/errors';
import { createFamilyRegistry } from '../models/families';
import type { FinbertModel } from '../models/finbert/model';
import { finbertSettings, PINNED_REVISION } from '../models/finbert/settings';
import { hubCachePath } from '../models/finbert/source';
import { finbertStatus } from '../models/finbert/status';
import { LABELS } from '../models/types';
import { type BuildResult, buildBertFixture } from '../scripts/fixtures/bert/build';
import { referenceForward } from '../scripts/fixtures/bert/reference';
import { referenceEncode } from '../scripts/fixtures/bert/reference-tokenizer';

/** transformers.js + onnxruntime fp32 vs the float64 reference (see tests/fixture-bert.test.ts). */
const FP32_TOLERANCE = 1e-4;
const TEXTS = [
  'Shares soared after record quarterly profit',
  'Bank stocks slump on credit fears',
  'Fed meeting today',
];

/** Largest absolute difference between two vectors. */
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

let root: string;
let tiny: BuildResult;
/** Same weights' shape, FinBERT's labels in another order: id2label must be read, not assumed. */
let reordered: BuildResult;

const envFor = (overrides: Partial<FinsentEnv>): FinsentEnv => ({
  dataDir: path.join(root, 'data'),
  ...overrides,
});
const registry = createFamilyRegistry();

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'finsent-finbert-'));
  tiny = await buildBertFixture({ outDir: path.join(root, 'tiny'), seed: 5 });
  reordered = await buildBertFixture({
    outDir: path.join(root, 'reordered'),
    seed: 5,
    labels: ['neutral', 'Bearish', 'Bullish'],
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

function stubFinbertEnv(vars: Record<string, string>) {
  for (const name of [
    'FINBERT_DTYPE',
    'FINBERT_DEVICE',
    'FINBERT_REVISION',
    'FINBERT_CACHE_DIR',
    'HF_ENDPOINT',
    'HF_HUB_OFFLINE',
    'TRANSFORMERS_OFFLINE',
    'FINSENT_OFFLINE',
  ]) {
    vi.stubEnv(name, vars[name] ?? '');
  }
}

describe('FinBERT from a local directory (FINBERT_MODEL_DIR)', () => {
  it('loads through the family registry and matches the reference logits, fp32', async () => {
    stubFinbertEnv({ FINBERT_DTYPE: 'fp32', HF_HUB_OFFLINE: '1' });
    const model = (await registry.load('finbert', {
      env: envFor({ finbertModelDir: tiny.dir }),
    })) as FinbertModel;
    try {
      expect(model.version).toBe('builtin');
      expect(model.info.source).toEqual({ kind: 'dir', dir: tiny.dir });
      const logits = await model.logits(TEXTS);
      TEXTS.forEach((text, i) => {
        const ref = referenceForward(tiny.weights, referenceEncode(text, tiny.vocab)).logits;
        // Fixture labels are FinBERT's (0 positive, 1 negative, 2 neutral) = LABELS order.
        expect(maxDiff(logits[i]!, ref)).toBeLessThan(FP32_TOLERANCE);
      });
      const predictions = await model.predict(TEXTS);
      for (const p of predictions) {
        expect(p.scores.positive + p.scores.negative + p.scores.neutral).toBeCloseTo(1, 6);
        expect(p).toMatchObject({ model: 'finbert', version: 'builtin' });
        expect(p.confidence).toBe(p.scores[p.label]);
        expect(p.sentiment).toBeCloseTo(p.scores.positive - p.scores.negative, 12);
      }
    } finally {
      await model.close();
    }
  });

  it('maps outputs to labels through config.json id2label, whatever their order', async () => {
    stubFinbertEnv({ FINBERT_DTYPE: 'fp32' });
    const model = (await registry.load('finbert', {
      env: envFor({ finbertModelDir: reordered.dir }),
    })) as FinbertModel;
    try {
      const [logits] = await model.logits([TEXTS[0]!]);
      const ref = referenceForward(reordered.weights, referenceEncode(TEXTS[0]!, reordered.vocab)).logits;
      // Output 0 is neutral, 1 bearish (negative), 2 bullish (positive).
      const expected = { positive: ref[2]!, negative: ref[1]!, neutral: ref[0]! };
      expect(
        maxDiff(
          logits!,
          LABELS.map((l) => expected[l]),
        ),
      ).toBeLessThan(FP32_TOLERANCE);
    } finally {
      await model.close();
    }
  });

  it('loads the int8 model by default and stays close to the fp32 one', async () => {
    stubFinbertEnv({});
    const env = envFor({ finbertModelDir: tiny.dir });
    expect(finbertSettings(env).dtype).toBe('q8');
    const model = (await registry.load('finbert', { env })) as FinbertModel;
    try {
      expect(model.info.dtype).toBe('q8');
      const logits = await model.logits(TEXTS);
      TEXTS.forEach((text, i) => {
        const ref = referenceForward(tiny.weights, referenceEncode(text, tiny.vocab)).logits;
        expect(maxDiff(logits[i]!, ref)).toBeLessThan(0.15);
      });
    } finally {
      await model.close();
    }
  });

  it('truncates long texts at FINBERT_MAX_TOKENS and batches texts of different lengths', async () => {
    stubFinbertEnv({ FINBERT_DTYPE: 'fp32' });
    vi.stubEnv('FINBERT_MAX_TOKENS', '16');
    const model = (await registry.load('finbert', {
      env: envFor({ finbertModelDir: tiny.dir }),
    })) as FinbertModel;
    try {
      const long = Array.from({ length: 40 }, () => 'profit').join(' ');
      const [a, b] = await model.logits([long, 'gain']);
      const refLong = referenceForward(tiny.weights, referenceEncode(long, tiny.vocab, 16)).logits;
      const refShort = referenceForward(tiny.weights, referenceEncode('gain', tiny.vocab)).logits;
      expect(maxDiff(a!, refLong)).toBeLessThan(FP32_TOLERANCE);
      expect(maxDiff(b!, refShort)).toBeLessThan(FP32_TOLERANCE);
    } finally {
      await model.close();
    }
  });

  it('explains which files a directory lacks and which dtypes it has', async () => {
    stubFinbertEnv({ FINBERT_DTYPE: 'fp16' });
    const load = registry.load('finbert', { env: envFor({ finbertModelDir: tiny.dir }) });
    await expect(load).rejects.toThrow(ModelUnavailableError);
    await expect(load).rejects.toThrow(
      /lacks onnx\/model_fp16\.onnx for dtype fp16 \(dtypes present: q8, fp32; set FINBERT_DTYPE\)/,
    );
    stubFinbertEnv({});
    await expect(
      registry.load('finbert', { env: envFor({ finbertModelDir: path.join(root, 'nowhere') }) }),
    ).rejects.toThrow(
      /^FinBERT unavailable: FINBERT_MODEL_DIR=.*nowhere does not exist; set FINBERT_MODEL_DIR or allow network access$/,
    );
  });

  it('refuses a classifier whose id2label does not name the three sentiments', async () => {
    stubFinbertEnv({ FINBERT_DTYPE: 'fp32' });
    const odd = await buildBertFixture({
      outDir: path.join(root, 'odd'),
      seed: 1,
      labels: ['a', 'b', 'c'],
      quantize: false,
    });
    await expect(registry.load('finbert', { env: envFor({ finbertModelDir: odd.dir }) })).rejects.toThrow(
      /does not map one-to-one onto positive, negative, neutral/,
    );
  });
});

describe('FinBERT from the hub (pinned revision, cache outside node_modules)', () => {
  let server: Server;
  let endpoint: string;
  const requests: string[] = [];
  let fault: 'none' | 'truncate' | 'bad-sha' = 'none';

  beforeAll(async () => {
    // A stand-in for huggingface.co on loopback: /{id}/resolve/{revision}/{file} → the fixture's files.
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const match = /^\/Xenova\/finbert\/resolve\/([^/]+)\/(.+)$/.exec(req.url ?? '');
      if (!match || match[1] !== PINNED_REVISION) {
        res.writeHead(404).end();
        return;
      }
      const file = path.join(tiny.dir, decodeURIComponent(match[2]!));
      readFile(file).then(
        (bytes) => {
          // Like the hub, LFS files (the ONNX weights) carry their sha256 as ETag.
          const lfs = file.endsWith('.onnx');
          const sha = fault === 'bad-sha' ? 'a'.repeat(64) : createHash('sha256').update(bytes).digest('hex');
          res.writeHead(200, { 'content-length': bytes.byteLength, ...(lfs ? { etag: `"${sha}"` } : {}) });
          if (req.method === 'HEAD') res.end();
          else if (lfs && fault === 'truncate') {
            res.write(bytes.subarray(0, bytes.byteLength >> 1));
            setTimeout(() => res.destroy(), 20);
          } else res.end(bytes);
        },
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('downloads the pinned revision once into $FINSENT_DATA_DIR/hf-cache, then loads offline from the cache', async () => {
    const env = envFor({ dataDir: path.join(root, 'hub-data') });
    stubFinbertEnv({ HF_ENDPOINT: endpoint });
    expect((await finbertStatus(env)).state).toBe('downloadable');
    const first = (await registry.load('finbert', { env })) as FinbertModel;
    const online = await first.logits(TEXTS);
    await first.close();
    const cacheDir = path.join(root, 'hub-data', 'hf-cache');
    expect(first.info.source).toMatchObject({
      kind: 'hub',
      id: 'Xenova/finbert',
      revision: PINNED_REVISION,
      cached: false,
    });
    for (const file of [
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/model_quantized.onnx',
    ]) {
      expect((await stat(hubCachePath(cacheDir, 'Xenova/finbert', PINNED_REVISION, file))).isFile()).toBe(
        true,
      );
    }
    expect(requests.some((r) => r.startsWith('HEAD ') && r.endsWith('/config.json'))).toBe(true);
    expect(requests.every((r) => r.includes(`/resolve/${PINNED_REVISION}/`))).toBe(true);

    const before = requests.length;
    stubFinbertEnv({ HF_ENDPOINT: endpoint, HF_HUB_OFFLINE: '1' });
    expect(await finbertStatus(env)).toMatchObject({ state: 'ready', dtype: 'q8' });
    const second = (await registry.load('finbert', { env })) as FinbertModel;
    expect(second.info.source).toMatchObject({ kind: 'hub', cached: true });
    expect(await second.logits(TEXTS)).toEqual(online);
    await second.close();
    expect(requests.length).toBe(before);
  });

  it('never leaves a half-downloaded or corrupted file in the cache', async () => {
    const dataDir = path.join(root, 'hub-faults');
    const model = hubCachePath(
      path.join(dataDir, 'hf-cache'),
      'Xenova/finbert',
      PINNED_REVISION,
      'onnx/model_quantized.onnx',
    );
    stubFinbertEnv({ HF_ENDPOINT: endpoint });
    try {
      fault = 'truncate';
      await expect(registry.load('finbert', { env: envFor({ dataDir }) })).rejects.toThrow(
        /^FinBERT unavailable: downloading Xenova\/finbert@cd48a16 onnx\/model_quantized\.onnx failed/,
      );
      fault = 'bad-sha';
      await expect(registry.load('finbert', { env: envFor({ dataDir }) })).rejects.toThrow(
        /does not match the hub's a{64}/,
      );
      expect(await readdir(path.dirname(model))).toEqual([]);
      // The small files that did arrive are kept; the next attempt fetches only what is missing.
      fault = 'none';
      const before = requests.length;
      const loaded = await registry.load('finbert', { env: envFor({ dataDir }) });
      await loaded.close?.();
      expect(requests.slice(before).filter((r) => r.startsWith('GET '))).toEqual([
        `GET /Xenova/finbert/resolve/${PINNED_REVISION}/onnx/model_quantized.onnx`,
        `GET /Xenova/finbert/resolve/${PINNED_REVISION}/special_tokens_map.json`,
      ]);
    } finally {
      fault = 'none';
    }
  });

  it('loads a trained version on the encoder its head.json names, whatever FINBERT_REVISION says', async () => {
    const versionDir = path.join(root, 'head-version');
    await mkdir(versionDir, { recursive: true });
    const fingerprint = createHash('sha256')
      .update(await readFile(path.join(tiny.dir, 'config.json')))
      .update(await readFile(path.join(tiny.dir, 'tokenizer.json')))
      .digest('hex')
      .slice(0, 16);
    const row = (k: number) => Array.from({ length: 32 }, (_, d) => Math.sin(k + d));
    const head = {
      format: 'finsent-head/1',
      labels: ['positive', 'negative', 'neutral'],
      weights: [row(1), row(2), row(3)],
      bias: [0, 0, 0],
      mean: new Array(32).fill(0),
      std: new Array(32).fill(1),
      encoder: {
        model: 'Xenova/finbert',
        revision: PINNED_REVISION,
        fingerprint,
        hiddenSize: 32,
        dtype: 'q8',
        maxTokens: 64,
      },
      training: {},
    };
    await writeFile(path.join(versionDir, 'head.json'), JSON.stringify(head));
    stubFinbertEnv({ HF_ENDPOINT: endpoint, FINBERT_REVISION: 'deadbeef' });
    const model = (await registry.load('finbert@1.0.0', {
      env: envFor({ dataDir: path.join(root, 'head-data') }),
      artifacts: { fetch: async () => versionDir },
    })) as FinbertModel;
    try {
      expect(model.info.source).toMatchObject({
        kind: 'hub',
        id: 'Xenova/finbert',
        revision: PINNED_REVISION,
      });
      expect(model.info.maxTokens).toBe(64);
      const [p] = await model.predict(['Shares soared']);
      expect(p).toMatchObject({ model: 'finbert', version: '1.0.0' });
      expect(model.calibrator).toBeUndefined();
    } finally {
      await model.close();
    }
  });

  it('reports a revision the hub does not have', async () => {
    stubFinbertEnv({ HF_ENDPOINT: endpoint, FINBERT_REVISION: 'deadbeef' });
    await expect(
      registry.load('finbert', { env: envFor({ dataDir: path.join(root, 'hub-404') }) }),
    ).rejects.toThrow('FinBERT unavailable: Xenova/finbert has no revision deadbeef');
  });
});

describe('FinBERT without weights and without network', () => {
  it('fails at once in offline mode, naming the cache and the fix', async () => {
    stubFinbertEnv({ HF_HUB_OFFLINE: '1' });
    const env = envFor({ dataDir: path.join(root, 'empty') });
    const started = performance.now();
    const error = await registry.load('finbert', { env }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toBe(
      `FinBERT unavailable: Xenova/finbert@cd48a16 (q8) is not in the cache at ${path.join(root, 'empty', 'hf-cache')} and offline mode is on; set FINBERT_MODEL_DIR or allow network access`,
    );
    expect(await finbertStatus(env)).toMatchObject({
      family: 'finbert',
      state: 'unavailable',
      reason: (error as Error).message,
    });
  });

  it('fails fast when the hub cannot be reached, without hanging on the network', async () => {
    // A loopback port nothing listens on: connection refused, the same path as a DNS failure.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    stubFinbertEnv({ HF_ENDPOINT: `http://127.0.0.1:${port}` });
    const env = envFor({ dataDir: path.join(root, 'unreachable') });
    await expect(registry.load('finbert', { env })).rejects.toThrow(
      new RegExp(
        `^FinBERT unavailable: cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); set FINBERT_MODEL_DIR`,
      ),
    );
    const status = await finbertStatus(env, { probe: true });
    expect(status.state).toBe('unavailable');
  });

  it('times out a hub that never answers', async () => {
    const silent = createServer(() => {
      // Accepts the connection and never responds.
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    stubFinbertEnv({ HF_ENDPOINT: `http://127.0.0.1:${port}` });
    vi.stubEnv('FINBERT_HUB_TIMEOUT_MS', '300');
    try {
      await expect(
        registry.load('finbert', { env: envFor({ dataDir: path.join(root, 'silent') }) }),
      ).rejects.toThrow(`no answer from http://127.0.0.1:${port} within 300 ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('rejects invalid settings with the variable and the valid values', () => {
    expect(() => finbertSettings(envFor({}), { FINBERT_DTYPE: 'fp64' })).toThrow(
      'FINBERT_DTYPE=fp64 is invalid: use one of q8, fp32, fp16, int8, uint8, q4',
    );
    expect(() => finbertSettings(envFor({}), { FINBERT_BATCH_SIZE: '64', FINBERT_MAX_QUEUE: '8' })).toThrow(
      'FINBERT_MAX_QUEUE (8) must be at least FINBERT_BATCH_SIZE (64)',
    );
    expect(finbertSettings(envFor({}), { FINBERT_DEVICE: 'cuda' })).toMatchObject({
      device: 'cuda',
      dtype: 'fp16',
    });
    expect(finbertSettings(envFor({ finbertModel: 'someone/other-bert' }), {})).toMatchObject({
      modelId: 'someone/other-bert',
      revision: 'main',
    });
  });

  it('keeps a missing cache file from being mistaken for a complete cache', async () => {
    const cacheDir = path.join(root, 'partial', 'hf-cache');
    const env = envFor({ dataDir: path.join(root, 'partial') });
    stubFinbertEnv({ HF_HUB_OFFLINE: '1' });
    // Copy a complete cache, then delete the model file.
    const { cp } = await import('node:fs/promises');
    for (const file of [
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/model_quantized.onnx',
    ]) {
      await cp(path.join(tiny.dir, file), hubCachePath(cacheDir, 'Xenova/finbert', PINNED_REVISION, file), {
        recursive: true,
      });
    }
    expect((await finbertStatus(env)).state).toBe('ready');
    await unlink(hubCachePath(cacheDir, 'Xenova/finbert', PINNED_REVISION, 'onnx/model_quantized.onnx'));
    expect((await finbertStatus(env)).state).toBe('unavailable');
  });
});
