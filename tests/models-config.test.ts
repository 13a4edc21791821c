import { describe, expect, it } from 'vitest';
import { loadModelsConfig, parseModelsConfig } from '../config/models';
import { ConfigError } from '../lib/errors';

describe('config/models.yaml', () => {
  it('the committed file is valid', () => {
    const cfg = loadModelsConfig();
    expect(cfg.serving.default).toBeTruthy();
    expect(Object.keys(cfg.families)).toContain('vader-base');
  });

  it('rejects arm shares that do not sum to 1, naming the field', () => {
    const text = `families: {vader: {champion: builtin}}
serving:
  default: vader
  split:
    - {arm: a, model: vader, share: 0.5}
    - {arm: b, model: finbert, share: 0.4}
`;
    expect(() => parseModelsConfig(text)).toThrow(ConfigError);
    expect(() => parseModelsConfig(text)).toThrow(/serving\.split: arm shares must sum to 1/);
  });

  it('rejects unknown keys instead of ignoring them', () => {
    expect(() =>
      parseModelsConfig('families: {vader: {champion: builtin, chmapion: x}}\nserving: {default: vader}'),
    ).toThrow(/invalid/);
  });
});
