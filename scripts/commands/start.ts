import type { Command } from 'commander';
import { isFinsentError } from '../../lib/errors';
import { type JobResult, mainJobStages, runMainJob, type Stage } from '../../pipeline/main-job';
import { action, EXIT_FAILURE, EXIT_USAGE } from '../cli/run';
import { type CommandDeps, defaultDeps, modelLoadContext } from './score';

/** The process exit code for a job's outcome: 0 ok, 2 for a problem the user can fix, 1 otherwise. */
export function exitCodeOf(result: JobResult): number {
  if (result.ok) return 0;
  return isFinsentError(result.error) ? EXIT_USAGE : EXIT_FAILURE;
}

/** Runs the main job (`npm start`): every stage in order, each printing its heading and result. */
export async function runStart(
  deps: CommandDeps,
  stages: readonly Stage[] = mainJobStages(),
): Promise<JobResult> {
  const result = await runMainJob(stages, {
    env: deps.env,
    registry: deps.registry,
    loadContext: modelLoadContext(deps.env),
    out: deps.stdout,
  });
  if (!result.ok && !isFinsentError(result.error)) {
    const hint =
      process.env.FINSENT_DEBUG === '1' && result.error instanceof Error
        ? `${result.error.stack}\n`
        : 'finsent: set FINSENT_DEBUG=1 to see the stack trace, and please report it.\n';
    deps.stderr.write(hint);
  }
  return result;
}

const EXAMPLES = `
The main job runs on embedded defaults: no services, no network. It evaluates vader-base on
the held-out test split of the project's own headline set (models/data/finsent-headlines.*.jsonl),
trains the financial vader on the train/validation splits, compares it with vader-base and the
current champion on the held-out split (bootstrap CI of Δmacro-F1, McNemar), registers it in the
local registry ($FINSENT_DATA_DIR/registry) and promotes it locally when config/promotion.yaml
allows, printing the verdict and why. Re-running registers and promotes nothing twice.

Examples:
  $ npm start
  $ npx finsent start
  $ FINSENT_DEBUG=1 npx finsent start     # stack traces for internal errors`;

export function registerStart(
  program: Command,
  overrides: Partial<CommandDeps> = {},
  stages?: () => readonly Stage[],
): void {
  program
    .command('start')
    .description('run the main job: every pipeline stage in order, with a readable report')
    .addHelpText('after', EXAMPLES)
    .action(
      action(async () => {
        process.exitCode = exitCodeOf(await runStart(defaultDeps(overrides), stages?.()));
      }),
    );
}
