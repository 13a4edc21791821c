import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelUnavailableError } from '../lib/errors';
import { createFamilyRegistry } from '../models/families';
import type { LabelledText } from '../models/training/types';
import type { Label } from '../models/types';
import { VaderEngine } from '../models/vader/engine';
import {
  ARTIFACT_FILE,
  ARTIFACT_FORMAT_V1,
  ARTIFACT_FORMAT_V2,
  parseArtifact,
  readArtifactDir,
  serializeArtifact,
} from '../models/vader/financial/artifact';
import { BUILTIN_DIR, financialModel } from '../models/vader/financial/family';
import { fitGate, fitGateThreshold, type GateDoc, type GateParams } from '../models/vader/financial/gate';
import { scoreLabels } from '../models/vader/financial/metrics';
import { collectNames } from '../models/vader/financial/text';
import { trainFinancialVader } from '../models/vader/financial/trainer';
import { PolarityGate } from '../models/vader/gate';
import { gatedScores } from '../models/vader/mapping';

const env = { dataDir: '.finsent-test' };

/**
 * Headline-like texts that one additive score cannot sort: the same polar words ("great",
 * "awful") make a positive or negative item after "shares", but a neutral one after "quarbly" or
 * "webcast" (made-up or non-lexicon markers of neutral text). The class is an interaction of the
 * two words, so no valence assignment with two cut-offs fits it, while a gate can: "shares" makes
 * a text polar, "webcast" neutral, and the polar word gives the side. $ACME-style tickers appear
 * in all classes.
 */
function corpus(n: number, seed: number): LabelledText[] {
  let a = seed >>> 0;
  const r = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const co = ['Acme', 'Globex', 'Initech', 'Hooli', 'Umbrella', 'Stark'];
  const tick = () => pick(['$ACME', '$GLBX', '$INIT', '$HOOL']);
  const good = () => pick(['great', 'strong']);
  const bad = () => pick(['weak', 'awful']);
  const when = () => pick(['', ' today', ' this week']);
  const make: Record<Label, () => string> = {
    positive: () => `${tick()} ${pick(co)} shares after ${good()} results${when()}`,
    negative: () => `${tick()} ${pick(co)} shares after ${bad()} results${when()}`,
    neutral: () =>
      `${tick()} ${pick(co)} ${pick(['quarbly', 'webcast'])} on ${r() < 0.5 ? good() : bad()} results${when()}`,
  };
  return Array.from({ length: n }, (_, i) => {
    const label: Label = i % 4 === 0 ? 'positive' : i % 4 === 1 ? 'negative' : 'neutral';
    return { text: make[label](), label };
  });
}

const PARAMS: GateParams = {
  gate: 1,
  gateL2: 1e-3,
  gateMinSupport: 3,
  gatePairs: 0,
  gateFunctionWords: 1,
  gateLearningRate: 0.05,
  gateSteps: 200,
};
const data = corpus(400, 5);
const heldOut = corpus(200, 77);
const engine = new VaderEngine();
const gateDocs: GateDoc[] = data.map((x) => ({
  tokens: engine.tokenize(x.text),
  compound: engine.polarityScores(x.text).compound,
  label: x.label,
}));
const names = collectNames(data.map((x) => x.text));

describe('polarity gate fitting', () => {
  const gate = fitGate(gateDocs, names, PARAMS);

  it('gives words of neutral texts neutral-leaning weights and polar words polar-leaning ones', () => {
    expect(gate.weights.quarbly).toBeLessThan(-0.3);
    expect(gate.weights.webcast).toBeLessThan(-0.3);
    expect(gate.weights.shares).toBeGreaterThan(0.3);
    // "results" is in every text: the (unpenalised) bias carries the class balance instead.
    expect(Math.abs(gate.weights.results ?? 0)).toBeLessThan(0.1);
  });

  it('never learns tickers', () => {
    expect(names.has('acme')).toBe(true);
    expect(gate.weights.acme).toBeUndefined();
    expect(gate.weights.glbx).toBeUndefined();
  });

  it('is deterministic, and a strong penalty shrinks the term weights toward zero', () => {
    expect(fitGate(gateDocs, names, PARAMS)).toEqual(gate);
    const strong = fitGate(gateDocs, names, { ...PARAMS, gateL2: 1 });
    const size = (w: Record<string, number>) => Object.values(w).reduce((s, v) => s + Math.abs(v), 0);
    expect(size(strong.weights)).toBeLessThan(size(gate.weights) / 10);
  });

  it('respects the minimum support', () => {
    const rare = fitGate(gateDocs, names, { ...PARAMS, gateMinSupport: 10_000 });
    expect(rare.weights).toEqual({});
  });

  it('fits the gate threshold for macro-F1, a polar text taking the side of its compound', () => {
    const fitted = fitGateThreshold(
      [0.1, 0.2, 0.7, 0.8, 0.9],
      [0.5, -0.4, 0.6, -0.3, 0.2],
      ['neutral', 'neutral', 'positive', 'negative', 'positive'],
    );
    expect(fitted.macroF1).toBe(1);
    expect(fitted.threshold).toBeGreaterThan(0.2);
    expect(fitted.threshold).toBeLessThan(0.7);
  });
});

describe('engine tokens for the gate', () => {
  it('scoreAndTokenize gives polarityScores and tokenize in one pass, phrases merged only for scoring', () => {
    const withPhrase = new VaderEngine({ overlay: { 'net loss': -3 } });
    for (const text of ['Acme posted a NET LOSS!', 'Not bad :) $ACME', 'Shares rose 5% 🚀']) {
      const { scores, tokens } = withPhrase.scoreAndTokenize(text);
      expect(scores).toEqual(withPhrase.polarityScores(text));
      expect(tokens).toEqual(withPhrase.tokenize(text));
    }
    expect(withPhrase.scoreAndTokenize('a net loss').tokens).toEqual(['a', 'net', 'loss']);
  });
});

describe('gated predictions', () => {
  const gate = new PolarityGate({
    bias: -1,
    intensity: 2,
    weights: { webcast: -3, plunged: 2 },
    threshold: 0.4,
    midpoint: 0,
  });

  it('labels by the gate, the direction by compound, and keeps scores a distribution with the label on top', () => {
    const cases = [
      {
        tokens: ['shares', 'plunged'],
        raw: { neg: 0.5, neu: 0.5, pos: 0, compound: -0.4 },
        label: 'negative',
      },
      { tokens: ['great', 'webcast'], raw: { neg: 0, neu: 0.4, pos: 0.6, compound: 0.6 }, label: 'neutral' },
      { tokens: ['shares', 'plunged'], raw: { neg: 0, neu: 1, pos: 0, compound: 0 }, label: 'neutral' },
      { tokens: ['up'], raw: { neg: 0, neu: 0.2, pos: 0.8, compound: 0.9 }, label: 'positive' },
    ] as const;
    for (const c of cases) {
      const p = gate.probability(c.tokens, c.raw.compound);
      const { label, scores } = gatedScores(c.raw, p, gate);
      expect(label).toBe(c.label);
      expect(scores.positive + scores.negative + scores.neutral).toBeCloseTo(1, 12);
      for (const other of ['positive', 'negative', 'neutral'] as const)
        if (other !== label) expect(scores[label]).toBeGreaterThan(scores[other]);
    }
  });
});

describe('financial VADER with a gate', () => {
  const FAST = { lambda: 1, minSupport: 2, maxPhrases: 0, steps: 120, gateSteps: 200, gateMinSupport: 3 };
  const gated = trainFinancialVader(data, [], { seed: 4, params: FAST });
  const plain = trainFinancialVader(data, [], { seed: 4, params: { ...FAST, gate: 0 } });

  it('writes a v2 artifact with the gate, deterministically for a seed', () => {
    expect(gated.artifact.format).toBe(ARTIFACT_FORMAT_V2);
    const again = trainFinancialVader(data, [], { seed: 4, params: FAST });
    expect(again.files[ARTIFACT_FILE]).toBe(gated.files[ARTIFACT_FILE]);
    expect(parseArtifact(gated.files[ARTIFACT_FILE] as string, 'x.json')).toEqual(gated.artifact);
  });

  it('beats the thresholds alone on held-out texts whose neutral items hold polar words', () => {
    expect(plain.artifact.format).toBe(ARTIFACT_FORMAT_V1);
    const gold = heldOut.map((x) => x.label);
    const score = (r: typeof gated) =>
      scoreLabels(
        gold,
        financialModel(r.artifact, 't')
          .predictSync(heldOut.map((x) => x.text))
          .map((p) => p.label),
      ).macroF1;
    expect(score(gated)).toBeGreaterThan(score(plain) + 0.2);
    expect(score(gated)).toBeGreaterThan(0.9);
  });

  it('rejects a gate switch other than 0 or 1', () => {
    expect(() => trainFinancialVader(data, [], { seed: 1, params: { gate: 2 } })).toThrow(/"gate" must be 0/);
  });
});

describe('artifact formats', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const release = (contents: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'finsent-vader-gate-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, ARTIFACT_FILE), contents);
    return dir;
  };
  const registry = createFamilyRegistry();
  const hex = 'a'.repeat(64);
  const v1 = {
    format: ARTIFACT_FORMAT_V1,
    engine: 'vaderSentiment 3.3.1',
    overlay: { zorbled: -2.5, shares: 0 },
    thresholds: { negative: -0.3, positive: 0.3 },
    params: {
      lambda: 1,
      minSupport: 3,
      learningRate: 0.05,
      steps: 300,
      maxPhrases: 0,
      phraseMinSupport: 6,
      prior: 1,
    },
    training: {
      seed: 42,
      trainSize: 100,
      validationSize: 20,
      trainFingerprint: hex,
      validationFingerprint: hex,
      validation: { macroF1: 0.6 },
      searched: 1,
    },
  };
  const v2 = {
    ...v1,
    format: ARTIFACT_FORMAT_V2,
    gate: { bias: -2, intensity: 3, threshold: 0.45, midpoint: 0, weights: { webcast: -1.5, zorbled: 1 } },
    params: {
      ...v1.params,
      gate: 1,
      gateL2: 3e-4,
      gateMinSupport: 5,
      gatePairs: 0,
      gateFunctionWords: 1,
      gateLearningRate: 0.05,
      gateSteps: 300,
    },
  };

  it('still loads a v1 artifact, which decides by its thresholds alone', async () => {
    const model = await registry.load('vader@1.0.0', {
      env,
      artifacts: { fetch: async () => release(JSON.stringify(v1)) },
    });
    expect(model).toMatchObject({ version: '1.0.0', thresholds: v1.thresholds, gate: undefined });
    const [p] = await model.predict(['Acme shares zorbled']);
    expect(p?.label).toBe('negative');
    expect(serializeArtifact(parseArtifact(JSON.stringify(v1), 'v1.json'))).toContain(ARTIFACT_FORMAT_V1);
  });

  it('loads a v2 artifact and applies its gate', async () => {
    const model = await registry.load('vader@2.0.0', {
      env,
      artifacts: { fetch: async () => release(JSON.stringify(v2)) },
    });
    // "great" alone would pass the 0.3 threshold; the webcast weight holds the text neutral.
    const [webcast, zorbled] = await model.predict(['Acme great webcast', 'Acme shares zorbled']);
    expect(webcast?.label).toBe('neutral');
    expect(zorbled?.label).toBe('negative');
  });

  it('names the field of a v2 schema violation', () => {
    const bad = (patch: object) => () => parseArtifact(JSON.stringify({ ...v2, ...patch }), 'v2.json');
    expect(bad({ gate: { ...v2.gate, threshold: 1.5 } })).toThrow(
      /v2\.json is not a financial VADER artifact: gate\.threshold: .*retrain/,
    );
    expect(bad({ gate: { ...v2.gate, weights: { webcast: 'x' } } })).toThrow(/gate\.weights\.webcast/);
    expect(bad({ gate: undefined })).toThrow(/: gate: /);
    const { gateL2: _, ...noL2 } = v2.params;
    expect(bad({ params: noL2 })).toThrow(/params\.gateL2/);
    expect(bad({ gate: { ...v2.gate, extra: 1 } })).toThrow(ModelUnavailableError);
    // A gate in a v1 artifact is not silently ignored.
    expect(() => parseArtifact(JSON.stringify({ ...v1, gate: v2.gate }), 'v1.json')).toThrow(
      /v1\.json is not a financial VADER artifact/,
    );
  });

  it('ships a v2 builtin artifact whose predictions are distributions with the label on top', async () => {
    const artifact = readArtifactDir(BUILTIN_DIR);
    expect(artifact.format).toBe(ARTIFACT_FORMAT_V2);
    const model = await registry.load('vader', { env });
    const texts = [
      'Shares fell after an earnings miss',
      'Acme to present at the investor conference on Tuesday',
      'Acme beat estimates and raised guidance',
    ];
    const predictions = await model.predict(texts);
    expect(predictions.map((p) => p.label)).toEqual(['negative', 'neutral', 'positive']);
    for (const p of predictions) {
      expect(p.scores.positive + p.scores.negative + p.scores.neutral).toBeCloseTo(1, 12);
      expect(p.confidence).toBe(p.scores[p.label]);
      expect(p.confidence).toBeGreaterThan(0.5);
    }
  });
});
