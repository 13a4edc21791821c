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
import { type BuildResult, buildBertFixture } from '../scripts/fixtures/bert/build';

/**
 * FinBERT from the Hugging Face hub, against a loopback stand-in for huggingface.co (the network
 * is otherwise off): the pinned revision, the cache outside node_modules, and fast, clear failures
 * when the weights cannot be had.
 */
const TEXTS = [
  'Shares soared after record quarterly profit',
  'Bank stocks slump on credit fears',
  'Fed meeting today',
];

let root: string;
let tiny: BuildResult;

const envFor = (overrides: Partial<FinsentEnv>): FinsentEnv => ({
  dataDir: path.join(root, 'data'),
  ...overrides,
});
const registry = createFamilyRegistry();

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'finsent-finbert-'));
  tiny = await buildBertFixture({ outDir: path.join(root, 'tiny'), seed: 5 });
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
