import path from 'node:path';
import type { Command } from 'commander';
import { loadModelsConfig } from '../../config/models';
import { readEnv } from '../../lib/env';
import { ConfigError } from '../../lib/errors';
import { REPO_ROOT } from '../../lib/paths';
import {
  checkChampionsInRegistry,
  checkConfigDir,
  type FileCheck,
} from '../../models/promotion/config-check';
import { createRegistry } from '../../models/registry/index';
import { action } from '../cli/run';

/** Validates config/ (and optionally that champions exist in the registry); throws listing every problem. */
export async function runConfigCheck(o: { dir?: string; registry?: boolean }): Promise<FileCheck[]> {
  const dir = path.resolve(o.dir ?? path.join(REPO_ROOT, 'config'));
  const checks = checkConfigDir(dir);
  if (o.registry) {
    const file = path.join(dir, 'models.yaml');
    const reg = createRegistry(
      readEnv(),
      process.env.GITHUB_API_URL ? { apiUrl: process.env.GITHUB_API_URL } : {},
    );
    try {
      const problems = await checkChampionsInRegistry(loadModelsConfig(file), reg);
      checks.push({ file: `${file} (registry ${reg.location})`, ok: problems.length === 0, problems });
    } catch (error) {
      checks.push({ file, ok: false, problems: [(error as Error).message] });
    }
  }
  return checks;
}

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('configuration as code')
    .command('check')
    .description('validate every file in config/ against its schema and cross-check them')
    .option('--dir <dir>', "the config directory (default: the repository's config/)")
    .option('--registry', 'also check that champions and challengers exist in the registry')
    .option('--json', 'JSON output')
    .action(
      action(async (o: { dir?: string; registry?: boolean; json?: boolean }) => {
        const checks = await runConfigCheck(o);
        if (o.json) process.stdout.write(`${JSON.stringify(checks)}\n`);
        else {
          for (const c of checks) {
            process.stdout.write(
              `${c.ok ? 'ok  ' : 'FAIL'} ${path.relative(process.cwd(), c.file) || c.file}\n`,
            );
            for (const p of c.problems) process.stdout.write(`     - ${p}\n`);
          }
        }
        const bad = checks.filter((c) => !c.ok);
        if (bad.length > 0) {
          throw new ConfigError(
            `${bad.length} config file(s) failed the check; fix the problems listed above`,
          );
        }
      }),
    );
}
