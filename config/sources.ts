import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../lib/errors';
import { REPO_ROOT } from '../lib/paths';

export const SOURCES_CONFIG_PATH = path.join(REPO_ROOT, 'config', 'sources.yaml');

const RateSchema = z.strictObject({
  requests: z.number().int().positive(),
  per_seconds: z.number().positive(),
});

/** Transport settings every source has; `defaults` fills what a source leaves out. */
const TransportSchema = z.strictObject({
  timeout_ms: z.number().int().min(100).max(300_000),
  retries: z.number().int().min(0).max(10),
  backoff_ms: z.number().int().min(0),
  max_backoff_ms: z.number().int().min(0),
  max_retry_after_ms: z.number().int().min(0),
  max_body_bytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024),
  rate: RateSchema,
  overlap_minutes: z
    .number()
    .min(0)
    .max(7 * 24 * 60),
  max_pages: z.number().int().min(1).max(10_000),
});
export type TransportSettings = z.infer<typeof TransportSchema>;

const Common = {
  enabled: z.boolean().default(true),
  ...TransportSchema.partial().shape,
  daily_requests: z.number().int().positive().optional(),
  min_interval_minutes: z.number().min(0).optional(),
};

const HTTP_URL = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });

const FeedSourceSchema = z
  .strictObject({
    kind: z.literal('feed'),
    ...Common,
    urls: z.array(HTTP_URL).default([]),
    /** One request per watchlist ticker; `{ticker}` is replaced by the symbol. */
    url_template: z.string().includes('{ticker}', { error: 'must contain {ticker}' }).optional(),
  })
  .refine((s) => s.urls.length > 0 || s.url_template !== undefined, {
    error: 'a feed source needs `urls` or a `url_template`',
  });

const KeyedCommon = {
  ...Common,
  api_key_env: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name'),
  base_url: HTTP_URL.optional(),
};

const FinnhubSourceSchema = z.strictObject({
  kind: z.literal('finnhub'),
  ...KeyedCommon,
  /** How far back the first run reaches when there is no watermark yet. */
  lookback_days: z.number().int().min(1).max(365).default(3),
});
const AlphaVantageSourceSchema = z.strictObject({
  kind: z.literal('alphavantage'),
  ...KeyedCommon,
  lookback_days: z.number().int().min(1).max(365).default(3),
  limit: z.number().int().min(1).max(1000).default(1000),
});
const PolygonSourceSchema = z.strictObject({
  kind: z.literal('polygon'),
  ...KeyedCommon,
  lookback_days: z.number().int().min(1).max(365).default(3),
  limit: z.number().int().min(1).max(1000).default(1000),
});
const SampleSourceSchema = z.strictObject({
  kind: z.literal('sample'),
  enabled: z.boolean().default(true),
  /** JSONL of `{id, text, tickers, published_at, ...}`; relative paths are from the repository root. */
  path: z.string().min(1),
});

export const SourceConfigSchema = z.discriminatedUnion('kind', [
  FeedSourceSchema,
  FinnhubSourceSchema,
  AlphaVantageSourceSchema,
  PolygonSourceSchema,
  SampleSourceSchema,
]);

const TickerSchema = z.union([
  z.string().regex(/^[A-Z][A-Z0-9.-]{0,9}$/, 'an upper-case ticker such as AAPL or BRK.B'),
  z.strictObject({
    symbol: z.string().regex(/^[A-Z][A-Z0-9.-]{0,9}$/, 'an upper-case ticker such as AAPL or BRK.B'),
    cik: z
      .string()
      .regex(/^\d{1,10}$/, 'a numeric SEC CIK')
      .optional(),
  }),
]);

export const SourcesConfigSchema = z.strictObject({
  user_agent: z
    .string()
    .min(8)
    .refine((s) => /@|https?:\/\//.test(s), {
      error: 'must name a contact (an e-mail address or a URL): SEC EDGAR rejects anonymous clients',
    }),
  tickers: z.array(TickerSchema).min(1),
  defaults: TransportSchema,
  sources: z
    .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a short lower-case source name'), SourceConfigSchema)
    .refine((s) => Object.keys(s).length > 0, { error: 'at least one source is needed' }),
});

export type SourcesConfig = z.infer<typeof SourcesConfigSchema>;
export type SourceConfig = z.infer<typeof SourceConfigSchema>;
export type SourceKind = SourceConfig['kind'];

export interface WatchTicker {
  symbol: string;
  cik?: string;
}

/** The watchlist with CIKs zero-padded to EDGAR's 10 digits. */
export function watchlist(config: SourcesConfig): WatchTicker[] {
  return config.tickers.map((t) =>
    typeof t === 'string' ? { symbol: t } : { symbol: t.symbol, cik: t.cik?.padStart(10, '0') },
  );
}

/** A source's transport settings: its own values over `defaults`. */
export function transportFor(config: SourcesConfig, source: SourceConfig): TransportSettings {
  const d = config.defaults;
  if (source.kind === 'sample') return d;
  return {
    timeout_ms: source.timeout_ms ?? d.timeout_ms,
    retries: source.retries ?? d.retries,
    backoff_ms: source.backoff_ms ?? d.backoff_ms,
    max_backoff_ms: source.max_backoff_ms ?? d.max_backoff_ms,
    max_retry_after_ms: source.max_retry_after_ms ?? d.max_retry_after_ms,
    max_body_bytes: source.max_body_bytes ?? d.max_body_bytes,
    rate: source.rate ?? d.rate,
    overlap_minutes: source.overlap_minutes ?? d.overlap_minutes,
    max_pages: source.max_pages ?? d.max_pages,
  };
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Parses and validates sources.yaml text; errors name the file, the field and the fix. */
export function parseSourcesConfig(text: string, source = 'config/sources.yaml'): SourcesConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message}`, { input: source });
  }
  const result = SourcesConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`${source} is invalid: ${formatIssues(result.error)}`, { input: source });
  }
  return result.data;
}

export function loadSourcesConfig(file: string = SOURCES_CONFIG_PATH): SourcesConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, { input: file });
  }
  return parseSourcesConfig(text, file);
}
