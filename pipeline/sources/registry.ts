import path from 'node:path';
import {
  type SourceConfig,
  type SourcesConfig,
  type TransportSettings,
  transportFor,
  watchlist,
} from '../../config/sources';
import { InputError } from '../../lib/errors';
import { REPO_ROOT } from '../../lib/paths';
import { AlphaVantageSource } from './alphavantage';
import { FeedSource } from './feed';
import { FinnhubSource } from './finnhub';
import type { FetchLike } from './http';
import { PolygonSource } from './polygon';
import { SampleSource } from './sample';
import type { NewsSource } from './types';

/** A configured source, ready to run or with the reason it will not. */
export interface PlannedSource {
  name: string;
  kind: SourceConfig['kind'];
  /** Absent when the source is skipped. */
  source?: NewsSource;
  skip?: string;
  transport: TransportSettings;
  userAgent: string;
  dailyRequests?: number;
  minIntervalMinutes?: number;
  /** Injected transport (tests); the global fetch otherwise. */
  fetch?: FetchLike;
}

export interface PlanOptions {
  /** Only these sources (by name); all enabled ones when absent or empty. */
  only?: readonly string[];
  env?: NodeJS.ProcessEnv;
  fetch?: FetchLike;
  /** Where relative sample paths are resolved (the repository root by default). */
  baseDir?: string;
  /** Replaces the sample source's path (the main job points it at its bundled data). */
  samplePath?: string;
}

function build(
  name: string,
  cfg: SourceConfig,
  config: SourcesConfig,
  o: PlanOptions,
): { source?: NewsSource; skip?: string } {
  const tickers = watchlist(config);
  if (cfg.kind === 'sample') {
    const file = o.samplePath ?? cfg.path;
    return { source: new SampleSource({ name, path: path.resolve(o.baseDir ?? REPO_ROOT, file) }) };
  }
  if (cfg.kind === 'feed') {
    return { source: new FeedSource({ name, urls: cfg.urls, urlTemplate: cfg.url_template, tickers }) };
  }
  const key = (o.env ?? process.env)[cfg.api_key_env]?.trim();
  if (!key) return { skip: `${cfg.api_key_env} is not set` };
  switch (cfg.kind) {
    case 'finnhub':
      return {
        source: new FinnhubSource({
          name,
          apiKey: key,
          tickers,
          baseUrl: cfg.base_url,
          lookbackDays: cfg.lookback_days,
        }),
      };
    case 'alphavantage':
      return {
        source: new AlphaVantageSource({
          name,
          apiKey: key,
          baseUrl: cfg.base_url,
          lookbackDays: cfg.lookback_days,
          limit: cfg.limit,
        }),
      };
    case 'polygon':
      return {
        source: new PolygonSource({
          name,
          apiKey: key,
          baseUrl: cfg.base_url,
          lookbackDays: cfg.lookback_days,
          limit: cfg.limit,
          maxPages: transportFor(config, cfg).max_pages,
        }),
      };
  }
}

/**
 * Turns sources.yaml into runnable sources. Keyed sources without their key are planned as
 * skipped (with the variable to set), disabled ones are left out unless asked for by name, and an
 * unknown name is an error listing the valid ones.
 *
 * @example
 * planSources(loadSourcesConfig(), { only: ['sample'] })[0].source?.name // 'sample'
 */
export function planSources(config: SourcesConfig, o: PlanOptions = {}): PlannedSource[] {
  const names = Object.keys(config.sources);
  const only = (o.only ?? []).filter((s) => s !== '');
  for (const n of only) {
    if (!config.sources[n]) {
      throw new InputError(`unknown source "${n}"; configured sources are: ${names.join(', ')}`, {
        input: n,
      });
    }
  }
  const chosen = only.length > 0 ? only : names.filter((n) => config.sources[n]?.enabled);
  return chosen.map((name) => {
    const cfg = config.sources[name] as SourceConfig;
    const built = build(name, cfg, config, o);
    return {
      name,
      kind: cfg.kind,
      ...built,
      transport: transportFor(config, cfg),
      userAgent: config.user_agent,
      dailyRequests: cfg.kind === 'sample' ? undefined : cfg.daily_requests,
      minIntervalMinutes: cfg.kind === 'sample' ? undefined : cfg.min_interval_minutes,
      fetch: o.fetch,
    };
  });
}
