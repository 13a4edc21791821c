import type { Command } from 'commander';
import { readEnv } from '../../lib/env';
import { InputError, UnknownModelError } from '../../lib/errors';
import { type CompareStageResult, runCompareStage } from '../../models/compare/stage';
import { CHANGE_KINDS, type ChangeKind } from '../../models/registry/semver';
import { runRegisterStage } from '../../models/registry/stage';
import { openRuntime, type Runtime, stageContext } from '../../models/training/runtime';
import { runTrainStage } from '../../models/training/stage';
import { action } from '../cli/run';

export interface TrainOptions {
  model: string;
  data?: string;
  val?: string;
  test?: string;
  seed?: string;
  param?: string[];
  change?: string;
  register?: boolean;
  compare?: boolean;
  json?: boolean;
}

export interface TrainOutcome {
  runId: string;
  family: string;
  version: string;
  registered: boolean;
  created: boolean;
  tag: string | null;
  durationMs: number;
  dataFingerprint: string;
  validation: Record<string, number>;
  test: { macroF1: number; lower: number; upper: number; n: number } | null;
  comparisons: { against: string; verdict: string }[];
}

/** `--param key=value` → { key: value } with numbers, booleans and JSON parsed. */
export function parseParams(pairs: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InputError(`--param must be key=value, got "${pair}"`, { input: pair });
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare string
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}

/** Trains a candidate, evaluates it on the held-out part (with intervals) and registers it. */
export async function runTrain(
  o: TrainOptions,
  rt: Runtime,
  log: (line: string) => void,
): Promise<TrainOutcome> {
  const seed = o.seed === undefined ? undefined : Number(o.seed);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new InputError(`--seed must be an integer, got "${o.seed}"`);
  if (o.change !== undefined && !(CHANGE_KINDS as readonly string[]).includes(o.change)) {
    throw new InputError(`--change must be one of ${CHANGE_KINDS.join(', ')}, got "${o.change}"`);
  }
  const ctx = stageContext(rt, log, { trigger: process.env.GITHUB_ACTIONS ? 'workflow' : 'cli' });
  const trained = await runTrainStage(ctx, {
    family: o.model,
    ...(o.data ? { data: o.data } : {}),
    ...(o.val ? { validation: o.val } : {}),
    ...(o.test ? { test: o.test } : {}),
    ...(seed !== undefined ? { seed } : {}),
    params: parseParams(o.param),
    ...(o.change ? { change: o.change as ChangeKind } : {}),
  });
  let compared: CompareStageResult | undefined;
  if (o.compare !== false) {
    try {
      compared = await runCompareStage(ctx, trained, { baselines: [] });
    } catch (error) {
      if (!(error instanceof UnknownModelError)) throw error;
      log(`not evaluated on the test part: ${error.message}`);
    }
  }
  const c = trained.candidate;
  const first = compared?.decisive ?? compared?.comparisons[0];
  const outcome: TrainOutcome = {
    runId: c.runId,
    family: c.family,
    version: trained.plan.version,
    registered: false,
    created: false,
    tag: null,
    durationMs: Math.round(c.durationMs),
    dataFingerprint: c.data.train.fingerprint,
    validation: c.result.validation,
    test: first
      ? {
          macroF1: first.result.b.macroF1,
          lower: first.result.bootstrap.macroF1B.lower,
          upper: first.result.bootstrap.macroF1B.upper,
          n: first.result.dataset.n,
        }
      : null,
    comparisons: (compared?.comparisons ?? []).map((x) => ({
      against: x.result.a.id,
      verdict: x.result.verdict.verdict,
    })),
  };
  if (o.register === false) return outcome;
  const registered = await runRegisterStage(ctx, trained, compared);
  return { ...outcome, registered: true, created: registered.created, tag: registered.tag };
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description(
      'train a model family, record the run, evaluate it on held-out data and register the candidate',
    )
    .requiredOption('--model <family>', 'family to train: vader or finbert')
    .option(
      '--data <dataset|file>',
      "dataset in config/training.yaml, or a labelled file (default: the family's dataset)",
    )
    .option('--val <file>', "separate validation file (default: the dataset's, or a seeded split)")
    .option('--test <file>', 'separate held-out test file')
    .option('--seed <n>', 'random seed (default: config/training.yaml)')
    .option('--param <key=value...>', 'hyperparameter overrides, repeatable')
    .option('--change <kind>', `kind of change for the version bump: ${CHANGE_KINDS.join(', ')}`)
    .option('--no-compare', 'skip the held-out evaluation against the champion')
    .option('--no-register', 'train and record the run only')
    .option('--json', 'print the outcome as JSON')
    .action(
      action(async (o: TrainOptions) => {
        const rt = await openRuntime(readEnv());
        try {
          const log = o.json
            ? (line: string) => process.stderr.write(`${line}\n`)
            : (line: string) => process.stdout.write(`${line}\n`);
          const out = await runTrain(o, rt, log);
          if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        } finally {
          await rt.close();
        }
      }),
    );
}
