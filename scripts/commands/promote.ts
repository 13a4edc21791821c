import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MODELS_CONFIG_PATH } from '../../config/models';
import { readEnv } from '../../lib/env';
import { InputError } from '../../lib/errors';
import { REPO_ROOT } from '../../lib/paths';
import { type MergeResult, verifyMergedPromotion } from '../../models/promotion/merge';
import { type PromoteOptions, promote } from '../../models/promotion/promote';
import { listPromotions } from '../../models/promotion/store';
import { codeCommit } from '../../models/training/commit';
import { openRuntime, type Runtime } from '../../models/training/runtime';
import { action } from '../cli/run';

/** The merge check: config/models.yaml at `before` vs now; verify releases, record, deploy. */
export async function runMerged(o: { before?: string; commit?: string }, rt: Runtime): Promise<MergeResult> {
  const before = gitShow(o.before ?? 'HEAD~1', 'config/models.yaml');
  return verifyMergedPromotion({
    before,
    after: readFileSync(MODELS_CONFIG_PATH, 'utf8'),
    registry: rt.registry,
    commit: o.commit ?? codeCommit(),
    ...(rt.db ? { db: rt.db } : {}),
    ...(process.env.RENDER_DEPLOY_HOOK_URL ? { deployHookUrl: process.env.RENDER_DEPLOY_HOOK_URL } : {}),
  });
}

function gitShow(ref: string, file: string): string | undefined {
  if (/^0+$/.test(ref)) return undefined; // a new branch: GitHub's "before" is all zeros
  try {
    return execFileSync('git', ['show', `${ref}:${file}`], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
  } catch {
    return undefined;
  }
}

export function registerPromoteCommand(program: Command): void {
  const print = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };
  const promoteCmd = program
    .command('promote')
    .description(
      'make a version the champion: a pull request editing config/models.yaml (GITHUB_TOKEN set), else locally in $FINSENT_DATA_DIR/config',
    )
    .option('--model <family>', 'the family, e.g. vader')
    .option('--to <version>', 'the version to promote (with --rollback: the version to go back to)')
    .option('--rollback', 'go back to the previous champion (or --to)')
    .option(
      '--comparison <file>',
      'comparison.json from "finsent compare --out": its verdict must allow promotion',
    )
    .option('--report <file>', 'Markdown for the pull request body')
    .option('--reason <text>', 'why (rollbacks)')
    .option('--force', 'promote although the comparison does not allow it')
    .option('--local', 'promote locally even when GITHUB_TOKEN is set')
    .option('--base <branch>', 'base branch of the pull request (default: the repository default)')
    .option('--json', 'JSON output')
    .action(
      action(async (o: PromoteOptions) => {
        if (!o.model) throw new InputError('--model <family> is required');
        const rt = await openRuntime(
          readEnv(),
          process.env.GITHUB_API_URL ? { apiUrl: process.env.GITHUB_API_URL } : {},
        );
        try {
          const out = await promote(o, rt, o.json ? () => {} : print);
          if (o.json) print(JSON.stringify(out));
        } finally {
          await rt.close();
        }
      }),
    );

  promoteCmd
    .command('merged')
    .description(
      'after a promotion PR is merged: verify the releases against their manifests, record, call RENDER_DEPLOY_HOOK_URL',
    )
    .option('--before <ref>', 'the commit before the push (default HEAD~1)')
    .option('--commit <sha>', 'the merge commit (default HEAD)')
    .action(
      action(async (o: { before?: string; commit?: string }) => {
        const rt = await openRuntime(
          readEnv(),
          process.env.GITHUB_API_URL ? { apiUrl: process.env.GITHUB_API_URL } : {},
        );
        try {
          const out = await runMerged(o, rt);
          if (out.changes.length === 0) print('no champion changed');
          for (const c of out.changes)
            print(`${c.kind} ${c.family}: ${c.from ?? 'none'} → ${c.to} — ${c.detail}`);
          print(
            `recorded ${out.recorded}; deploy: ${typeof out.deploy === 'object' ? `started ${out.deploy.deployId ?? ''}` : out.deploy}`,
          );
        } finally {
          await rt.close();
        }
      }),
    );

  promoteCmd
    .command('history')
    .description('the promotions audit trail')
    .option('--model <family>', 'only this family')
    .option('--json', 'JSON output')
    .action(
      action(async (o: { model?: string; json?: boolean }) => {
        const rt = await openRuntime(readEnv(), { local: true });
        try {
          const rows = await listPromotions(rt.db!, o.model);
          if (o.json) return print(JSON.stringify(rows));
          if (rows.length === 0) return print('no promotions recorded');
          for (const r of rows) {
            print(
              `${r.created_at}  ${r.family}  ${r.from_version ?? 'none'} → ${r.to_version}  ${r.kind} ${r.mode} ${r.status}${r.pr_url ? `  ${r.pr_url}` : ''}`,
            );
          }
        } finally {
          await rt.close();
        }
      }),
    );
}
