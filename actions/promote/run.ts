import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { verifyMergedPromotion } from '../../models/promotion/merge';
import { type PromoteOutcome, promote } from '../../models/promotion/promote';
import type { Runtime } from '../../models/training/runtime';
import { openActionRuntime } from '../runtime';

const MODES = ['open-pr', 'merged', 'rollback'] as const;
type Mode = (typeof MODES)[number];
const CONFIG = 'config/models.yaml';

interface Inputs {
  mode: Mode;
  model: string | undefined;
  version: string | undefined;
  comparison: string | undefined;
  report: string | undefined;
  reason: string | undefined;
  force: boolean;
  before: string | undefined;
  base: string | undefined;
  deployHookUrl: string | undefined;
  token: string | undefined;
}

function parseInputs(): Inputs {
  const opt = (name: string) => core.getInput(name).trim() || undefined;
  const mode = core.getInput('mode', { required: true }).trim();
  if (!(MODES as readonly string[]).includes(mode))
    throw new Error(`input mode must be one of ${MODES.join(', ')}, got "${mode}"`);
  const inputs: Inputs = {
    mode: mode as Mode,
    model: opt('model'),
    version: opt('version'),
    comparison: opt('comparison'),
    report: opt('report'),
    reason: opt('reason'),
    force: core.getBooleanInput('force'),
    before: opt('before'),
    base: opt('base'),
    deployHookUrl: opt('deploy-hook-url'),
    token: opt('github-token'),
  };
  if (inputs.deployHookUrl) core.setSecret(inputs.deployHookUrl);
  if (inputs.mode !== 'merged' && !inputs.model)
    throw new Error(`input model is required in mode ${inputs.mode}`);
  if (inputs.mode === 'open-pr' && !inputs.version)
    throw new Error('input version is required in mode open-pr');
  return inputs;
}

export async function run(): Promise<void> {
  try {
    const inputs = parseInputs();
    const { workspace, rt } = await openActionRuntime(inputs.token);
    try {
      if (inputs.mode === 'merged') {
        const before = inputs.before ?? eventBefore();
        const beforeText =
          before && !/^0+$/.test(before) && rt.github ? await fileAt(rt.github, CONFIG, before) : undefined;
        const out = await verifyMergedPromotion({
          before: beforeText,
          after: readFileSync(path.join(workspace, CONFIG), 'utf8'),
          registry: rt.registry,
          commit: process.env.GITHUB_SHA ?? 'unknown',
          ...(rt.db ? { db: rt.db } : {}),
          ...(inputs.deployHookUrl ? { deployHookUrl: inputs.deployHookUrl } : {}),
        });
        const deployed = typeof out.deploy === 'object';
        core.setOutput('status', out.changes.length === 0 ? 'no-change' : 'verified');
        core.setOutput('changes', JSON.stringify(out.changes));
        core.setOutput('recorded', String(out.recorded));
        core.setOutput('deployed', String(deployed));
        const summary = core.summary.addHeading('Promotion merged', 2);
        if (out.changes.length === 0) summary.addRaw('No champion changed in config/models.yaml.\n');
        else {
          summary.addTable([
            [
              { data: 'family', header: true },
              { data: 'change', header: true },
              { data: 'kind', header: true },
              { data: 'verified', header: true },
            ],
            ...out.changes.map((c) => [c.family, `${c.from ?? 'none'} → ${c.to}`, c.kind, c.detail]),
          ]);
          summary.addRaw(
            `\nDeploy: ${deployed ? `started (${(out.deploy as { deployId: string | null }).deployId ?? 'no id'})` : out.deploy === 'not-configured' ? 'no RENDER_DEPLOY_HOOK_URL configured' : 'skipped'}. ` +
              `${rt.db ? `Recorded ${out.recorded} promotion(s).` : 'DATABASE_URL is not set: not recorded in the store.'}\n`,
          );
        }
        await summary.write();
        return;
      }
      const out: PromoteOutcome = await promote(
        {
          model: inputs.model!,
          ...(inputs.mode === 'rollback' ? { rollback: true } : {}),
          ...(inputs.version ? { to: inputs.version } : {}),
          ...(inputs.comparison ? { comparison: path.resolve(workspace, inputs.comparison) } : {}),
          ...(inputs.report ? { report: path.resolve(workspace, inputs.report) } : {}),
          ...(inputs.reason ? { reason: inputs.reason } : {}),
          ...(inputs.force ? { force: true } : {}),
          ...(inputs.base ? { base: inputs.base } : {}),
        },
        rt,
        (line) => core.info(line),
        { modelsConfigFile: path.join(workspace, CONFIG) },
      );
      core.setOutput('status', out.status);
      core.setOutput('from', out.from ?? '');
      core.setOutput('to', out.to);
      core.setOutput(
        'pr-number',
        out.pullRequest?.number !== undefined ? String(out.pullRequest.number) : '',
      );
      core.setOutput('pr-url', out.pullRequest?.url ?? '');
      await core.summary
        .addHeading(`${out.kind === 'rollback' ? 'Rollback' : 'Promotion'} of ${out.family}`, 2)
        .addRaw(
          `${out.from ?? 'none'} → **${out.to}** (${out.reason}): ${out.status}` +
            (out.pullRequest?.url
              ? ` — [pull request #${out.pullRequest.number}](${out.pullRequest.url})`
              : '') +
            '\n',
        )
        .write();
    } finally {
      await rt.close();
    }
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

/** `before` of a push event: the commit before the push. */
function eventBefore(): string | undefined {
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file || !existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { before?: string }).before;
}

async function fileAt(
  github: NonNullable<Runtime['github']>,
  file: string,
  ref: string,
): Promise<string | undefined> {
  const [owner, repo] = github.repository.split('/') as [string, string];
  try {
    const res = await github.octokit.rest.repos.getContent({ owner, repo, path: file, ref });
    return Buffer.from((res.data as { content: string }).content, 'base64').toString('utf8');
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}
