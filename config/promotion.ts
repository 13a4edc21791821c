import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../lib/errors';
import { REPO_ROOT } from '../lib/paths';

export const PROMOTION_CONFIG_PATH = path.join(REPO_ROOT, 'config', 'promotion.yaml');

export const VERDICTS = ['superior', 'non-inferior', 'inferior', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];

const probability = z.number().gt(0).lt(1);

const PolicyFields = {
  test: z.enum(['mid-p', 'exact']).default('mid-p'),
  alpha: probability.default(0.05),
  bootstrap: z
    .strictObject({
      resamples: z.number().int().min(200).max(100_000).default(5000),
      confidence: probability.default(0.95),
      seed: z.number().int().default(20240611),
    })
    .prefault({}),
  margin: z.number().min(0).max(1).default(0.01),
  nonInferiorityMargin: z.number().min(0).max(1).default(0.02),
  minSamples: z.number().int().min(1).default(100),
  latency: z
    .strictObject({
      p95BudgetMs: z.number().positive().default(50),
      maxP95Ratio: z.number().positive().nullable().default(null),
    })
    .prefault({}),
  score: z
    .strictObject({
      weights: z
        .strictObject({
          accuracy: z.number().min(0).default(0.7),
          latency: z.number().min(0).default(0.2),
          cost: z.number().min(0).default(0.1),
        })
        .prefault({})
        .refine((w) => w.accuracy + w.latency + w.cost > 0, 'at least one weight must be positive'),
      latencyReferenceMs: z.number().positive().default(10),
      costReferenceUsdPer1k: z.number().positive().default(0.001),
    })
    .prefault({}),
  cost: z
    .strictObject({
      usdPerCpuHour: z.number().min(0).default(0.05),
      perFamily: z.record(z.string(), z.number().min(0)).default({}),
    })
    .prefault({}),
  promoteOn: z.array(z.enum(VERDICTS)).default(['superior']),
};

export const PolicySchema = z.strictObject(PolicyFields);
export type PromotionPolicy = z.infer<typeof PolicySchema>;

export const PromotionConfigSchema = z.strictObject({
  ...PolicyFields,
  /** Raw per-family overrides; validated after merging onto the base policy. */
  families: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
});
export type PromotionConfig = z.infer<typeof PromotionConfigSchema>;

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Parses promotion.yaml text; every family override is checked too, so a typo fails here. */
export function parsePromotionConfig(text: string, source = 'config/promotion.yaml'): PromotionConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message}`, { input: source });
  }
  const result = PromotionConfigSchema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(`${source} is invalid: ${issues(result.error)}`, { input: source });
  for (const family of Object.keys(result.data.families)) policyFor(result.data, family, source);
  return result.data;
}

export function loadPromotionConfig(file: string = PROMOTION_CONFIG_PATH): PromotionConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, { input: file });
  }
  return parsePromotionConfig(text, file);
}

/** The policy for a candidate of `family`: the base settings with that family's overrides merged in. */
export function policyFor(
  config: PromotionConfig,
  family: string,
  source = 'config/promotion.yaml',
): PromotionPolicy {
  const { families, ...base } = config;
  const override = families[family];
  if (!override) return PolicySchema.parse(base);
  const result = PolicySchema.safeParse(deepMerge(base, override));
  if (!result.success) {
    throw new ConfigError(`${source} is invalid: families.${family}: ${issues(result.error)}`, {
      input: source,
    });
  }
  return result.data;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : (value as unknown);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
