import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../lib/errors';
import { REPO_ROOT } from '../lib/paths';

export const TRAINING_CONFIG_PATH = path.join(REPO_ROOT, 'config', 'training.yaml');

/** A data file: a repository path, or a URL pinned by sha256. */
export const DataFileSchema = z.union([
  z.string().min(1),
  z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256 (64 characters)'),
    /** File name in the download cache (default: the URL's last path segment). */
    fileName: z.string().optional(),
  }),
]);
export type DataFile = z.infer<typeof DataFileSchema>;

export const DatasetSchema = z.strictObject({
  train: DataFileSchema,
  validation: DataFileSchema.optional(),
  test: DataFileSchema.optional(),
  labelMap: z.record(z.string(), z.enum(['positive', 'negative', 'neutral'])).default({}),
  description: z.string().optional(),
});
export type DatasetConfig = z.infer<typeof DatasetSchema>;

export const TrainingConfigSchema = z
  .strictObject({
    datasets: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lowercase dataset name'), DatasetSchema),
    split: z
      .strictObject({
        validation: z.number().min(0).lt(1).default(0.15),
        test: z.number().min(0).lt(1).default(0.15),
        seed: z.number().int().default(20240611),
      })
      .prefault({})
      .refine((s) => s.validation + s.test < 1, 'validation + test must be below 1'),
    families: z.record(
      z.string(),
      z.strictObject({
        dataset: z.string(),
        seed: z.number().int().default(7),
        change: z.enum(['recalibration', 'retrain', 'architecture', 'labels']).default('retrain'),
        params: z.record(z.string(), z.unknown()).default({}),
      }),
    ),
  })
  .superRefine((cfg, ctx) => {
    for (const [family, f] of Object.entries(cfg.families)) {
      if (!cfg.datasets[f.dataset]) {
        ctx.addIssue({
          code: 'custom',
          path: ['families', family, 'dataset'],
          message: `names no dataset; known: ${Object.keys(cfg.datasets).join(', ')}`,
        });
      }
    }
  });
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;

export function parseTrainingConfig(text: string, source = 'config/training.yaml'): TrainingConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message}`, { input: source });
  }
  const result = TrainingConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`${source} is invalid: ${issues}`, { input: source });
  }
  return result.data;
}

export function loadTrainingConfig(file: string = TRAINING_CONFIG_PATH): TrainingConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, { input: file });
  }
  return parseTrainingConfig(text, file);
}
