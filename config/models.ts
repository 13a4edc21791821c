import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../lib/errors';
import { MODEL_ID_PATTERN, VERSION_PATTERN } from '../lib/model-id';
import { REPO_ROOT } from '../lib/paths';

export const MODELS_CONFIG_PATH = path.join(REPO_ROOT, 'config', 'models.yaml');

const VERSION = z.string().regex(VERSION_PATTERN, 'a semver version such as 1.2.0, or "builtin"');
const MODEL_ID = z.string().regex(MODEL_ID_PATTERN, 'a model id such as vader, vader@1.3.0 or vader@builtin');

export const FamilyConfigSchema = z.strictObject({
  champion: VERSION,
  challenger: VERSION.nullable().default(null),
});

export const ArmSchema = z.strictObject({
  arm: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'a short arm name'),
  model: MODEL_ID,
  share: z.number().gt(0).lte(1),
});

export const ModelsConfigSchema = z
  .strictObject({
    families: z.record(z.string(), FamilyConfigSchema),
    serving: z.strictObject({
      default: MODEL_ID,
      split: z.array(ArmSchema).default([]),
      shadow: z.array(MODEL_ID).default([]),
    }),
  })
  .superRefine((cfg, ctx) => {
    const { split } = cfg.serving;
    if (split.length > 0) {
      const total = split.reduce((s, a) => s + a.share, 0);
      if (Math.abs(total - 1) > 1e-6) {
        ctx.addIssue({
          code: 'custom',
          path: ['serving', 'split'],
          message: `arm shares must sum to 1 (they sum to ${total})`,
        });
      }
      const names = new Set(split.map((a) => a.arm));
      if (names.size !== split.length) {
        ctx.addIssue({ code: 'custom', path: ['serving', 'split'], message: 'arm names must be unique' });
      }
    }
  });

export type ModelsConfig = z.infer<typeof ModelsConfigSchema>;
export type Arm = z.infer<typeof ArmSchema>;

/** Parses and validates models.yaml text; errors name the file, the field and the fix. */
export function parseModelsConfig(text: string, source = 'config/models.yaml'): ModelsConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message}`, { input: source });
  }
  const result = ModelsConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`${source} is invalid: ${issues}`, { input: source });
  }
  return result.data;
}

export function loadModelsConfig(file: string = MODELS_CONFIG_PATH): ModelsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`, { input: file });
  }
  return parseModelsConfig(text, file);
}
