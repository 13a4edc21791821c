import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../lib/errors';
import type { ComparisonResult } from '../compare/compare';
import { renderMarkdownReport } from '../compare/report';
import type { Runtime } from '../training/runtime';
import { loadEffectiveModelsConfig } from './effective-config';
import { promoteLocally } from './local';
import { openOrUpdatePromotionPr } from './pull-request';
import { planRollback } from './rollback';
import { recordPromotion } from './store';

/**
 * `finsent promote` and the promote action's open-pr/rollback modes: make a version the champion
 * (or roll back) by pull request in GitHub mode, or in the local config copy otherwise. A
 * comparison attached with `comparison` must allow the promotion unless `force` is set.
 */
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
export async function promote(
  o: PromoteOptions,
  rt: Pick<Runtime, 'env' | 'db' | 'registry' | 'github'>,
  log: (line: string) => void,
  options: { modelsConfigFile?: string } = {},
): Promise<PromoteOutcome> {
  const family = o.model;
  const current = loadEffectiveModelsConfig(
    rt.env.dataDir,
    ...(options.modelsConfigFile ? [options.modelsConfigFile] : []),
  ).config.families[family]?.champion;
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
    ...(options.modelsConfigFile ? { repoModelsFile: options.modelsConfigFile } : {}),
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
