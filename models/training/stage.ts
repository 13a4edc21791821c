import path from 'node:path';
import { loadPromotionConfig, type PromotionConfig } from '../../config/promotion';
import { loadTrainingConfig, type TrainingConfig } from '../../config/training';
import type { FinsentEnv } from '../../lib/env';
import { InputError } from '../../lib/errors';
import type { Db } from '../../pipeline/store/db';
import type { ArtifactSource, FamilyRegistry, LoadContext } from '../families';
import { championIn, modelLoadContext } from '../load-context';
import type { GitHubClient } from '../registry/octokit';
import type { ChangeKind } from '../registry/semver';
import type { ModelRegistry } from '../registry/types';
import { codeCommit } from './commit';
import { loadTrainingData } from './data';
import { planVersion, type VersionPlan } from './register';
import { stageCandidate, type TrainedCandidate, trainCandidate } from './train';
import { resolveTrainer, type TrainerFactory } from './trainers';

/**
 * What the train → compare → register → promote stages need. The main job builds one from the
 * environment (see models/training/runtime.ts); tests build one with fakes.
 */
export interface StageContext {
  env: FinsentEnv;
  db?: Db;
  registry: ModelRegistry;
  families: FamilyRegistry;
  trainers: Record<string, TrainerFactory>;
  /** Where the stages report progress, one line at a time (the edge prints it). */
  log: (line: string) => void;
  /** Pull requests instead of local promotion (GitHub mode). */
  github?: { octokit: GitHubClient; repository: string; base?: string };
  trainingConfig?: TrainingConfig;
  promotionConfig?: PromotionConfig;
  /** config/models.yaml of the repository (tests point elsewhere). */
  modelsConfigFile?: string;
  /** Root for relative data paths in config/training.yaml. */
  repoRoot?: string;
  commit?: string;
  trigger?: string;
  fetch?: typeof globalThis.fetch;
  now?: () => Date;
}

export function trainingConfigOf(ctx: StageContext): TrainingConfig {
  return ctx.trainingConfig ?? loadTrainingConfig();
}

export function promotionConfigOf(ctx: StageContext): PromotionConfig {
  return ctx.promotionConfig ?? loadPromotionConfig();
}

/** The champion of each family as configured (repository file + local promotions), `builtin` included. */
export function championOf(ctx: StageContext): (family: string) => string | undefined {
  return championIn(ctx.env.dataDir, ctx.modelsConfigFile);
}

/** How the stages load models: the shared load context over `artifacts` (default the registry). */
export function loadContext(ctx: StageContext, artifacts: ArtifactSource = ctx.registry): LoadContext {
  return modelLoadContext(ctx.env, {
    artifacts,
    ...(ctx.modelsConfigFile ? { modelsConfigFile: ctx.modelsConfigFile } : {}),
  });
}

export interface TrainStageOptions {
  family?: string;
  /** A dataset name from config/training.yaml or a labelled file. */
  data?: string;
  validation?: string;
  test?: string;
  seed?: number;
  params?: Record<string, unknown>;
  change?: ChangeKind;
}

export interface TrainStageResult {
  candidate: TrainedCandidate;
  plan: VersionPlan;
  change: ChangeKind;
  /** Serves the candidate's files (not yet registered) to its family loader, and the registry for the rest. */
  artifacts: ArtifactSource;
  stagedDir: string;
}

/**
 * Trains a candidate of `family` (default `vader`) on the configured dataset, records the run,
 * decides its version and stages its files so it can be compared before it is registered.
 *
 * ```ts
 * const trained = await runTrainStage(ctx);          // the financial VADER on the project's set
 * trained.plan.version;                              // '1.1.0'
 * ```
 */
export async function runTrainStage(
  ctx: StageContext,
  options: TrainStageOptions = {},
): Promise<TrainStageResult> {
  const family = options.family ?? 'vader';
  await resolveTrainer(family, ctx.trainers); // an unknown family fails before any data is read
  const cfg = trainingConfigOf(ctx);
  const fam = cfg.families[family];
  const dataName = options.data ?? fam?.dataset;
  if (!dataName) {
    throw new InputError(
      `no training data for ${family}: pass --data or add families.${family} to config/training.yaml`,
      {
        input: family,
      },
    );
  }
  const data = await loadTrainingData(
    {
      data: dataName,
      ...(options.validation ? { validation: options.validation } : {}),
      ...(options.test ? { test: options.test } : {}),
    },
    cfg,
    {
      dataDir: ctx.env.dataDir,
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      ...(ctx.repoRoot ? { root: ctx.repoRoot } : {}),
    },
  );
  for (const set of [data.train, data.validation, data.test]) {
    if (set.warnings.length > 0) {
      const first = set.warnings[0]!;
      ctx.log(
        `skipped ${set.warnings.length} bad row(s) of ${set.source} (first: line ${first.line}: ${first.message})`,
      );
    }
  }
  const seed = options.seed ?? fam?.seed ?? 7;
  const change = options.change ?? fam?.change ?? 'retrain';
  ctx.log(
    `training ${family} on ${data.name}: ${data.train.rows.length} train / ${data.validation.rows.length} validation / ` +
      `${data.test.rows.length} held-out test examples, seed ${seed}`,
  );
  const candidate = await trainCandidate(
    {
      family,
      data,
      seed,
      params: { ...(fam?.params ?? {}), ...(options.params ?? {}) },
      trigger: ctx.trigger ?? 'cli',
    },
    {
      trainers: ctx.trainers,
      commit: ctx.commit ?? codeCommit(),
      ...(ctx.db ? { db: ctx.db } : {}),
      ...(ctx.now ? { now: ctx.now } : {}),
    },
  );
  const plan = await planVersion(ctx.registry, candidate, change);
  const staged = stageCandidate(candidate, plan.version, path.join(ctx.env.dataDir, 'staging'), ctx.registry);
  const val = Object.entries(candidate.result.validation)
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join(', ');
  ctx.log(
    `trained ${family} in ${(candidate.durationMs / 1000).toFixed(1)} s (run ${candidate.runId})` +
      `${val ? `; validation ${val}` : ''}; candidate ${family}@${plan.version}` +
      (plan.existing
        ? ' (identical to the registered version: nothing new to register)'
        : ` (${plan.level}: ${plan.reason})`),
  );
  return { candidate, plan, change, artifacts: staged.source, stagedDir: staged.dir };
}
