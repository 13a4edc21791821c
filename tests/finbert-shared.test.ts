import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../lib/paths';
import { loadBertRuntime } from '../models/finbert/runtime';
import { finbertSettings } from '../models/finbert/settings';
import { createFinbertTrainer } from '../models/finbert/trainer';
import { parseHead } from '../models/head/artifact';
import type { LabelledText } from '../models/training/types';
import type { Label } from '../models/types';
import { buildBertFixture } from '../scripts/fixtures/bert/build';

/**
 * Checks on the development data beside the checkout (../shared): the real tinybert graph from
 * oracle/tribuo (a genuine BERT export with a pooled output and no head) and the Twitter financial
 * news set. Skipped, visibly, where ../shared is absent.
 */
const tribuo = sharedDir('fixtures', 'tinybert-tribuo');
const twitter = sharedDir('data', 'twitter-financial-news-sentiment');
if (!tribuo)
  console.warn(
    '[finsent tests] ../shared/fixtures/tinybert-tribuo is absent: skipping the tinybert encoder checks',
  );
if (!twitter)
  console.warn(
    '[finsent tests] ../shared/data/twitter-financial-news-sentiment is absent: skipping the Twitter head-training run',
  );

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'finsent-shared-'));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** The tribuo files in the Hugging Face layout the loader expects (it ships as two loose files). */
async function tribuoAsHfDir(): Promise<string> {
  const dir = path.join(root, 'tinybert-tribuo');
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  await copyFile(path.join(tribuo!, 'tinybert.onnx'), path.join(dir, 'onnx', 'model.onnx'));
  await copyFile(path.join(tribuo!, 'tinybert-tokenizer.json'), path.join(dir, 'tokenizer.json'));
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  await writeFile(
    path.join(dir, 'config.json'),
    json({
      model_type: 'bert',
      architectures: ['BertModel'],
      hidden_size: 50,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      vocab_size: 1656,
    }),
  );
  await writeFile(
    path.join(dir, 'tokenizer_config.json'),
    json({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 512,
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      mask_token: '[MASK]',
    }),
  );
  return dir;
}

/** The set's CSV: header `text,label`, RFC 4180 quoting; 0 bearish, 1 bullish, 2 neutral. */
async function readTwitter(file: string, limit: number): Promise<LabelledText[]> {
  const text = await readFile(file, 'utf8');
  const labels: Record<string, Label> = { '0': 'negative', '1': 'positive', '2': 'neutral' };
  const rows: LabelledText[] = [];
  let i = text.indexOf('\n') + 1;
  while (i < text.length && rows.length < limit) {
    let field = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else {
      const end = text.lastIndexOf(',', text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i));
      field = text.slice(i, end);
      i = end;
    }
    const eol = text.indexOf('\n', i);
    const label = labels[text.slice(i + 1, eol === -1 ? text.length : eol).trim()];
    i = eol === -1 ? text.length : eol + 1;
    if (label) rows.push({ text: field, label });
  }
  return rows;
}

describe.skipIf(!tribuo)('the tinybert-tribuo encoder through the production loader', () => {
  it('yields pooled 50-dimensional embeddings that ignore padding', async () => {
    const dir = await tribuoAsHfDir();
    const settings = finbertSettings(
      { dataDir: path.join(root, 'data'), finbertModelDir: dir },
      { FINBERT_DTYPE: 'fp32' },
    );
    const runtime = await loadBertRuntime(settings, { variant: 'encoder' });
    try {
      expect(runtime.info.outputs).toEqual(['output_0', 'output_1']);
      const texts = [
        'Shares of Apple rose 5% after earnings beat.',
        'Oil slides',
        'The Fed held rates steady on Wednesday',
      ];
      const batch = (await runtime.run(texts)).pooled!;
      expect(batch.map((r) => r.length)).toEqual([50, 50, 50]);
      for (let i = 0; i < texts.length; i++) {
        const alone = (await runtime.run([texts[i]!])).pooled![0]!;
        expect(Math.max(...alone.map((v, j) => Math.abs(batch[i]![j]! - v)))).toBeLessThan(1e-5);
      }
      // Random weights leave [CLS] nearly text-independent, but not exactly.
      const spread = Math.max(...batch[0]!.map((v, j) => Math.abs(v - batch[1]![j]!)));
      expect(spread).toBeGreaterThan(0);
    } finally {
      await runtime.dispose();
    }
  });

  it.skipIf(!twitter)(
    'trains a head on Twitter financial news end to end (numbers mean little on a random encoder)',
    async () => {
      const dir = await tribuoAsHfDir();
      const train = await readTwitter(path.join(twitter!, 'sent_train.csv'), 900);
      const validation = await readTwitter(path.join(twitter!, 'sent_valid.csv'), 300);
      expect(new Set(train.map((r) => r.label))).toEqual(new Set(['negative', 'positive', 'neutral']));
      const settings = finbertSettings(
        { dataDir: path.join(root, 'data'), finbertModelDir: dir },
        { FINBERT_DTYPE: 'fp32' },
      );
      const result = await createFinbertTrainer({
        env: { dataDir: path.join(root, 'data') },
        settings,
      }).train(train, validation, {
        seed: 3,
        params: { maxEpochs: 60 },
      });
      const head = parseHead(JSON.parse(String(result.files['head.json'])));
      expect(head.encoder).toMatchObject({ model: 'dir:tinybert-tribuo', hiddenSize: 50 });
      expect(result.validation.macroF1).toBeGreaterThan(0);
      expect(result.validation.macroF1).toBeLessThanOrEqual(1);
      console.info(
        `[finsent tests] tinybert-tribuo head on ${train.length}/${validation.length} Twitter rows: ` +
          `macro-F1 ${result.validation.macroF1!.toFixed(3)}, accuracy ${result.validation.accuracy!.toFixed(3)}`,
      );
    },
  );
});

describe.skipIf(!twitter)('a fixture encoder on the Twitter set', () => {
  it('runs the whole training path on real headlines', async () => {
    const fixture = await buildBertFixture({ outDir: path.join(root, 'tiny'), seed: 2, quantize: false });
    const train = await readTwitter(path.join(twitter!, 'sent_train.csv'), 600);
    const validation = await readTwitter(path.join(twitter!, 'sent_valid.csv'), 200);
    const settings = finbertSettings(
      { dataDir: path.join(root, 'data'), finbertModelDir: fixture.dir },
      { FINBERT_DTYPE: 'fp32' },
    );
    const result = await createFinbertTrainer({ env: { dataDir: path.join(root, 'data') }, settings }).train(
      train,
      validation,
      {
        seed: 3,
        params: { maxEpochs: 40 },
      },
    );
    expect(result.validation.epochsRun).toBeGreaterThan(0);
    expect(Object.keys(result.files)).toContain('head.json');
  });
});
