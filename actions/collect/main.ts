import path from 'node:path';
import * as core from '@actions/core';
import { loadQualityConfig } from '../../config/quality';
import { loadSourcesConfig } from '../../config/sources';
import { describeError, InputError } from '../../lib/errors';
import { openDataDb } from '../../pipeline/collect/open';
import type { CollectResult } from '../../pipeline/collect/run';
import { parseSince } from '../../pipeline/collect/since';
import { runCollectStage } from '../../pipeline/collect/stage';

const DEFAULT_CONFIG = 'config/sources.yaml';
const DEFAULT_QUALITY = 'config/quality.yaml';
const DEFAULT_DATA_DIR = '.finsent';
const FAIL_ON = ['all', 'any', 'never'] as const;

interface Inputs {
  sources: string[];
  since?: Date;
  configPath: string;
  qualityPath: string;
  samplePath?: string;
  failOn: (typeof FAIL_ON)[number];
  databaseUrl?: string;
  dataDir: string;
  workspace: string;
}

/** Reads every input once; '' means "not given". Paths are relative to the workspace. */
function parseInputs(): Inputs {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const get = (name: string) => core.getInput(name).trim();
  const at = (p: string) => path.resolve(workspace, p);
  const failOn = get('fail-on') || 'all';
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new InputError(`input fail-on is "${failOn}"; use one of ${FAIL_ON.join(', ')}`);
  }
  return {
    sources: get('sources')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    since: get('since') ? parseSince(get('since')) : undefined,
    configPath: at(get('config') || DEFAULT_CONFIG),
    qualityPath: at(get('quality-config') || DEFAULT_QUALITY),
    samplePath: get('sample-path') ? at(get('sample-path')) : undefined,
    failOn: failOn as Inputs['failOn'],
    databaseUrl: get('database-url') || process.env.DATABASE_URL?.trim() || undefined,
    dataDir: at(get('data-dir') || DEFAULT_DATA_DIR),
    workspace,
  };
}

async function writeSummary(result: CollectResult): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const rows = result.sources.map((s) => [
    s.source,
    s.status,
    String(s.fetched),
    String(s.newArticles),
    String(s.merged),
    String(s.unchanged),
    String(s.quarantined),
    s.watermarkAfter?.toISOString() ?? '–',
  ]);
  const header = ['source', 'status', 'items', 'new', 'merged', 'unchanged', 'quarantined', 'watermark'].map(
    (data) => ({ data, header: true }),
  );
  const problems = result.sources.filter((s) => s.error).map((s) => `<b>${s.source}</b>: ${s.error}`);
  const summary = core.summary
    .addHeading(`finsent collect — run ${result.runId}: ${result.status}`, 2)
    .addTable([header, ...rows]);
  if (problems.length) summary.addList(problems);
  await summary.write();
}

async function run(): Promise<void> {
  try {
    const inputs = parseInputs();
    const db = await openDataDb({
      databaseUrl: inputs.databaseUrl,
      dataDir: inputs.dataDir,
      migrationsDir: path.join(inputs.workspace, 'pipeline', 'store', 'migrations'),
    });
    let result: CollectResult;
    try {
      result = await runCollectStage(
        { db, env: process.env },
        {
          sources: inputs.sources,
          since: inputs.since,
          sourcesConfig: loadSourcesConfig(inputs.configPath),
          quality: loadQualityConfig(inputs.qualityPath),
          samplePath: inputs.samplePath,
          baseDir: inputs.workspace,
          trigger: 'action',
          failOn: 'never',
          hooks: {
            onSourceEnd: (r) => core.info(`${r.source}: ${r.status}${r.error ? ` — ${r.error}` : ''}`),
          },
        },
      );
    } finally {
      await db.close();
    }
    const sum = (k: 'newArticles' | 'merged' | 'quarantined') => result.sources.reduce((n, s) => n + s[k], 0);
    const failed = result.sources.filter((s) => ['failed', 'rate_limited', 'partial'].includes(s.status));
    core.setOutput('run-id', String(result.runId));
    core.setOutput('status', result.status);
    core.setOutput('new-articles', String(sum('newArticles')));
    core.setOutput('merged', String(sum('merged')));
    core.setOutput('quarantined', String(sum('quarantined')));
    core.setOutput('failed-sources', failed.map((s) => s.source).join(','));
    await writeSummary(result);
    if (
      (inputs.failOn === 'all' && result.status === 'failed') ||
      (inputs.failOn === 'any' && result.status !== 'succeeded')
    ) {
      throw new Error(
        `collection run ${result.runId} ${result.status}: ${failed.map((s) => `${s.source}: ${s.error}`).join(' | ')}`,
      );
    }
  } catch (error) {
    core.setFailed(describeError(error));
  }
}

await run();
