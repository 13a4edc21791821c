import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ModelUnavailableError } from '../lib/errors';
import { createFamilyRegistry } from '../models/families';
import type { LabelledText } from '../models/training/types';
import type { Label } from '../models/types';
import { VaderEngine } from '../models/vader/engine';
import { ARTIFACT_FILE, parseArtifact, serializeArtifact } from '../models/vader/financial/artifact';
import { parseLabelledCsv } from '../models/vader/financial/csv';
import { scoreLabels } from '../models/vader/financial/metrics';
import { fitThresholds } from '../models/vader/financial/thresholds';
import { stratifiedSplit, trainFinancialVader, vaderTrainer } from '../models/vader/financial/trainer';
import { DEFAULT_THRESHOLDS, labelOf } from '../models/vader/mapping';

const env = { dataDir: '.finsent-test' };

/**
 * A small labelled corpus in the style of financial headlines, generated from a seed. "zorbled"
 * and "flimbed" are made-up verbs that only the data can teach: bearish and bullish.
 */
function corpus(n: number, seed: number): LabelledText[] {
  let a = seed >>> 0;
  const r = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const co = ['Acme', 'Globex', 'Initech', 'Hooli', 'Umbrella', 'Stark'];
  const make: Record<Label, () => string> = {
    positive: () =>
      `${pick(co)} shares ${pick(['flimbed', 'surged', 'rallied'])} after results ${pick(['beat estimates', 'topped forecasts'])}`,
    negative: () =>
      `${pick(co)} shares ${pick(['zorbled', 'plunged', 'slumped'])} after results ${pick(['missed estimates', 'disappointed'])}`,
    // Stock-positive words (support, growth, help) in neutral news push the default cut astray.
    neutral: () =>
      `${pick(co)} will ${pick(['report results', 'discuss growth plans', 'present support for help desks'])} on ${pick(['Tuesday', 'Friday'])}`,
  };
  return Array.from({ length: n }, (_, i) => {
    const label: Label = i % 5 === 0 ? 'positive' : i % 5 === 1 ? 'negative' : 'neutral';
    return { text: make[label](), label };
  });
}

const FAST = { lambda: 1, minSupport: 2, maxPhrases: 0, steps: 120 };
const data = corpus(400, 11);
const heldOut = corpus(150, 99);

describe('financial VADER training', () => {
  const result = trainFinancialVader(data, [], { seed: 3, params: FAST });

  it('is deterministic for a seed', async () => {
    const again = await vaderTrainer.train(data, [], { seed: 3, params: FAST });
    expect(again.files[ARTIFACT_FILE]).toBe(result.files[ARTIFACT_FILE]);
    expect(result.artifact.training.seed).toBe(3);
    expect(result.artifact.training.trainFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('learns valences for terms the stock lexicon lacks, with the sign the data gives them', () => {
    expect(new VaderEngine().valenceOf('zorbled')).toBeUndefined();
    expect(result.artifact.overlay.zorbled).toBeLessThan(0);
    expect(result.artifact.overlay.flimbed).toBeGreaterThan(0);
  });

  it('fits thresholds that beat the default ±0.05 on held-out data', () => {
    const engine = new VaderEngine({ overlay: result.artifact.overlay });
    const gold = heldOut.map((x) => x.label);
    const compounds = heldOut.map((x) => engine.polarityScores(x.text).compound);
    const fitted = scoreLabels(
      gold,
      compounds.map((c) => labelOf(c, result.artifact.thresholds)),
    );
    const fixed = scoreLabels(
      gold,
      compounds.map((c) => labelOf(c, DEFAULT_THRESHOLDS)),
    );
    expect(fitted.macroF1).toBeGreaterThan(fixed.macroF1);
    expect(fitted.macroF1).toBeGreaterThan(0.9);
  });

  it('rejects unknown or malformed hyperparameters and too little data', () => {
    expect(() => trainFinancialVader(data, [], { seed: 1, params: { alpha: 1 } })).toThrow(
      /unknown vader training parameter/,
    );
    expect(() => trainFinancialVader(data, [], { seed: 1, params: { lambda: 'x' } })).toThrow(
      /non-negative number/,
    );
    expect(() => trainFinancialVader(data.slice(0, 30), [], { seed: 1 })).toThrow(/at least 50/);
  });

  it('splits by label, the same way for the same seed', () => {
    const a = stratifiedSplit(data, 0.2, 5);
    const b = stratifiedSplit(data, 0.2, 5);
    expect(a.validation).toEqual(b.validation);
    expect(a.validation.filter((x) => x.label === 'positive').length).toBe(16);
  });
});

describe('threshold fitting', () => {
  it('places the cuts between the classes and keeps negative below positive', () => {
    const t = fitThresholds(
      [-0.8, -0.6, 0, 0.1, 0.5, 0.7],
      ['negative', 'negative', 'neutral', 'neutral', 'positive', 'positive'],
    );
    expect(t.macroF1).toBe(1);
    expect(t.negative).toBeGreaterThan(-0.6);
    expect(t.negative).toBeLessThan(0);
    expect(t.positive).toBeGreaterThan(0.1);
    expect(t.positive).toBeLessThan(0.5);
  });
});

describe('vader family (financial)', () => {
  const dirs: string[] = [];
  const tempRelease = (contents: string | undefined) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finsent-vader-'));
    dirs.push(dir);
    if (contents !== undefined) writeFileSync(path.join(dir, ARTIFACT_FILE), contents);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const registry = createFamilyRegistry();

  it('loads the builtin artifact, which reads finance terms the stock lexicon gets wrong', async () => {
    const texts = [
      'Shares fell after an earnings miss',
      'Analysts downgrade the stock to sell',
      'Acme beat estimates and raised guidance',
    ];
    const base = await registry.load('vader-base', { env });
    const financial = await registry.load('vader', { env });
    expect(financial.version).toBe('builtin');
    const [fell, downgrade, beat] = await financial.predict(texts);
    expect([fell?.label, downgrade?.label, beat?.label]).toEqual(['negative', 'negative', 'positive']);
    // Stock VADER reads "shares" as positive (1.2) and barely registers "miss".
    expect((await base.predict(texts))[0]?.label).toBe('positive');
  });

  it('uses the champion from config when the id is bare', async () => {
    const trained = trainFinancialVader(data, [], { seed: 3, params: FAST });
    const dir = tempRelease(serializeArtifact(trained.artifact));
    const model = await registry.load('vader', {
      env,
      championOf: () => '1.4.0',
      artifacts: { fetch: async () => dir },
    });
    expect(model.version).toBe('1.4.0');
  });

  it('loads a release directory fetched from the registry', async () => {
    const trained = trainFinancialVader(data, [], { seed: 3, params: FAST });
    const dir = tempRelease(serializeArtifact(trained.artifact));
    const fetched: string[] = [];
    const model = await registry.load('vader@1.2.0', {
      env,
      artifacts: {
        fetch: async (family, version) => {
          fetched.push(`${family}@${version}`);
          return dir;
        },
      },
    });
    expect(fetched).toEqual(['vader@1.2.0']);
    expect(model).toMatchObject({
      family: 'vader',
      version: '1.2.0',
      thresholds: trained.artifact.thresholds,
    });
    const [p] = await model.predict(['Globex shares zorbled after results missed estimates']);
    expect(p?.label).toBe('negative');
  });

  it('fails clearly on a missing, corrupt or invalid artifact, and without a registry', async () => {
    const load = (dir: string) =>
      registry.load('vader@2.0.0', { env, artifacts: { fetch: async () => dir } });
    await expect(load(tempRelease(undefined))).rejects.toThrow(
      /cannot read .*vader-financial\.json.*retrain/,
    );
    await expect(load(tempRelease('{"format": '))).rejects.toThrow(ModelUnavailableError);
    await expect(load(tempRelease('{"format": '))).rejects.toThrow(/not valid JSON/);
    const crossed = {
      ...trainFinancialVader(data, [], { seed: 3, params: FAST }).artifact,
      thresholds: { positive: -0.5, negative: 0.5 },
    };
    await expect(load(tempRelease(JSON.stringify(crossed)))).rejects.toThrow(
      /thresholds.*negative must be below/,
    );
    expect(() => parseArtifact('{"format":"other"}', 'x.json')).toThrow(
      /x\.json is not a financial VADER artifact: format/,
    );
    await expect(registry.load('vader@2.0.0', { env })).rejects.toThrow(/no model registry is available/);
  });
});

describe('overlay phrases in the engine', () => {
  it('scores a multi-word overlay term as one token and leaves its words alone elsewhere', () => {
    const engine = new VaderEngine({ overlay: { 'net loss': -3, rose: 1.5 } });
    expect(engine.polarityScores('Acme posted a NET LOSS').compound).toBeLessThan(-0.5);
    expect(engine.polarityScores('Net sales rose').compound).toBeGreaterThan(0);
    // "not" still negates the merged phrase.
    expect(engine.polarityScores('Acme did not post a net loss').compound).toBeGreaterThan(0);
  });
});

describe('labelled CSV reader', () => {
  it('reads quoted fields, escaped quotes and newlines inside quotes', () => {
    const rows = parseLabelledCsv('text,label\n"Dell, HPE ""cut""",0\n"two\nlines",2\nplain,1\n');
    expect(rows).toEqual([
      { text: 'Dell, HPE "cut"', label: 'negative' },
      { text: 'two\nlines', label: 'neutral' },
      { text: 'plain', label: 'positive' },
    ]);
  });

  it('names the file and line of a bad row', () => {
    expect(() => parseLabelledCsv('text,label\nok,1\nbad,7\n', 'x.csv')).toThrow(
      /x\.csv:3: expected 2 fields/,
    );
    expect(() => parseLabelledCsv('text\nok\n', 'y.csv')).toThrow(DataError);
    expect(() => parseLabelledCsv('text,label\n', 'z.csv')).toThrow(/no labelled rows/);
  });
});
