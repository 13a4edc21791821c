import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { MODELS_CONFIG_PATH } from '../../config/models';
import { readEnv } from '../../lib/env';
import { InputError } from '../../lib/errors';
import { REPO_ROOT } from '../../lib/paths';
import type { ComparisonResult } from '../../models/compare/compare';
import { renderMarkdownReport } from '../../models/compare/report';
import { loadEffectiveModelsConfig } from '../../models/promotion/effective-config';
import { promoteLocally } from '../../models/promotion/local';
import { type MergeResult, verifyMergedPromotion } from '../../models/promotion/merge';
import { openOrUpdatePromotionPr } from '../../models/promotion/pull-request';
import { planRollback } from '../../models/promotion/rollback';
import { listPromotions, recordPromotion } from '../../models/promotion/store';
import { codeCommit } from '../../models/training/commit';
import { openRuntime, type Runtime } from '../../models/training/runtime';
import { action } from '../cli/run';

export interface PromoteOptions {
  model: string;
  to?: string;
  rollback?: boolean;
  report?: string;
  comparison?: string;
  reason?: string;
  force?: boolean;
  local?: boolean;
  base?: string;
  json?: boolean;
}

export interface PromoteOutcome {
  family: string;
  from: string | undefined;
  to: string;
  kind: 'promote' | 'rollback';
  mode: 'local' | 'pull-request';
  status: string;
  pullRequest?: { number?: number; url?: string };
  reason: string;
}

function readComparison(file: string): ComparisonResult {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ComparisonResult;
  } catch (error) {
    throw new InputError(
      `--comparison ${file}: ${(error as Error).message}; pass the comparison.json written by "finsent compare --out"`,
      {
        input: file,
      },
    );
  }
}

/** Promotes (or rolls back) one family: a pull request in GitHub mode, the local config otherwise. */
export async function runPromote(
  o: PromoteOptions,
  rt: Runtime,
  log: (line: string) => void,
): Promise<PromoteOutcome> {
  const family = o.model;
  const current = loadEffectiveModelsConfig(rt.env.dataDir).config.families[family]?.champion;
  if (current === undefined) {
    throw new InputError(`config/models.yaml has no family "${family}"`, { input: family });
  }
  let to: string;
  let report: string;
  let verdict: string | undefined;
  let reason: string;
  const kind = o.rollback ? 'rollback' : 'promote';
  if (o.rollback) {
    const plan = await planRollback({
      family,
      current,
      registry: rt.registry,
      ...(o.to ? { to: o.to } : {}),
      ...(rt.db ? { db: rt.db } : {}),
    });
    to = plan.to;
    reason = `rollback to ${to}: ${plan.reason}${o.reason ? `; ${o.reason}` : ''}`;
    report = `### Why\n\n${reason}\n`;
  } else {
    if (!o.to) throw new InputError('--to <version> is required (or --rollback)');
    to = o.to;
    if (to !== 'builtin' && !(await rt.registry.exists(family, to))) {
      throw new InputError(
        `${family}@${to} is not in the ${rt.registry.kind} registry (${rt.registry.location}); register it first`,
        {
          input: `${family}@${to}`,
        },
      );
    }
    if (o.comparison) {
      const cmp = readComparison(path.resolve(o.comparison));
      if (cmp.b?.family !== family || cmp.b?.version !== to) {
        throw new InputError(`--comparison is about ${cmp.b?.id}, not ${family}@${to}`, {
          input: o.comparison,
        });
      }
      verdict = cmp.verdict.verdict;
      if (!cmp.verdict.promote && !o.force) {
        throw new InputError(
          `the comparison's verdict (${verdict}) does not allow promotion: ${cmp.verdict.reasons.join('; ')}. Pass --force to promote anyway`,
          { input: o.comparison },
        );
      }
      report = o.report ? readFileSync(path.resolve(o.report), 'utf8') : renderMarkdownReport(cmp);
      reason = `verdict ${verdict}${!cmp.verdict.promote ? ' (forced)' : ''}`;
    } else {
      report = o.report
        ? readFileSync(path.resolve(o.report), 'utf8')
        : '_Manual promotion: no comparison was attached._\n';
      reason = 'manual promotion';
    }
  }
  if (rt.github && !o.local) {
    const pr = await openOrUpdatePromotionPr(
      { family, version: to, kind, report, ...(verdict ? { verdict } : {}) },
      { octokit: rt.github.octokit, repository: rt.github.repository, ...(o.base ? { base: o.base } : {}) },
    );
    if (rt.db && pr.number !== undefined) {
      await recordPromotion(rt.db, {
        family,
        fromVersion: pr.previous ?? null,
        toVersion: to,
        kind,
        mode: 'pull-request',
        status: 'proposed',
        verdict: verdict ?? null,
        prNumber: pr.number,
        prUrl: pr.url ?? null,
        eventKey: `pr:${pr.number}:${family}@${to}`,
        reasons: [reason],
      });
    }
    log(
      pr.status === 'unchanged'
        ? `${family} is already at ${to} on ${pr.base}; no pull request needed`
        : `${pr.status === 'created' ? 'opened' : 'updated'} pull request #${pr.number}: ${pr.url}`,
    );
    return {
      family,
      from: pr.previous,
      to,
      kind,
      mode: 'pull-request',
      status: pr.status,
      pullRequest: { ...(pr.number ? { number: pr.number } : {}), ...(pr.url ? { url: pr.url } : {}) },
      reason,
    };
  }
  const local = await promoteLocally({
    family,
    version: to,
    dataDir: rt.env.dataDir,
    registry: rt.registry,
    kind,
    verdict: verdict ?? null,
    reasons: [reason],
    ...(rt.db ? { db: rt.db } : {}),
  });
  log(
    local.changed
      ? `${kind === 'rollback' ? 'rolled back' : 'promoted'} ${family} ${local.previous ?? 'none'} → ${to} locally (${local.file})`
      : `${family} is already at ${to}`,
  );
  return {
    family,
    from: local.previous,
    to,
    kind,
    mode: 'local',
    status: local.changed ? 'applied' : 'unchanged',
    reason,
  };
}

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
  const promote = program
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
          const out = await runPromote(o, rt, o.json ? () => {} : print);
          if (o.json) print(JSON.stringify(out));
        } finally {
          await rt.close();
        }
      }),
    );

  promote
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

  promote
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

/** The commands of the train/compare/registry/promote area, for scripts/commands/index.ts. */
export async function mlopsCommands(): Promise<((program: Command) => void)[]> {
  const [
    { registerTrainCommand },
    { registerCompareCommand },
    { registerRegistryCommand },
    { registerConfigCommand },
  ] = await Promise.all([import('./train'), import('./compare'), import('./registry'), import('./config')]);
  return [
    registerTrainCommand,
    registerCompareCommand,
    registerRegistryCommand,
    registerPromoteCommand,
    registerConfigCommand,
  ];
}
