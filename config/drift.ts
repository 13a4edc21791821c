import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../lib/errors';
import { REPO_ROOT } from '../lib/paths';

export const DRIFT_CONFIG_PATH = path.join(REPO_ROOT, 'config', 'drift.yaml');

const DURATION_UNITS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `90s`, `30m`, `24h`, `7d`, `2w` → milliseconds; anything else throws with the accepted forms. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/.exec(text);
  if (!match) {
    throw new ConfigError(`"${text}" is not a duration: use a number and a unit, e.g. 30m, 24h, 7d`, {
      input: text,
    });
  }
  const ms = Number(match[1]) * DURATION_UNITS[match[2]!]!;
  if (!(ms > 0)) throw new ConfigError(`duration "${text}" must be positive`, { input: text });
  return ms;
}

const Duration = z.string().refine(
  (s) => {
    try {
      parseDuration(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'a duration such as 30m, 24h or 7d' },
);

/** warn ≤ alert, both ≥ 0. */
const Band = z
  .strictObject({ warn: z.number().nonnegative(), alert: z.number().nonnegative() })
  .refine((b) => b.warn <= b.alert, { message: 'warn must not exceed alert' });

export const NUMERIC_FEATURES = ['sentiment', 'confidence', 'text_length'] as const;
export type NumericFeature = (typeof NUMERIC_FEATURES)[number];
const Severity = z.enum(['warn', 'alert']);

export const DriftConfigSchema = z.strictObject({
  window: Duration.default('24h'),
  models: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a model family')).default([]),
  min_samples: z.number().int().positive().default(200),
  alpha: z.number().gt(0).lt(1).default(0.01),
  drift: z.strictObject({
    psi: z
      .strictObject({
        warn: z.number().nonnegative(),
        alert: z.number().nonnegative(),
        bins: z.number().int().min(2).max(100).default(10),
      })
      .refine((b) => b.warn <= b.alert, { message: 'warn must not exceed alert' }),
    ks: Band,
    features: z
      .array(z.enum(NUMERIC_FEATURES))
      .min(1)
      .default([...NUMERIC_FEATURES]),
    labels: Band,
    /** Window rows KS/PSI/means are computed from at most; a larger window is hash-sampled (ADR 063). */
    numeric_sample: z.number().int().min(1000).default(100_000),
  }),
  text: z.strictObject({
    sample: z.number().int().positive().max(100_000).default(5000),
    oov_rate: Band,
    unseen_tickers: Band,
  }),
  disagreement: z.strictObject({
    models: z.tuple([z.string(), z.string()]),
    min_pairs: z.number().int().positive().default(100),
    baseline: z.number().min(0).max(1).nullable().default(null),
    warn: z.number().nonnegative(),
    alert: z.number().nonnegative(),
  }),
  performance: z.strictObject({
    window: Duration.default('7d'),
    min_feedback: z.number().int().positive().default(50),
    accuracy_drop: Band,
    macro_f1_drop: Band,
    latency_p95_ms: Band,
    error_rate: Band,
  }),
  alerts: z.strictObject({
    github: z.boolean().default(true),
    labels: z.array(z.string().min(1)).min(1).default(['finsent-monitor']),
    min_severity: Severity.default('alert'),
    close_after_ok_runs: z.number().int().positive().default(2),
  }),
  retrain: z.strictObject({
    enabled: z.boolean().default(true),
    on: z.array(z.enum(['drift', 'degradation'])).default(['drift', 'degradation']),
    min_severity: Severity.default('alert'),
    cooldown: Duration.default('72h'),
    method: z.enum(['workflow_dispatch', 'repository_dispatch']).default('workflow_dispatch'),
    workflow: z.string().min(1).default('train.yml'),
    ref: z.string().min(1).default('main'),
    event_type: z.string().min(1).default('retrain'),
  }),
});

export type DriftConfig = z.infer<typeof DriftConfigSchema>;
export type Band = z.infer<typeof Band>;

/** Parses and validates drift.yaml text; errors name the file, the field and the fix. */
export function parseDriftConfig(text: string, source = 'config/drift.yaml'): DriftConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message}`, { input: source });
  }
  const result = DriftConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`${source} is invalid: ${issues}`, { input: source });
  }
  return result.data;
}

/** Reads config/drift.yaml (or another file). */
export function loadDriftConfig(file: string = DRIFT_CONFIG_PATH): DriftConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, { input: file });
  }
  return parseDriftConfig(text, file);
}
