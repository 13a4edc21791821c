import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../models/finbert/onnx/proto';
import { exposePooledOutput, findPooledValue, POOLED_OUTPUT } from '../models/finbert/onnx/surgery';
import {
  type BuildResult,
  buildBertFixture,
  ensureBertFixture,
  FIXTURE_MARKER,
} from '../scripts/fixtures/bert/build';
import { referenceForward } from '../scripts/fixtures/bert/reference';
import { referenceEncode, referenceTokens } from '../scripts/fixtures/bert/reference-tokenizer';
import { randomWeights, TINY_SHAPE } from '../scripts/fixtures/bert/weights';

/** fp32 onnxruntime vs the float64 TypeScript reference: float32 rounding through 2 layers. */
const FP32_TOLERANCE = 1e-4;
/** int8 dynamic quantization vs the fp32 reference, on logits of magnitude ~1–5. */
const INT8_TOLERANCE = 0.15;

const TEXTS = [
  'Apple shares rose 5% after strong quarterly earnings',
  'Stocks plunged amid recession fears!',
  'Fed holds rates',
  'Zzyzx Corp. unveils café-style Ünïcode handling (beta)',
];

let root: string;
let tiny: BuildResult;

async function session(file: string) {
  return ort.InferenceSession.create(file);
}

function feeds(ids: number[][]) {
  const longest = Math.max(...ids.map((r) => r.length));
  const pad = (rows: number[][], fill: number) =>
    rows.flatMap((r) => [...r, ...new Array(longest - r.length).fill(fill)]);
  const tensor = (values: number[]) =>
    new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [ids.length, longest]);
  return {
    input_ids: tensor(pad(ids, 0)),
    attention_mask: tensor(
      pad(
        ids.map((r) => r.map(() => 1)),
        0,
      ),
    ),
    token_type_ids: tensor(
      pad(
        ids.map((r) => r.map(() => 0)),
        0,
      ),
    ),
  };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'finsent-fixture-'));
  tiny = await buildBertFixture({ outDir: path.join(root, 'tiny'), seed: 11 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the fixture BERT builder', () => {
  it('writes a Hugging Face layout directory with a BertForSequenceClassification config', async () => {
    for (const file of [
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'vocab.txt',
    ]) {
      expect((await stat(path.join(tiny.dir, file))).isFile()).toBe(true);
    }
    const config = JSON.parse(await readFile(path.join(tiny.dir, 'config.json'), 'utf8'));
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.id2label).toEqual({ 0: 'positive', 1: 'negative', 2: 'neutral' });
    expect(config).toMatchObject({
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      vocab_size: tiny.vocab.length,
    });
    expect(tiny.vocab.slice(100, 104)).toEqual(['[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(tiny.vocab[0]).toBe('[PAD]');
  });

  it('writes a tokenizer.json that tokenises like BERT’s own WordPiece algorithm', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(tiny.dir, { local_files_only: true });
    for (const text of TEXTS) {
      const ids = tokenizer(text).input_ids.tolist() as unknown as bigint[][];
      expect(ids[0]!.map(Number)).toEqual(referenceEncode(text, tiny.vocab));
    }
    expect(referenceTokens('Earnings beat; shares jumped', tiny.vocab)).toEqual([
      'earnings',
      'beat',
      ';',
      'shares',
      'jumped',
    ]);
    // A word outside the vocabulary falls back to subwords and characters, not [UNK].
    expect(referenceTokens('Outperformingly', tiny.vocab)).toEqual(['outperform', '##ing', '##ly']);
  });

  it('produces fp32 logits equal to the TypeScript reference forward pass, padding included', async () => {
    const s = await session(path.join(tiny.dir, 'onnx', 'model.onnx'));
    const ids = TEXTS.map((t) => referenceEncode(t, tiny.vocab));
    const out = await s.run(feeds(ids));
    const logits = out.logits!.data as Float32Array;
    expect(out.logits!.dims).toEqual([TEXTS.length, 3]);
    ids.forEach((row, b) => {
      const ref = referenceForward(tiny.weights, row).logits;
      ref.forEach((v, j) => {
        expect(Math.abs(logits[b * 3 + j]! - v)).toBeLessThan(FP32_TOLERANCE);
      });
    });
    // Different texts give different logits: the random encoder still responds to its input.
    expect(Math.abs(logits[0]! - logits[3]!)).toBeGreaterThan(0.05);
    await s.release();
  });

  it('writes an int8 model a quarter the weight size whose logits stay within tolerance', async () => {
    expect(tiny.quantization!.matmuls).toBe(2 * 6 + 2);
    expect(tiny.quantization!.bytesAfter).toBeLessThan(tiny.quantization!.floatBytesBefore * 0.3);
    const s = await session(path.join(tiny.dir, 'onnx', 'model_quantized.onnx'));
    const ids = TEXTS.map((t) => referenceEncode(t, tiny.vocab));
    const logits = (await s.run(feeds(ids))).logits!.data as Float32Array;
    let worst = 0;
    ids.forEach((row, b) => {
      referenceForward(tiny.weights, row).logits.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(logits[b * 3 + j]! - v));
      });
    });
    expect(worst).toBeLessThan(INT8_TOLERANCE);
    expect(worst).toBeGreaterThan(0); // it really is a different (quantized) computation
    await s.release();
  });

  it('builds from given weights: a zero encoder outputs exactly the classifier bias', async () => {
    const weights = randomWeights({ ...TINY_SHAPE, vocabSize: tiny.vocab.length }, 1);
    const zero = (a: Float32Array) => a.fill(0);
    zero(weights.wordEmbeddings);
    zero(weights.positionEmbeddings);
    zero(weights.typeEmbeddings);
    weights.classifier.b.set([2, -1, 0.5]);
    zero(weights.classifier.w);
    const built = await buildBertFixture({ outDir: path.join(root, 'given'), weights, quantize: false });
    const s = await session(path.join(built.dir, 'onnx', 'model.onnx'));
    const logits = (await s.run(feeds([referenceEncode('anything at all', built.vocab)]))).logits!
      .data as Float32Array;
    expect(Array.from(logits)).toEqual([2, -1, 0.5]);
    await s.release();
  });

  it('reuses a complete fixture and rebuilds one whose marker is missing', async () => {
    const outDir = path.join(root, 'ensure');
    expect((await ensureBertFixture({ outDir, seed: 3 })).built).toBe(true);
    expect((await ensureBertFixture({ outDir, seed: 3 })).built).toBe(false);
    expect((await ensureBertFixture({ outDir, seed: 4 })).built).toBe(true);
    await rm(path.join(outDir, FIXTURE_MARKER));
    expect((await ensureBertFixture({ outDir, seed: 4 })).built).toBe(true);
  });
});

describe('pooled-output surgery', () => {
  it('finds the pooler Tanh behind the logits in fp32 and int8 graphs', async () => {
    for (const file of ['model.onnx', 'model_quantized.onnx']) {
      const model = decodeModel(await readFile(path.join(tiny.dir, 'onnx', file)));
      expect(findPooledValue(model)).toMatch(/^bert\.pooler\/Tanh_/);
    }
  });

  it('exposes pooler_output equal to the reference pooled vector and leaves the logits unchanged', async () => {
    const original = await readFile(path.join(tiny.dir, 'onnx', 'model.onnx'));
    const patched = exposePooledOutput(original, 32);
    const s = await ort.InferenceSession.create(patched);
    expect(s.outputNames).toEqual(['logits', POOLED_OUTPUT]);
    const ids = TEXTS.map((t) => referenceEncode(t, tiny.vocab));
    const out = await s.run(feeds(ids));
    const pooled = out[POOLED_OUTPUT]!.data as Float32Array;
    ids.forEach((row, b) => {
      const ref = referenceForward(tiny.weights, row);
      ref.pooled.forEach((v, j) => {
        expect(Math.abs(pooled[b * 32 + j]! - v)).toBeLessThan(FP32_TOLERANCE);
      });
      ref.logits.forEach((v, j) => {
        expect(Math.abs((out.logits!.data as Float32Array)[b * 3 + j]! - v)).toBeLessThan(FP32_TOLERANCE);
      });
    });
    // Idempotent: a graph that already has the output is returned as is.
    expect(exposePooledOutput(patched)).toBe(patched);
    await s.release();
  });

  it('refuses a graph without logits', async () => {
    const model = decodeModel(await readFile(path.join(tiny.dir, 'onnx', 'model.onnx')));
    expect(() => findPooledValue(model, 'nope')).toThrow('the graph has no output "nope"');
  });
});
