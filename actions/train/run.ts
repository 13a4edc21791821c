import path from 'node:path';
import * as core from '@actions/core';
import { loadPromotionConfig } from '../../config/promotion';
import { loadTrainingConfig } from '../../config/training';
import { runCompareStage } from '../../models/compare/stage';
import { CHANGE_KINDS, type ChangeKind } from '../../models/registry/semver';
import { runRegisterStage } from '../../models/registry/stage';
import { type Runtime, stageContext } from '../../models/training/runtime';
import { runTrainStage } from '../../models/training/stage';
import { openActionRuntime } from '../runtime';

/** Inputs, parsed once; '' means "not given". */
interface Inputs {
  model: string;
  data: string | undefined;
  seed: number | undefined;
  params: Record<string, unknown>;
  change: ChangeKind | undefined;
  compare: boolean;
  register: boolean;
  token: string | undefined;
}

function parseInputs(): Inputs {
  const opt = (name: string) => core.getInput(name).trim() || undefined;
  const seed = opt('seed');
  if (seed !== undefined && !/^-?\d+$/.test(seed))
    throw new Error(`input seed must be an integer, got "${seed}"`);
  const change = opt('change');
  if (change !== undefined && !(CHANGE_KINDS as readonly string[]).includes(change)) {
    throw new Error(`input change must be one of ${CHANGE_KINDS.join(', ')}, got "${change}"`);
  }
  let params: Record<string, unknown> = {};
  const raw = opt('params');
  if (raw) {
    try {
      params = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new Error(`input params must be a JSON object, e.g. {"minCount":3}; got ${raw}`);
    }
  }
  return {
    model: core.getInput('model', { required: true }).trim(),
    data: opt('data'),
    seed: seed === undefined ? undefined : Number(seed),
    params,
    change: change as ChangeKind | undefined,
    compare: core.getBooleanInput('compare'),
    register: core.getBooleanInput('register'),
    token: opt('github-token'),
  };
}

/** Test seam: trainers and families; the shipped entry uses the registered ones. */
export interface Deps {
  trainers?: Runtime['trainers'];
  families?: Runtime['families'];
}

export async function run(deps: Deps = {}): Promise<void> {
  try {
    const inputs = parseInputs();
    const { workspace, env, rt } = await openActionRuntime(inputs.token, {
      ...(deps.trainers ? { trainers: deps.trainers } : {}),
      ...(deps.families ? { families: deps.families } : {}),
    });
    try {
      const ctx = stageContext(rt, (line) => core.info(line), {
        trigger: process.env.GITHUB_EVENT_NAME ?? 'workflow',
        repoRoot: workspace,
        trainingConfig: loadTrainingConfig(path.join(workspace, 'config', 'training.yaml')),
        promotionConfig: loadPromotionConfig(path.join(workspace, 'config', 'promotion.yaml')),
        modelsConfigFile: path.join(workspace, 'config', 'models.yaml'),
      });
      const trained = await runTrainStage(ctx, {
        family: inputs.model,
        ...(inputs.data ? { data: inputs.data } : {}),
        ...(inputs.seed !== undefined ? { seed: inputs.seed } : {}),
        params: inputs.params,
        ...(inputs.change ? { change: inputs.change } : {}),
      });
      const compared = inputs.compare ? await runCompareStage(ctx, trained, { baselines: [] }) : undefined;
      const registered = inputs.register ? await runRegisterStage(ctx, trained, compared) : undefined;
      const c = trained.candidate;
      const decisive = compared?.decisive ?? compared?.comparisons[0];
      core.setOutput('run-id', c.runId);
      core.setOutput('version', trained.plan.version);
      core.setOutput('tag', registered?.tag ?? '');
      core.setOutput('created', String(registered?.created ?? false));
      core.setOutput('macro-f1', decisive ? decisive.result.b.macroF1.toFixed(4) : '');
      core.setOutput('macro-f1-lower', decisive ? decisive.result.bootstrap.macroF1B.lower.toFixed(4) : '');
      core.setOutput('macro-f1-upper', decisive ? decisive.result.bootstrap.macroF1B.upper.toFixed(4) : '');
      core.setOutput('verdict', compared?.decisive?.result.verdict.verdict ?? '');
      core.setOutput('promote', String(compared?.decisive?.result.verdict.promote ?? false));

      const summary = core.summary.addHeading(`Trained ${c.family}@${trained.plan.version}`, 2).addTable([
        [
          { data: 'run', header: true },
          { data: 'data', header: true },
          { data: 'seed', header: true },
          { data: 'time', header: true },
          { data: 'validation', header: true },
          { data: 'release', header: true },
        ],
        [
          c.runId,
          `${c.data.name} (${c.data.train.rows.length} / ${c.data.validation.rows.length} / ${c.data.test.rows.length})`,
          String(c.seed),
          `${(c.durationMs / 1000).toFixed(1)} s`,
          Object.entries(c.result.validation)
            .map(([k, v]) => `${k} ${v.toFixed(3)}`)
            .join(', ') || '—',
          registered
            ? `${registered.tag}${registered.created ? '' : ' (already registered)'}`
            : 'not registered',
        ],
      ]);
      if (!env.databaseUrl)
        summary.addRaw('\n_DATABASE_URL is not set: the run was not recorded in the store._\n');
      for (const cmp of compared?.comparisons ?? []) summary.addRaw(`\n${cmp.report}\n`);
      await summary.write();
    } finally {
      await rt.close();
    }
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
