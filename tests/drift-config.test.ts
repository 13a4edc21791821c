import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDriftConfig, parseDriftConfig, parseDuration } from '../config/drift';
import { ConfigError } from '../lib/errors';

describe('config/drift.yaml', () => {
  it('the committed file is valid and keeps the industry PSI bands', () => {
    const cfg = loadDriftConfig();
    expect(cfg.drift.psi).toEqual({ warn: 0.1, alert: 0.25, bins: 10 });
    expect(cfg.disagreement.models).toEqual(['vader', 'finbert']);
    expect(cfg.retrain.method).toBe('workflow_dispatch');
  });

  it('rejects a warn threshold above its alert threshold, naming the field', () => {
    const text = loadDriftText().replace('ks: { warn: 0.1, alert: 0.2 }', 'ks: { warn: 0.3, alert: 0.2 }');
    expect(() => parseDriftConfig(text)).toThrow(ConfigError);
    expect(() => parseDriftConfig(text)).toThrow(/drift\.ks: warn must not exceed alert/);
  });

  it('rejects unknown keys and bad durations instead of ignoring them', () => {
    expect(() => parseDriftConfig(loadDriftText().replace('min_samples:', 'min_sampels:'))).toThrow(
      /min_sampels/,
    );
    expect(() => parseDriftConfig(loadDriftText().replace('cooldown: 72h', 'cooldown: 3 days'))).toThrow(
      /retrain\.cooldown: a duration such as 30m, 24h or 7d/,
    );
  });

  it('parses durations in s, m, h, d, w and refuses the rest with the accepted forms', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(() => parseDuration('0h')).toThrow(/must be positive/);
    expect(() => parseDuration('soon')).toThrow(/use a number and a unit, e\.g\. 30m, 24h, 7d/);
  });
});

function loadDriftText(): string {
  return readFileSync(new URL('../config/drift.yaml', import.meta.url), 'utf8');
}
