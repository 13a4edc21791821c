import { describe, expect, it } from 'vitest';
import { loadSourcesConfig, parseSourcesConfig, transportFor, watchlist } from '../config/sources';
import { planSources } from '../pipeline/sources/registry';

const config = loadSourcesConfig();

describe('config/sources.yaml', () => {
  it('declares every source kind the issue asks for, with keys only by variable name', () => {
    const kinds = Object.values(config.sources).map((s) => s.kind);
    expect(new Set(kinds)).toEqual(new Set(['sample', 'feed', 'finnhub', 'alphavantage', 'polygon']));
    const keyed = Object.values(config.sources).flatMap((s) => ('api_key_env' in s ? [s.api_key_env] : []));
    expect(keyed.sort()).toEqual(['ALPHA_VANTAGE_API_KEY', 'FINNHUB_API_KEY', 'POLYGON_API_KEY']);
  });

  it('keeps SEC EDGAR at or under 10 requests per second and Alpha Vantage under 25 a day', () => {
    const edgar = config.sources['sec-edgar'];
    if (!edgar) throw new Error('sec-edgar missing');
    const rate = transportFor(config, edgar).rate;
    expect(rate.requests / rate.per_seconds).toBeLessThanOrEqual(10);
    const av = config.sources.alphavantage;
    expect(av && 'daily_requests' in av ? av.daily_requests : undefined).toBeLessThanOrEqual(25);
    expect(av && 'min_interval_minutes' in av ? av.min_interval_minutes : 0).toBeGreaterThanOrEqual(60);
  });

  it('pads CIKs to the ten digits EDGAR uses', () => {
    expect(watchlist(config).find((t) => t.symbol === 'AAPL')?.cik).toBe('0000320193');
  });

  it('rejects an anonymous User-Agent and a feed without URLs, naming the fields', () => {
    const bad = {
      ...config,
      user_agent: 'finsent',
      sources: { x: { kind: 'feed' } },
    };
    expect(() => parseSourcesConfig(JSON.stringify(bad), 'sources.yaml')).toThrow(
      /sources.yaml is invalid: user_agent: .*; .*sources.x: a feed source needs `urls` or a `url_template`/,
    );
  });
});

describe('planSources', () => {
  it('plans keyed sources as skipped, naming the variable, when their key is unset', () => {
    const plan = planSources(config, { env: {} });
    const byName = Object.fromEntries(plan.map((p) => [p.name, p]));
    expect(byName.finnhub?.skip).toBe('FINNHUB_API_KEY is not set');
    expect(byName.alphavantage?.skip).toBe('ALPHA_VANTAGE_API_KEY is not set');
    expect(byName.polygon?.skip).toBe('POLYGON_API_KEY is not set');
    expect(byName.sample?.source?.kind).toBe('sample');
    expect(byName.yahoo?.source?.kind).toBe('feed');
  });

  it('builds a keyed source when its key is in the environment', () => {
    const [finnhub] = planSources(config, { only: ['finnhub'], env: { FINNHUB_API_KEY: 'abc' } });
    expect(finnhub?.skip).toBeUndefined();
    expect(finnhub?.source?.kind).toBe('finnhub');
  });

  it('refuses an unknown source and lists the configured ones', () => {
    expect(() => planSources(config, { only: ['reuters'] })).toThrow(
      'unknown source "reuters"; configured sources are: sample, sec-edgar, yahoo, press-releases, finnhub, alphavantage, polygon',
    );
  });
});
