import type { CompareStageResult } from '../compare/stage';
import type { Registered } from '../training/register';
import { championOf, type StageContext, type TrainStageResult } from '../training/stage';
import { promoteLocally } from './local';
import { openOrUpdatePromotionPr, type PullRequestResult } from './pull-request';
import { recordPromotion } from './store';

export interface PromoteStageResult {
  family: string;
  version: string;
  outcome: 'promoted-locally' | 'pull-request' | 'not-promoted' | 'already-champion';
  verdict: string | null;
  /** Why, in sentences (the comparison's reasons, or why no comparison decided). */
  reasons: string[];
  pullRequest?: PullRequestResult;
}

/**
 * Promotes the registered candidate when the comparison against the champion allows it: locally
 * (data-directory config, recorded) without GitHub, or by opening/updating the family's promotion
 * pull request with the comparison report as its body. Logs the verdict and why.
 */
export async function runPromoteStage(
  ctx: StageContext,
  trained: TrainStageResult,
  compared: CompareStageResult,
  registered: Registered,
): Promise<PromoteStageResult> {
  const family = trained.candidate.family;
  const version = registered.version;
  const base = { family, version };
  if (championOf(ctx)(family) === version) {
    ctx.log(`${family}@${version} already is the champion: nothing to promote`);
    return {
      ...base,
      outcome: 'already-champion',
      verdict: null,
      reasons: [`${family}@${version} already is the champion`],
    };
  }
  const decisive = compared.decisive;
  if (!decisive) {
    const why = compared.note ?? 'no comparison against the champion was made';
    ctx.log(`not promoting ${family}@${version}: ${why}`);
    return { ...base, outcome: 'not-promoted', verdict: null, reasons: [why] };
  }
  const { verdict } = decisive.result;
  if (!verdict.promote) {
    ctx.log(
      `not promoting ${family}@${version}: verdict ${verdict.verdict} against the champion ${decisive.result.a.id}`,
    );
    return { ...base, outcome: 'not-promoted', verdict: verdict.verdict, reasons: verdict.reasons };
  }
  if (ctx.github) {
    const pr = await openOrUpdatePromotionPr(
      { family, version, kind: 'promote', report: decisive.report, verdict: verdict.verdict },
      {
        octokit: ctx.github.octokit,
        repository: ctx.github.repository,
        ...(ctx.github.base ? { base: ctx.github.base } : {}),
        ...(ctx.now ? { now: ctx.now() } : {}),
      },
    );
    if (ctx.db && pr.number !== undefined) {
      await recordPromotion(ctx.db, {
        family,
        fromVersion: pr.previous ?? null,
        toVersion: version,
        kind: 'promote',
        mode: 'pull-request',
        status: 'proposed',
        verdict: verdict.verdict,
        prNumber: pr.number,
        prUrl: pr.url ?? null,
        eventKey: `pr:${pr.number}:${family}@${version}`,
        reasons: verdict.reasons,
      });
    }
    ctx.log(
      pr.status === 'unchanged'
        ? `${family}@${version} already is the champion on ${pr.base}: no pull request needed`
        : `${pr.status === 'created' ? 'opened' : 'updated'} promotion pull request #${pr.number} (${pr.url}): merging it promotes ${family}@${version}`,
    );
    return {
      ...base,
      outcome: 'pull-request',
      verdict: verdict.verdict,
      reasons: verdict.reasons,
      pullRequest: pr,
    };
  }
  const local = await promoteLocally({
    family,
    version,
    dataDir: ctx.env.dataDir,
    registry: ctx.registry,
    verdict: verdict.verdict,
    reasons: verdict.reasons,
    ...(ctx.db ? { db: ctx.db } : {}),
    ...(ctx.modelsConfigFile ? { repoModelsFile: ctx.modelsConfigFile } : {}),
    ...(ctx.now ? { now: ctx.now() } : {}),
  });
  ctx.log(
    `promoted ${family}@${version} locally (was ${local.previous ?? 'none'}; verdict ${verdict.verdict}): ${local.file}`,
  );
  return { ...base, outcome: 'promoted-locally', verdict: verdict.verdict, reasons: verdict.reasons };
}

export interface LoopResult {
  trained: TrainStageResult;
  compared: CompareStageResult;
  registered: Registered;
  promoted: PromoteStageResult;
}

/**
 * The main job's training loop in one call: train the financial VADER on the project's set,
 * compare with vader-base and the champion, register, promote when the policy allows.
 *
 * ```ts
 * const loop = await runTrainingLoop(ctx);   // ctx from openRuntime(readEnv()) + log: console.log
 * loop.promoted.outcome;                     // 'promoted-locally'
 * ```
 */
export async function runTrainingLoop(ctx: StageContext, family = 'vader'): Promise<LoopResult> {
  const { runTrainStage } = await import('../training/stage');
  const { runCompareStage } = await import('../compare/stage');
  const { runRegisterStage } = await import('../registry/stage');
  const trained = await runTrainStage(ctx, { family });
  const compared = await runCompareStage(ctx, trained);
  const registered = await runRegisterStage(ctx, trained, compared);
  const promoted = await runPromoteStage(ctx, trained, compared, registered);
  return { trained, compared, registered, promoted };
}
