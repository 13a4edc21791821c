import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FinsentEnv } from '../lib/env';
import { DataError, InputError, ModelUnavailableError } from '../lib/errors';
import { parseCalibrator } from '../models/calibration';
import { createFamilyRegistry, type LoadContext } from '../models/families';
import type { FinbertModel } from '../models/finbert/model';
import { createFinbertTrainer } from '../models/finbert/trainer';
import { parseHead } from '../models/head/artifact';
import { SeededRandom } from '../models/head/random';
import { headLogits, trainSoftmaxHead } from '../models/head/softmax';
import type { LabelledText, TrainResult } from '../models/training/types';
import { LABELS, type Label } from '../models/types';
import { type BuildResult, buildBertFixture } from '../scripts/fixtures/bert/build';

let root: string;
let tiny: BuildResult;
let other: BuildResult;

const WORDS: Record<Label, string[]> = {
  positive: ['rose', 'gains', 'surged', 'beat', 'record', 'rally', 'upgrade', 'strong', 'profit', 'soared'],
  negative: ['fell', 'losses', 'plunged', 'missed', 'crash', 'slump', 'downgrade', 'weak', 'debt', 'tumbled'],
  neutral: [
    'holds',
    'meeting',
    'announces',
    'schedule',
    'plans',
    'says',
    'report',
    'board',
    'quarter',
    'index',
  ],
};
const SUBJECTS = [
  'apple',
  'shares',
  'tesla',
  'the bank',
  'oil',
  'gold',
  'stocks',
  'the dollar',
  'nvidia',
  'bonds',
];

/** Headlines whose label is carried by one word, so even a random encoder's features separate them. */
function synthetic(n: number, seed: number): LabelledText[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = LABELS[i % 3]!;
    const subject = SUBJECTS[rng.int(SUBJECTS.length)]!;
    const word = WORDS[label][rng.int(10)]!;
    const filler = SUBJECTS[rng.int(SUBJECTS.length)]!;
    return { text: `${subject} ${word} ${filler}`, label };
  });
}

const envFor = (modelDir: string): FinsentEnv => ({
  dataDir: path.join(root, 'data'),
  finbertModelDir: modelDir,
});

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'finsent-head-'));
  tiny = await buildBertFixture({
    outDir: path.join(root, 'tiny'),
    seed: 9,
    shape: { hidden: 48, heads: 4, intermediate: 96 },
  });
  other = await buildBertFixture({
    outDir: path.join(root, 'other'),
    seed: 10,
    shape: { hidden: 48, heads: 4, intermediate: 96 },
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the softmax head', () => {
  function gaussians(n: number, seed: number) {
    const rng = new SeededRandom(seed);
    const centres = [
      [2, 0, 0, 0],
      [0, 2, 0, 0],
      [0, 0, 2, 0],
    ];
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      // Imbalanced: class 2 is three times as common as class 0.
      const c = i % 5 < 1 ? 0 : i % 5 < 2 ? 1 : 2;
      x.push(centres[c]!.map((m) => m + rng.normal() * 0.7));
      y.push(c);
    }
    return { x, y };
  }

  it('separates separable classes, balances them, and stops early on validation macro-F1', () => {
    const train = gaussians(600, 1);
    const validation = gaussians(300, 2);
    const result = trainSoftmaxHead({
      train,
      validation,
      classes: 3,
      seed: 4,
      params: { maxEpochs: 300, patience: 10 },
    });
    expect(result.bestValidationMacroF1).toBeGreaterThan(0.9);
    expect(result.classWeights[0]).toBeGreaterThan(result.classWeights[2]!);
    expect(result.epochsRun).toBeLessThan(300);
    expect(result.epochsRun - result.bestEpoch).toBe(10);
    const best = result.history.find((h) => h.epoch === result.bestEpoch)!;
    expect(Math.max(...result.history.map((h) => h.validationMacroF1))).toBe(best.validationMacroF1);
    expect(
      headLogits(result.head, [3, 0, 0, 0]).indexOf(Math.max(...headLogits(result.head, [3, 0, 0, 0]))),
    ).toBe(0);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const train = gaussians(200, 1);
    const validation = gaussians(100, 2);
    const run = (seed: number) =>
      trainSoftmaxHead({ train, validation, classes: 3, seed, params: { maxEpochs: 5 } }).head;
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });
});

describe('the finbert trainer, end to end on a fixture encoder', () => {
  let result: TrainResult;
  const train = synthetic(450, 1);
  const validation = synthetic(150, 2);

  beforeAll(async () => {
    vi.stubEnv('FINBERT_DTYPE', 'fp32');
    const progress: string[] = [];
    result = await createFinbertTrainer({ env: envFor(tiny.dir) }).train(train, validation, {
      seed: 7,
      onProgress: (e) => progress.push(e.message),
    });
    expect(progress.some((m) => m.startsWith('embedding training texts'))).toBe(true);
    expect(progress.some((m) => /^epoch 1: loss/.test(m))).toBe(true);
  });

  it('writes head.json and calibration.json artifacts that parse', () => {
    expect(Object.keys(result.files).sort()).toEqual(['calibration.json', 'head.json']);
    const head = parseHead(JSON.parse(String(result.files['head.json'])));
    expect(head.labels).toEqual(['positive', 'negative', 'neutral']);
    expect(head.encoder).toMatchObject({
      model: 'dir:tiny',
      revision: 'local',
      hiddenSize: 48,
      dtype: 'fp32',
      maxTokens: 128,
    });
    expect(head.weights.every((w) => w.length === 48)).toBe(true);
    const calibrator = parseCalibrator(JSON.parse(String(result.files['calibration.json'])));
    expect(calibrator.kind).toBe('temperature');
  });

  it('learns something real from the frozen features (well above chance) and reports its metrics', () => {
    expect(result.validation.macroF1).toBeGreaterThan(0.6);
    expect(result.validation.accuracy).toBeGreaterThan(0.6);
    expect(result.validation.eceAfter).toBeLessThanOrEqual(result.validation.eceBefore! + 1e-9);
    expect(result.validation.nllAfter).toBeLessThanOrEqual(result.validation.nllBefore! + 1e-9);
    expect(result.params).toMatchObject({ seed: 7, classWeights: 'balanced', l2: 0.001 });
  });

  it('is reproducible for a seed', async () => {
    vi.stubEnv('FINBERT_DTYPE', 'fp32');
    const again = await createFinbertTrainer({ env: envFor(tiny.dir) }).train(train, validation, { seed: 7 });
    expect(again.files['head.json']).toBe(result.files['head.json']);
  });

  it('serves the trained head as a finbert version from the registry, calibrated', async () => {
    vi.stubEnv('FINBERT_DTYPE', 'fp32');
    const versionDir = path.join(root, 'registry', 'finbert-v1.1.0');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(versionDir, { recursive: true });
    for (const [name, content] of Object.entries(result.files))
      await writeFile(path.join(versionDir, name), content);
    const fetched: string[] = [];
    const context: LoadContext = {
      env: envFor(tiny.dir),
      artifacts: {
        fetch: async (family, version) => {
          fetched.push(`${family}@${version}`);
          return versionDir;
        },
      },
      championOf: () => '1.1.0',
    };
    const model = (await createFamilyRegistry().load('finbert', context)) as FinbertModel;
    try {
      expect(fetched).toEqual(['finbert@1.1.0']);
      expect(model.version).toBe('1.1.0');
      const texts = validation.slice(0, 30).map((r) => r.text);
      const predictions = await model.predict(texts);
      const right = predictions.filter((p, i) => p.label === validation[i]!.label).length;
      expect(right / texts.length).toBeGreaterThan(0.5);
      for (const p of predictions) {
        expect(p).toMatchObject({ model: 'finbert', version: '1.1.0' });
        expect(p.scores.positive + p.scores.negative + p.scores.neutral).toBeCloseTo(1, 6);
      }
      // Calibrated: the confidence is the temperature-scaled softmax of the head's logits.
      const logits = await model.logits(texts.slice(0, 1));
      const t = model.calibrator!.kind === 'temperature' ? model.calibrator!.temperature : 1;
      const z = logits[0]!.map((v) => v / t);
      const top = Math.exp(Math.max(...z)) / z.reduce((s, v) => s + Math.exp(v), 0);
      expect(predictions[0]!.confidence).toBeCloseTo(top, 6);
    } finally {
      await model.close();
    }
  });

  it('refuses to apply a head to an encoder it was not trained on', async () => {
    vi.stubEnv('FINBERT_DTYPE', 'fp32');
    const versionDir = path.join(root, 'registry', 'finbert-v1.1.0');
    const context: LoadContext = { env: envFor(other.dir), artifacts: { fetch: async () => versionDir } };
    const load = createFamilyRegistry().load('finbert@1.1.0', context);
    await expect(load).rejects.toThrow(ModelUnavailableError);
    await expect(load).rejects.toThrow(
      /finbert@1\.1\.0 was trained on encoder dir:tiny@local \(fingerprint [0-9a-f]{16}\), but the encoder here is dir:other/,
    );
  });

  it('needs a registry for a semver version', async () => {
    await expect(createFamilyRegistry().load('finbert@2.0.0', { env: envFor(tiny.dir) })).rejects.toThrow(
      'finbert@2.0.0 is a trained head kept in the model registry, and no registry is available here',
    );
  });

  it('rejects unknown parameters and missing splits before loading anything', async () => {
    const trainer = createFinbertTrainer({ env: envFor(tiny.dir) });
    await expect(trainer.train(train, validation, { seed: 1, params: { epochs: 3 } })).rejects.toThrow(
      InputError,
    );
    await expect(trainer.train(train, validation, { seed: 1, params: { epochs: 3 } })).rejects.toThrow(
      'unknown finbert training parameter "epochs": valid ones are l2, learningRate, maxEpochs, patience, batchSize, classWeights',
    );
    await expect(trainer.train(train, [], { seed: 1 })).rejects.toThrow(DataError);
  });
});
