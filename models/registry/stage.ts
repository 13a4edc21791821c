import type { CompareStageResult } from '../compare/stage';
import { manifestComparison, manifestTestMetrics } from '../compare/store';
import { type Registered, registerCandidate } from '../training/register';
import type { StageContext, TrainStageResult } from '../training/stage';

/**
 * Registers the candidate (local directory or GitHub Release, by environment) with a manifest
 * carrying its held-out metrics with confidence intervals and its comparisons. Identical
 * artifacts already registered are not registered again.
 */
export async function runRegisterStage(
  ctx: StageContext,
  trained: TrainStageResult,
  compared?: CompareStageResult,
): Promise<Registered> {
  const first = compared?.decisive ?? compared?.comparisons[0];
  const registered = await registerCandidate({
    candidate: trained.candidate,
    plan: trained.plan,
    change: trained.change,
    registry: ctx.registry,
    metrics: {
      test: first ? manifestTestMetrics(first.result) : null,
      comparisons: (compared?.comparisons ?? []).map((c) => manifestComparison(c.result)),
    },
    repository: ctx.github?.repository ?? ctx.env.githubRepository ?? null,
    ...(ctx.db ? { db: ctx.db } : {}),
    ...(ctx.now ? { now: ctx.now() } : {}),
  });
  ctx.log(
    registered.created
      ? `registered ${registered.tag} in the ${ctx.registry.kind} registry (${registered.url})`
      : `${registered.tag} is already registered with identical artifacts (${ctx.registry.location})`,
  );
  return registered;
}
