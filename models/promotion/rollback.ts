import { InputError } from '../../lib/errors';
import type { Db } from '../../pipeline/store/db';
import { compareSemver, isSemver } from '../registry/semver';
import type { ModelRegistry } from '../registry/types';
import { previousChampion } from './store';

export interface RollbackPlan {
  family: string;
  from: string;
  to: string;
  /** How the target was chosen, for the PR body and the log. */
  reason: string;
}

/**
 * Where a rollback goes: the version asked for (`--to`), else the champion before the current one
 * per the promotions audit trail, else the highest registered version below the current one, else
 * the built-in model. The target must exist in the registry.
 */
export async function planRollback(options: {
  family: string;
  current: string;
  to?: string;
  registry: ModelRegistry;
  db?: Db;
}): Promise<RollbackPlan> {
  const { family, current, registry } = options;
  const check = async (to: string, reason: string): Promise<RollbackPlan> => {
    if (to === current) {
      throw new InputError(`${family} is already at ${to}; nothing to roll back`, {
        input: `${family}@${to}`,
      });
    }
    if (to !== 'builtin' && !(await registry.exists(family, to))) {
      const versions = (await registry.listVersions(family)).map((v) => v.version);
      throw new InputError(
        `${family}@${to} is not in the registry (${registry.location}); versions there: ${versions.join(', ') || 'none'}`,
        { input: `${family}@${to}` },
      );
    }
    return { family, from: current, to, reason };
  };
  if (options.to) {
    if (options.to !== 'builtin' && !isSemver(options.to)) {
      throw new InputError(`--to must be a version such as 1.2.0 or "builtin", got "${options.to}"`, {
        input: options.to,
      });
    }
    return check(options.to, `asked for ${options.to}`);
  }
  if (options.db) {
    const prev = await previousChampion(options.db, family, current);
    if (prev) return check(prev, `the champion before ${current} (promotions audit trail)`);
  }
  if (isSemver(current)) {
    const lower = (await registry.listVersions(family))
      .map((v) => v.version)
      .filter((v) => compareSemver(v, current) < 0);
    if (lower[0]) return check(lower[0], `the highest registered version below ${current}`);
    return check('builtin', `no registered version below ${current}: back to the built-in model`);
  }
  throw new InputError(`${family} runs its built-in model; there is nothing earlier to roll back to`, {
    input: family,
  });
}
