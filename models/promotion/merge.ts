import { type ModelsConfig, parseModelsConfig } from '../../config/models';
import type { Db } from '../../pipeline/store/db';
import { RegistryError } from '../registry/errors';
import { compareSemver, isSemver } from '../registry/semver';
import type { ModelRegistry } from '../registry/types';
import { type ChampionChange, championChanges } from './config-edit';
import { callDeployHook, type DeployHookOptions, type DeployHookResult } from './deploy-hook';
import { recordPromotion } from './store';

/**
 * What the promote workflow does after a promotion pull request is merged (a push to main that
 * touches config/models.yaml): for every family whose champion changed, check that the release
 * exists and that its files match its manifest (downloaded and sha256-verified), record the
 * promotion, then call the deploy hook once. Re-running it records nothing twice.
 */
export interface MergeInput {
  /** models.yaml before the push (undefined when the file is new). */
  before: string | undefined;
  after: string;
  registry: ModelRegistry;
  /** The merge commit. */
  commit: string;
  db?: Db;
  deployHookUrl?: string;
  deployHook?: DeployHookOptions;
  prNumber?: number | null;
  now?: Date;
}

export interface VerifiedChange extends ChampionChange {
  kind: 'promote' | 'rollback';
  /** What was checked, for the job summary. */
  detail: string;
}

export interface MergeResult {
  changes: VerifiedChange[];
  /** Rows written to `promotions` (0 on a re-run). */
  recorded: number;
  deploy: DeployHookResult | 'skipped' | 'not-configured';
}

export function promotionKind(from: string | undefined, to: string): 'promote' | 'rollback' {
  if (from === undefined || !isSemver(from)) return 'promote';
  if (!isSemver(to)) return 'rollback'; // back to the built-in model
  return compareSemver(to, from) < 0 ? 'rollback' : 'promote';
}

export async function verifyMergedPromotion(input: MergeInput): Promise<MergeResult> {
  const after: ModelsConfig = parseModelsConfig(input.after, 'config/models.yaml (after the merge)');
  let before: ModelsConfig | undefined;
  if (input.before !== undefined) {
    try {
      before = parseModelsConfig(input.before, 'config/models.yaml (before the merge)');
    } catch {
      before = undefined; // an invalid old file: treat every champion as new
    }
  }
  const changes = championChanges(before, after);
  const verified: VerifiedChange[] = [];
  const failures: string[] = [];
  for (const c of changes) {
    const kind = promotionKind(c.from, c.to);
    if (c.to === 'builtin') {
      verified.push({ ...c, kind, detail: 'built-in model: nothing to download' });
      continue;
    }
    try {
      const manifest = await input.registry.getManifest(c.family, c.to);
      await input.registry.fetch(c.family, c.to); // downloads and checks every sha256
      if (manifest.family !== c.family || manifest.version !== c.to) {
        throw new RegistryError(`the release's manifest is for ${manifest.family}@${manifest.version}`);
      }
      verified.push({
        ...c,
        kind,
        detail: `${manifest.tag}: ${manifest.artifacts.length} artifact(s) match manifest.json (trained at ${manifest.code.commit.slice(0, 12)})`,
      });
    } catch (error) {
      failures.push(`${c.family}@${c.to}: ${(error as Error).message}`);
      if (input.db) {
        await recordPromotion(input.db, {
          family: c.family,
          fromVersion: c.from ?? null,
          toVersion: c.to,
          kind,
          mode: 'merge',
          status: 'failed',
          commitSha: input.commit,
          prNumber: input.prNumber ?? null,
          eventKey: `merge:${input.commit}:${c.family}:failed`,
          reasons: [(error as Error).message],
          ...(input.now ? { at: input.now } : {}),
        });
      }
    }
  }
  if (failures.length > 0) {
    throw new RegistryError(
      `config/models.yaml now names model versions that do not check out — revert the merge or fix the release: ${failures.join('; ')}`,
      { input: 'config/models.yaml', failures },
    );
  }
  let deploy: MergeResult['deploy'] = 'not-configured';
  if (verified.length === 0) deploy = 'skipped';
  else if (input.deployHookUrl) deploy = await callDeployHook(input.deployHookUrl, input.deployHook);
  let recorded = 0;
  if (input.db) {
    for (const c of verified) {
      const wrote = await recordPromotion(input.db, {
        family: c.family,
        fromVersion: c.from ?? null,
        toVersion: c.to,
        kind: c.kind,
        mode: 'merge',
        status: typeof deploy === 'object' ? 'deployed' : 'applied',
        commitSha: input.commit,
        prNumber: input.prNumber ?? null,
        eventKey: `merge:${input.commit}:${c.family}`,
        reasons: [c.detail],
        detail: typeof deploy === 'object' ? { deployId: deploy.deployId } : {},
        ...(input.now ? { at: input.now } : {}),
      });
      if (wrote) recorded++;
    }
  }
  return { changes: verified, recorded, deploy };
}
