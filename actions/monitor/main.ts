import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { loadDriftConfig, parseDuration } from '../../config/drift';
import { loadModelsConfig } from '../../config/models';
import { readEnv } from '../../lib/env';
import { InputError } from '../../lib/errors';
import { SEVERITY_RANK, type Severity, worst } from '../../pipeline/monitor/drift';
import { createOctokit, parseRepository } from '../../pipeline/monitor/github';
import { formatMarkdown } from '../../pipeline/monitor/report';
import { openMonitorStore, runMonitorStage } from '../../pipeline/monitor/stage';

const DEFAULT_CONFIG = 'config/drift.yaml';
const FAIL_LEVELS = ['never', 'warn', 'alert'] as const;

export interface Inputs {
  windowMs?: number;
  until?: Date;
  models: string[];
  config: string;
  databaseUrl?: string;
  githubToken?: string;
  alerts: boolean;
  failOn: (typeof FAIL_LEVELS)[number];
}

/** Reads every input once; '' means "not given". */
export function parseInputs(get: (name: string) => string = (n) => core.getInput(n)): Inputs {
  const opt = (name: string) => {
    const v = get(name).trim();
    return v === '' ? undefined : v;
  };
  const window = opt('window');
  const until = opt('until');
  const untilDate = until ? new Date(until) : undefined;
  if (untilDate && Number.isNaN(untilDate.getTime()))
    throw new InputError(`input until "${until}" is not an ISO 8601 date`);
  const alerts = (opt('alerts') ?? 'true').toLowerCase();
  if (alerts !== 'true' && alerts !== 'false')
    throw new InputError(`input alerts must be true or false (got "${alerts}")`);
  const failOn = (opt('fail-on') ?? 'never') as Inputs['failOn'];
  if (!FAIL_LEVELS.includes(failOn))
    throw new InputError(`input fail-on must be one of ${FAIL_LEVELS.join(', ')} (got "${failOn}")`);
  const databaseUrl = opt('database-url');
  const githubToken = opt('github-token');
  return {
    ...(window ? { windowMs: parseDuration(window) } : {}),
    ...(untilDate ? { until: untilDate } : {}),
    models: (opt('models') ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean),
    config: opt('config') ?? DEFAULT_CONFIG,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(githubToken ? { githubToken } : {}),
    alerts: alerts === 'true',
    failOn,
  };
}

export async function run(): Promise<void> {
  try {
    const inputs = parseInputs();
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const config = loadDriftConfig(path.resolve(workspace, inputs.config));
    const env = { ...readEnv(), ...(inputs.databaseUrl ? { databaseUrl: inputs.databaseUrl } : {}) };
    if (inputs.databaseUrl) core.setSecret(inputs.databaseUrl);
    if (!env.databaseUrl)
      core.warning('no database-url or DATABASE_URL: monitoring an empty embedded store (dry run)');
    const repository = process.env.GITHUB_REPOSITORY;
    const github =
      inputs.githubToken && repository
        ? {
            client: createOctokit({ token: inputs.githubToken }),
            ...parseRepository(repository),
            ...(process.env.GITHUB_SERVER_URL ? { serverUrl: process.env.GITHUB_SERVER_URL } : {}),
          }
        : null;
    const runUrl =
      repository && process.env.GITHUB_RUN_ID
        ? `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${repository}/actions/runs/${process.env.GITHUB_RUN_ID}`
        : undefined;
    // The bundle lives in actions/monitor/dist: read migrations and models.yaml from the checkout.
    const db = await openMonitorStore(env, {
      migrationsDir: path.join(workspace, 'pipeline/store/migrations'),
    });
    const modelsConfig = loadModelsConfig(path.join(workspace, 'config/models.yaml'));
    let result: Awaited<ReturnType<typeof runMonitorStage>>;
    try {
      result = await runMonitorStage({
        db,
        env,
        config,
        modelsConfig,
        github,
        alerts: inputs.alerts,
        ...(inputs.models.length > 0 ? { models: inputs.models } : {}),
        ...(inputs.windowMs ? { windowMs: inputs.windowMs } : {}),
        ...(inputs.until ? { until: inputs.until } : {}),
        ...(runUrl ? { runUrl } : {}),
      });
    } finally {
      await db.close();
    }
    const { report, incidents } = result;
    const reportPath = path.join(process.env.RUNNER_TEMP ?? workspace, 'finsent-monitor-report.json');
    writeFileSync(reportPath, JSON.stringify({ ...report, incidents }, null, 2));
    core.setOutput('status', report.status);
    core.setOutput('drift-status', worst(report.models.map((m) => m.drift.status)));
    core.setOutput('performance-status', worst(report.models.map((m) => m.performance.status)));
    core.setOutput('incidents', JSON.stringify(incidents));
    core.setOutput('retrain-requested', String(incidents.some((i) => i.retrain === 'requested')));
    core.setOutput('report', reportPath);
    await core.summary.addRaw(formatMarkdown(report, incidents), true).write();
    const failedDispatch = incidents.find((i) => i.retrain === 'failed');
    if (failedDispatch) throw new Error(`retraining could not be requested: ${failedDispatch.retrainDetail}`);
    if (
      inputs.failOn !== 'never' &&
      SEVERITY_RANK[report.status] >= SEVERITY_RANK[inputs.failOn as Severity]
    ) {
      throw new Error(
        `monitoring status is ${report.status} (fail-on: ${inputs.failOn}); see the job summary`,
      );
    }
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
