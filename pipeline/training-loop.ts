import type { CompareStageResult } from '../models/compare/stage';
import type { PromoteStageResult } from '../models/promotion/stage';
import { createRegistry } from '../models/registry/index';
import type { Registered } from '../models/training/register';
import type { StageContext, TrainStageResult } from '../models/training/stage';
import { TRAINERS, type TrainerFactory } from '../models/training/trainers';
import type { JobContext, Stage } from './main-job';

export interface TrainingLoopOptions {
  /** The family trained, compared, registered and promoted. Default `vader`. */
  family?: string;
  /** Hyperparameter overrides for the trainer (the main job uses config/training.yaml's). */
  params?: Record<string, unknown>;
  /** Trainers (tests pass fakes). Default: models/training/trainers. */
  trainers?: Record<string, TrainerFactory>;
}

const contexts = new WeakMap<JobContext, Promise<StageContext>>();

/**
 * The training stages' context over the main job's: its store, its model families, and the
 * LOCAL registry under `$FINSENT_DATA_DIR/registry` (the main job runs offline on a fresh clone;
 * registering to GitHub Releases is the train workflow's job). Promotion is therefore local too.
 * Progress lines are printed as they come, indented under the stage's heading.
 */
function loopContext(job: JobContext, options: TrainingLoopOptions): Promise<StageContext> {
  let ctx = contexts.get(job);
  if (!ctx) {
    ctx = (async () => ({
      env: job.env,
      db: await job.db(),
      registry: createRegistry(job.env, { local: true }),
      families: job.registry,
      trainers: options.trainers ?? TRAINERS,
      trigger: 'main-job',
      log: (line: string) => {
        job.out.write(`  ${line.replace(/\n/g, '\n  ')}\n`);
      },
      ...(options.params ? { params: options.params } : {}),
    }))();
    contexts.set(job, ctx);
  }
  return ctx;
}

function need<R>(job: JobContext, stage: string): R {
  if (!job.results.has(stage)) throw new Error(`the ${stage} stage has not run before this one`);
  return job.results.get(stage) as R;
}

/**
 * The main job's training loop as four stages: train the family on its configured dataset
 * (config/training.yaml: the project's headline splits for vader), compare the candidate with
 * its baselines (vader-base) and the current champion on the held-out test split, register it
 * in the local registry (a re-run with identical artifacts registers nothing), and promote it
 * locally when the promotion policy allows — each printing what it did and why.
 *
 *   await runMainJob([...trainingLoopStages()], { env, registry: createFamilyRegistry(), out })
 */
export function trainingLoopStages(options: TrainingLoopOptions = {}): Stage[] {
  const family = options.family ?? 'vader';
  const train: Stage<TrainStageResult> = {
    name: 'train',
    title: `train ${family} on the project's labelled headlines`,
    async run(job) {
      const { runTrainStage } = await import('../models/training/stage');
      const ctx = await loopContext(job, options);
      const trained = await runTrainStage(ctx, {
        family,
        ...(options.params ? { params: options.params } : {}),
      });
      const { candidate, plan } = trained;
      const macro = candidate.result.validation.macroF1;
      return {
        result: trained,
        summary:
          `${family}@${plan.version}${plan.existing ? ' (already registered)' : ''} from ${candidate.data.train.rows.length} texts` +
          `${macro === undefined ? '' : `, validation macro-F1 ${macro.toFixed(4)}`}`,
      };
    },
  };
  const compare: Stage<CompareStageResult> = {
    name: 'compare',
    title: 'candidate vs baselines and the champion on the held-out test split',
    async run(job) {
      const { runCompareStage } = await import('../models/compare/stage');
      const compared = await runCompareStage(await loopContext(job, options), need(job, 'train'));
      const parts = compared.comparisons.map(
        (c) =>
          `vs ${c.role === 'champion' ? `champion ${c.result.a.id}` : c.result.a.id}: ${c.result.verdict.verdict} ` +
          `(macro-F1 ${c.result.a.macroF1.toFixed(3)} → ${c.result.b.macroF1.toFixed(3)}, p = ${c.result.pValue.toPrecision(2)})`,
      );
      if (compared.note) parts.push(compared.note);
      return { result: compared, summary: parts.join('; ') || 'nothing to compare' };
    },
  };
  const register: Stage<Registered> = {
    name: 'register',
    title: 'register the candidate in the local model registry',
    async run(job) {
      const { runRegisterStage } = await import('../models/registry/stage');
      const registered = await runRegisterStage(
        await loopContext(job, options),
        need(job, 'train'),
        need(job, 'compare'),
      );
      return {
        result: registered,
        summary: registered.created
          ? `registered ${registered.tag}`
          : `${registered.tag} already registered (identical artifacts)`,
      };
    },
  };
  const promote: Stage<PromoteStageResult> = {
    name: 'promote',
    title: 'promote the candidate when the policy allows',
    async run(job) {
      const { runPromoteStage } = await import('../models/promotion/stage');
      const promoted = await runPromoteStage(
        await loopContext(job, options),
        need(job, 'train'),
        need(job, 'compare'),
        need(job, 'register'),
      );
      const id = `${promoted.family}@${promoted.version}`;
      const summary =
        promoted.outcome === 'promoted-locally'
          ? `promoted ${id} locally (verdict ${promoted.verdict})`
          : promoted.outcome === 'already-champion'
            ? `${id} already is the champion`
            : promoted.outcome === 'pull-request'
              ? `promotion pull request for ${id}`
              : `${id} not promoted${promoted.verdict ? ` (verdict ${promoted.verdict})` : ''}: ${promoted.reasons.at(-1) ?? ''}`;
      return { result: promoted, summary };
    },
  };
  return [train, compare, register, promote];
}
