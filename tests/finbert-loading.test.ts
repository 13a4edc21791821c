import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FinsentEnv } from '../lib/env';
import { ModelUnavailableError } from '../lib/errors';
import { createFamilyRegistry } from '../models/families';
import type { FinbertModel } from '../models/finbert/model';
import { finbertSettings } from '../models/finbert/settings';
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
      expect(await model.predict([])).toEqual([]);
      await expect(model.predict(['fine', 42 as unknown as string])).rejects.toThrow(
        'text 1 is number, not a string',
      );
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
