import path from 'node:path';
import * as core from '@actions/core';
import { loadQualityConfig } from '../../config/quality';
import { describeError, InputError } from '../../lib/errors';
import { openDataDb } from '../../pipeline/collect/open';
import type { QualityReport } from '../../pipeline/validate/run';
import { runValidateStage } from '../../pipeline/validate/stage';

const DEFAULT_QUALITY = 'config/quality.yaml';
const DEFAULT_DATA_DIR = '.finsent';
const FAIL_ON = ['fail', 'warn', 'never'] as const;

interface Inputs {
  qualityPath: string;
  failOn: (typeof FAIL_ON)[number];
  databaseUrl?: string;
  dataDir: string;
  workspace: string;
}

/** Reads every input once; '' means "not given". Paths are relative to the workspace. */
function parseInputs(): Inputs {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const get = (name: string) => core.getInput(name).trim();
  const failOn = get('fail-on') || 'fail';
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new InputError(`input fail-on is "${failOn}"; use one of ${FAIL_ON.join(', ')}`);
  }
  return {
    qualityPath: path.resolve(workspace, get('quality-config') || DEFAULT_QUALITY),
    failOn: failOn as Inputs['failOn'],
    databaseUrl: get('database-url') || process.env.DATABASE_URL?.trim() || undefined,
    dataDir: path.resolve(workspace, get('data-dir') || DEFAULT_DATA_DIR),
    workspace,
  };
}

const ICON = { pass: '✅', warn: '⚠️', fail: '❌', skipped: '➖' } as const;

async function writeSummary(report: QualityReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const head = (cells: string[]) => cells.map((data) => ({ data, header: true }));
  const counts = Object.entries(report.counts).map(([source, c]) => [
    source,
    c.statuses.join(', '),
    String(c.fetched),
    String(c.newArticles),
    String(c.merged),
    String(c.quarantined),
  ]);
  const rules = report.rules.map((r) => [
    `${ICON[r.status]} ${r.status}`,
    `${r.rule}${r.source ? ` [${r.source}]` : ''}`,
    r.threshold ?? '',
    r.message,
  ]);
  await core.summary
    .addHeading(
      `finsent validate — ${ICON[report.verdict]} ${report.verdict.toUpperCase()} (report ${report.id})`,
      2,
    )
    .addRaw(report.summary, true)
    .addTable([head(['source', 'runs', 'items', 'new', 'merged', 'quarantined']), ...counts])
    .addTable([head(['status', 'rule', 'threshold', 'result']), ...rules])
    .write();
}

async function run(): Promise<void> {
  try {
    const inputs = parseInputs();
    const db = await openDataDb({
      databaseUrl: inputs.databaseUrl,
      dataDir: inputs.dataDir,
      migrationsDir: path.join(inputs.workspace, 'pipeline', 'store', 'migrations'),
    });
    let report: QualityReport;
    try {
      report = await runValidateStage(
        { db },
        { quality: loadQualityConfig(inputs.qualityPath), noThrow: true },
      );
    } finally {
      await db.close();
    }
    core.setOutput('report-id', String(report.id));
    core.setOutput('verdict', report.verdict);
    core.setOutput('rows-checked', String(report.rowsChecked));
    core.setOutput('rows-quarantined', String(report.rowsQuarantined));
    core.setOutput('summary', report.summary);
    await writeSummary(report);
    const failing =
      (inputs.failOn === 'fail' && report.verdict === 'fail') ||
      (inputs.failOn === 'warn' && report.verdict !== 'pass');
    if (failing) throw new Error(`data quality gate: ${report.summary}`);
  } catch (error) {
    core.setFailed(describeError(error));
  }
}

await run();
