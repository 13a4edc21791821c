import type { Command } from 'commander';
import { serveDashboard } from '../../dashboard/serve';
import { isFinsentError } from '../../lib/errors';
import { type JobResult, mainJobStages, runMainJob, type Stage } from '../../pipeline/main-job';
import { startProductionServer } from '../../serving/wire';
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

/**
 * After the job: the API (the same wiring as `finsent serve`) and the dashboard, whose /api is
 * proxied to it, until Ctrl-C or SIGTERM. The job's store is closed by then (PGlite allows one
 * process, and one open handle, at a time).
 */
export async function serveAfterJob(deps: CommandDeps): Promise<void> {
  const out = deps.stdout;
  out.write(
    '\nserving (Ctrl-C to stop; `finsent start --no-serve` or FINSENT_NO_SERVE=1 runs the job only)\n',
  );
  const server = await startProductionServer(deps.env, {
    print: (line) => {
      out.write(`${line}\n`);
    },
  });
  let dashboard: Awaited<ReturnType<typeof serveDashboard>> | undefined;
  try {
    const port = process.env.FINSENT_DASHBOARD_PORT;
    dashboard = await serveDashboard(
      { out },
      { apiUrl: server.url, ...(port && /^\d+$/.test(port) ? { port: Number(port) } : {}) },
    );
  } catch (error) {
    await server.close('the dashboard failed to start');
    await server.closed;
    throw error;
  }
  await server.closed;
  await dashboard.close();
  out.write('finsent: stopped\n');
}

const EXAMPLES = `
The main job runs on embedded defaults: no services, no network. It evaluates vader-base on
the held-out test split of the project's own headline set (models/data/finsent-headlines.*.jsonl),
trains the financial vader on the train/validation splits, compares it with vader-base and the
current champion on the held-out split (bootstrap CI of Δmacro-F1, McNemar), registers it in the
local registry ($FINSENT_DATA_DIR/registry) and promotes it locally when config/promotion.yaml
allows, printing the verdict and why. Before that it collects the bundled sample headlines into
the embedded store, validates and featurizes them; after it, it monitors drift and exports the
dashboard's data. Re-running registers and promotes nothing twice. Then it serves the API ($PORT,
else 3000) and the dashboard (FINSENT_DASHBOARD_PORT, else a free port) until Ctrl-C.

Examples:
  $ npm start
  $ npx finsent start
  $ npx finsent start --no-serve          # run the job and exit (CI); or FINSENT_NO_SERVE=1
  $ FINSENT_DEBUG=1 npx finsent start     # stack traces for internal errors`;

export function registerStart(
  program: Command,
  overrides: Partial<CommandDeps> = {},
  stages?: () => readonly Stage[],
): void {
  program
    .command('start')
    .description('run the main job: every pipeline stage in order, with a readable report')
    .option('--no-serve', 'run the job and exit instead of serving the API and the dashboard')
    .addHelpText('after', EXAMPLES)
    .action(
      action(async (flags: { serve: boolean }) => {
        const deps = defaultDeps(overrides);
        const code = exitCodeOf(await runStart(deps, stages?.()));
        process.exitCode = code;
        if (code !== 0 || !flags.serve || process.env.FINSENT_NO_SERVE === '1') return;
        await serveAfterJob(deps);
      }),
    );
}
