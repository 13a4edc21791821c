import { describe, expect, it } from 'vitest';
import { UnknownModelError } from '../lib/errors';
import { FamilyRegistry, parseModelId } from '../models/families';
import type { SentimentModel } from '../models/types';

const fakeModel = (family: string, version: string): SentimentModel => ({
  family,
  version,
  predict: async (texts) =>
    texts.map(() => ({
      label: 'neutral' as const,
      scores: { positive: 0, negative: 0, neutral: 1 },
      sentiment: 0,
      confidence: 1,
      model: family,
      version,
    })),
});

describe('model ids', () => {
  it('parses a bare family as "the champion" and a pinned version', () => {
    expect(parseModelId('vader')).toEqual({ family: 'vader' });
    expect(parseModelId('vader@1.3.0')).toEqual({ family: 'vader', version: '1.3.0' });
    expect(parseModelId('finbert@v2.0.1')).toEqual({ family: 'finbert', version: '2.0.1' });
    // `builtin` is config/models.yaml's name for the version a family ships in its code.
    expect(parseModelId('vader@builtin')).toEqual({ family: 'vader', version: 'builtin' });
  });

  it('rejects an id that is not a family or family@semver', () => {
    expect(() => parseModelId('vader@latest')).toThrow(UnknownModelError);
    expect(() => parseModelId('vader@vbuiltin')).toThrow(UnknownModelError);
    expect(() => parseModelId('vader@builtin2')).toThrow(UnknownModelError);
    expect(() => parseModelId('')).toThrow(/not a model id/);
  });
});

describe('model registry', () => {
  const registry = new FamilyRegistry()
    .register({ name: 'alpha', description: 'a', load: async (v) => fakeModel('alpha', v ?? '1.0.0') })
    .register({ name: 'beta', description: 'b', load: async (v) => fakeModel('beta', v ?? '2.0.0') });

  it('loads a family at its default or pinned version', async () => {
    expect((await registry.load('alpha', { env: { dataDir: '.' } })).version).toBe('1.0.0');
    expect((await registry.load('beta@2.1.0', { env: { dataDir: '.' } })).version).toBe('2.1.0');
  });

  it('fails on an unknown family with a message listing the valid ones', () => {
    expect(() => registry.resolve('gamma')).toThrow('unknown model "gamma": valid models are alpha, beta');
  });
});
