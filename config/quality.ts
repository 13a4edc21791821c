import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../lib/errors';
import { REPO_ROOT } from '../lib/paths';

export const QUALITY_CONFIG_PATH = path.join(REPO_ROOT, 'config', 'quality.yaml');

const Share = z.number().min(0).max(1);

const RowRulesSchema = z.strictObject({
  headline: z.strictObject({
    min_chars: z.number().int().min(1),
    max_chars: z.number().int().min(1),
    min_words: z.number().int().min(1),
  }),
  summary: z.strictObject({ max_chars: z.number().int().min(1) }),
  tickers: z.strictObject({ max: z.number().int().min(0) }),
  published_at: z.strictObject({
    future_skew_minutes: z.number().min(0),
    max_age_days: z.number().positive().nullable(),
    not_before: z.iso.datetime({ offset: true }),
  }),
  language: z.strictObject({
    allowed: z.array(z.string().regex(/^[a-z]{2,3}$/)).min(1),
    accept_undetermined: z.boolean(),
  }),
});

const DatasetRulesSchema = z.strictObject({
  quarantine_rate: z.strictObject({ warn: Share.optional(), fail: Share.optional() }),
  duplicate_rate: z.strictObject({ warn: Share.optional(), fail: Share.optional() }),
  unmerged_duplicates: z.strictObject({
    warn: z.number().int().min(0).optional(),
    fail: z.number().int().min(0).optional(),
  }),
  null_rate: z.partialRecord(z.enum(['summary', 'url', 'tickers']), Share),
  volume: z.strictObject({
    history_runs: z.number().int().min(2),
    min_history: z.number().int().min(2),
    robust_z: z.number().positive(),
  }),
  freshness_hours: z.number().positive().nullable(),
  failed_sources: z.strictObject({ warn: z.number().int().min(1), fail_all: z.boolean() }),
});

const SourceOverrideSchema = z.strictObject({
  max_age_days: z.number().positive().nullable().optional(),
  freshness_hours: z.number().positive().nullable().optional(),
  volume: z.boolean().optional(),
  null_rate: z.partialRecord(z.enum(['summary', 'url', 'tickers']), Share).optional(),
});

export const QualityConfigSchema = z
  .strictObject({
    row: RowRulesSchema,
    dataset: DatasetRulesSchema,
    sources: z.record(z.string(), SourceOverrideSchema).default({}),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.row.headline.min_chars > cfg.row.headline.max_chars) {
      ctx.addIssue({ code: 'custom', path: ['row', 'headline'], message: 'min_chars exceeds max_chars' });
    }
    if (cfg.dataset.volume.min_history > cfg.dataset.volume.history_runs) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataset', 'volume'],
        message: 'min_history exceeds history_runs',
      });
    }
  });

export type QualityConfig = z.infer<typeof QualityConfigSchema>;
export type RowRules = QualityConfig['row'];

/** The row rules one source is held to: the global ones with its overrides applied. */
export function rowRulesFor(config: QualityConfig, source: string): RowRules {
  const o = config.sources[source];
  if (!o || o.max_age_days === undefined) return config.row;
  return { ...config.row, published_at: { ...config.row.published_at, max_age_days: o.max_age_days } };
}

export function freshnessHoursFor(config: QualityConfig, source: string): number | null {
  const o = config.sources[source]?.freshness_hours;
  return o === undefined ? config.dataset.freshness_hours : o;
}

/** Null-rate ceilings for one source: the global ones with its own on top. */
export function nullRatesFor(
  config: QualityConfig,
  source: string,
): Partial<Record<'summary' | 'url' | 'tickers', number>> {
  return { ...config.dataset.null_rate, ...config.sources[source]?.null_rate };
}

export function volumeCheckedFor(config: QualityConfig, source: string): boolean {
  return config.sources[source]?.volume ?? true;
}

export function parseQualityConfig(text: string, source = 'config/quality.yaml'): QualityConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message}`, { input: source });
  }
  const result = QualityConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`${source} is invalid: ${issues}`, { input: source });
  }
  return result.data;
}

export function loadQualityConfig(file: string = QUALITY_CONFIG_PATH): QualityConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, { input: file });
  }
  return parseQualityConfig(text, file);
}
