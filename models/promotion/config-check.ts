import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ModelsConfig, parseModelsConfig } from '../../config/models';
import { parsePromotionConfig } from '../../config/promotion';
import { parseTrainingConfig } from '../../config/training';
import { parseModelId } from '../families';
import { isSemver } from '../registry/semver';
import type { ModelRegistry } from '../registry/types';

/**
 * `finsent config check`: every file in config/ that has a schema is parsed and validated, plus
 * the checks a schema alone cannot make (serving names configured families, champions exist in
 * the registry, local training files exist). Run on every pull request that touches config/.
 */
export type ConfigChecker = (text: string, file: string, dir: string) => string[] | undefined;

/** File name → checker. Other areas add theirs (sources.yaml, drift.yaml) here. */
export const CONFIG_CHECKS: Record<string, ConfigChecker> = {
  'models.yaml': (text, file) => modelsSemantics(parseModelsConfig(text, file)),
  'promotion.yaml': (text, file) => {
    parsePromotionConfig(text, file);
    return [];
  },
  'training.yaml': (text, file, dir) => {
    const cfg = parseTrainingConfig(text, file);
    const root = path.resolve(dir, '..');
    const problems: string[] = [];
    for (const [name, ds] of Object.entries(cfg.datasets)) {
      for (const [part, f] of Object.entries({ train: ds.train, validation: ds.validation, test: ds.test })) {
        if (typeof f === 'string' && !existsSync(path.resolve(root, f))) {
          problems.push(`datasets.${name}.${part}: ${f} does not exist`);
        }
      }
    }
    return problems;
  },
};

function modelsSemantics(cfg: ModelsConfig): string[] {
  const problems: string[] = [];
  const known = new Set(Object.keys(cfg.families));
  const checkId = (where: string, id: string) => {
    const { family } = parseModelId(id);
    if (!known.has(family))
      problems.push(`${where}: "${id}" names family ${family}, which families: does not list`);
  };
  checkId('serving.default', cfg.serving.default);
  cfg.serving.split.forEach((arm, i) => {
    checkId(`serving.split[${i}]`, arm.model);
  });
  cfg.serving.shadow.forEach((id, i) => {
    checkId(`serving.shadow[${i}]`, id);
  });
  for (const [family, f] of Object.entries(cfg.families)) {
    if (f.challenger !== null && f.challenger === f.champion) {
      problems.push(`families.${family}: the challenger is the champion (${f.champion})`);
    }
  }
  return problems;
}

export interface FileCheck {
  file: string;
  ok: boolean;
  problems: string[];
}

export function checkConfigDir(
  dir: string,
  checks: Record<string, ConfigChecker> = CONFIG_CHECKS,
): FileCheck[] {
  const out: FileCheck[] = [];
  for (const [name, check] of Object.entries(checks)) {
    const file = path.join(dir, name);
    if (!existsSync(file)) {
      if (name === 'models.yaml')
        out.push({ file, ok: false, problems: ['missing: every deployment needs it'] });
      continue;
    }
    try {
      const problems = check(readFileSync(file, 'utf8'), file, dir) ?? [];
      out.push({ file, ok: problems.length === 0, problems });
    } catch (error) {
      out.push({ file, ok: false, problems: [(error as Error).message] });
    }
  }
  return out;
}

/** Champions and challengers that are registry versions must exist there. */
export async function checkChampionsInRegistry(
  cfg: ModelsConfig,
  registry: ModelRegistry,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [family, f] of Object.entries(cfg.families)) {
    for (const [role, v] of [
      ['champion', f.champion],
      ['challenger', f.challenger],
    ] as const) {
      if (v && isSemver(v) && !(await registry.exists(family, v))) {
        problems.push(
          `families.${family}.${role}: ${family}@${v} is not in the registry (${registry.location})`,
        );
      }
    }
  }
  return problems;
}
