import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { parseModelsConfig } from '../../config/models';
import { loadPromotionConfig, policyFor, VERDICTS } from '../../config/promotion';
import { loadTrainingConfig } from '../../config/training';
import { renderComparisonSvg } from '../../models/compare/chart';
import { type ComparisonResult, compareModels } from '../../models/compare/compare';
import { REPORT_MARKER, renderMarkdownReport } from '../../models/compare/report';
import { recordComparison } from '../../models/compare/store';
import { type LoadContext, parseModelId } from '../../models/families';
import { championChanges } from '../../models/promotion/config-edit';
import { isSemver } from '../../models/registry/semver';
import { loadLabelledSet, loadTrainingData } from '../../models/training/data';
import type { Runtime } from '../../models/training/runtime';
import { openActionRuntime } from '../runtime';

const DEFAULT_DATA = 'finsent-headlines';
const CONFIG = 'config/models.yaml';

interface Inputs {
  baseline: string | undefined;
  candidate: string | undefined;
  data: string;
  comment: boolean;
  failOn: string[];
  latencySamples: number;
  outDir: string;
  token: string | undefined;
}

function parseInputs(): Inputs {
  const opt = (name: string) => core.getInput(name).trim() || undefined;
  const failOn = (opt('fail-on') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const v of failOn) {
    if (!(VERDICTS as readonly string[]).includes(v))
      throw new Error(`input fail-on: "${v}" is not a verdict (${VERDICTS.join(', ')})`);
  }
  const samples = Number(opt('latency-samples') ?? '200');
  if (!Number.isInteger(samples) || samples < 0)
    throw new Error('input latency-samples must be a whole number ≥ 0');
  return {
    baseline: opt('baseline'),
    candidate: opt('candidate'),
    data: opt('data') ?? DEFAULT_DATA,
    comment: core.getBooleanInput('comment'),
    failOn,
    latencySamples: samples,
    outDir: opt('out-dir') ?? 'finsent-comparison',
    token: opt('github-token'),
  };
}

interface Pair {
  family: string;
  /** Model ids and the champion each side resolves a bare family to. */
  a: { id: string; champion: string | undefined };
  b: { id: string; champion: string | undefined };
}

/** `vader` + `1.2.0` → `vader@1.2.0`; a built-in champion stays the bare family. */
function idFor(family: string, version: string | undefined): string {
  return version && isSemver(version) ? `${family}@${version}` : family;
}

export interface Deps {
  families?: Runtime['families'];
}

export async function run(deps: Deps = {}): Promise<void> {
  try {
    const inputs = parseInputs();
    const { workspace, env, rt } = await openActionRuntime(
      inputs.token,
      deps.families ? { families: deps.families } : {},
    );
    try {
      const headText = readFileSync(path.join(workspace, CONFIG), 'utf8');
      const head = parseModelsConfig(headText);
      const event = readEvent();
      const prNumber = event?.pull_request?.number;
      let pairs: Pair[];
      if (inputs.candidate) {
        const family = parseModelId(inputs.candidate).family;
        const champion = head.families[family]?.champion;
        pairs = [
          {
            family,
            a: { id: inputs.baseline ?? family, champion },
            b: { id: inputs.candidate, champion },
          },
        ];
      } else {
        // A pull request: compare every family whose champion it changes, base against head.
        const baseSha = event?.pull_request?.base?.sha;
        const baseText = baseSha && rt.github ? await fileAt(rt, CONFIG, baseSha) : undefined;
        const base = baseText ? parseModelsConfig(baseText, `${CONFIG}@${baseSha}`) : undefined;
        pairs = championChanges(base, head).map((c) => ({
          family: c.family,
          a: { id: idFor(c.family, c.from), champion: c.from },
          b: { id: idFor(c.family, c.to), champion: c.to },
        }));
      }
      core.setOutput('comparisons', '[]');
      if (pairs.length === 0) {
        core.info('no champion changes in config/models.yaml and no candidate given: nothing to compare');
        core.setOutput('verdict', '');
        core.setOutput('promote', 'false');
        await core.summary
          .addRaw('finsent: this change does not touch any champion; nothing to compare.\n')
          .write();
        return;
      }
      const trainingConfig = loadTrainingConfig(path.join(workspace, 'config', 'training.yaml'));
      const promotion = loadPromotionConfig(path.join(workspace, 'config', 'promotion.yaml'));
      const testSet = trainingConfig.datasets[inputs.data]
        ? await (async () => {
            const d = await loadTrainingData({ data: inputs.data }, trainingConfig, {
              dataDir: env.dataDir,
              root: workspace,
            });
            return { name: d.test.source, fingerprint: d.test.fingerprint, examples: d.test.rows };
          })()
        : await (async () => {
            const s = await loadLabelledSet(path.resolve(workspace, inputs.data));
            return { name: inputs.data, fingerprint: s.fingerprint, examples: s.rows };
          })();

      const results: ComparisonResult[] = [];
      const reports: string[] = [];
      for (const p of pairs) {
        const ctx = (champion: string | undefined): LoadContext => ({
          env,
          artifacts: rt.registry,
          championOf: (f) => (f === p.family ? champion : head.families[f]?.champion),
        });
        const a = await rt.families.load(p.a.id, ctx(p.a.champion));
        const b = await rt.families.load(p.b.id, ctx(p.b.champion));
        try {
          const result = await compareModels(a, b, testSet, policyFor(promotion, p.family), {
            latencySamples: inputs.latencySamples,
          });
          if (rt.db) await recordComparison(rt.db, result);
          const dir = path.resolve(workspace, inputs.outDir, p.family);
          mkdirSync(dir, { recursive: true });
          const report = renderMarkdownReport(result, {
            chartUrl: `the ${inputs.outDir} artifact (${p.family}/comparison.svg)`,
          });
          writeFileSync(path.join(dir, 'report.md'), report);
          writeFileSync(path.join(dir, 'comparison.json'), `${JSON.stringify(result, null, 2)}\n`);
          writeFileSync(path.join(dir, 'comparison.svg'), renderComparisonSvg(result));
          results.push(result);
          reports.push(report);
          core.info(`${result.b.id} vs ${result.a.id}: ${result.verdict.verdict}`);
        } finally {
          await a.close?.();
          await b.close?.();
        }
      }
      // The outputs describe the weakest comparison: the one a gate should look at.
      const rank = (v: string) => ['inferior', 'inconclusive', 'non-inferior', 'superior'].indexOf(v);
      const worst = [...results].sort((x, y) => rank(x.verdict.verdict) - rank(y.verdict.verdict))[0]!;
      const d = worst.bootstrap.deltaMacroF1;
      core.setOutput('verdict', worst.verdict.verdict);
      core.setOutput('promote', String(results.every((r) => r.verdict.promote)));
      core.setOutput('p-value', worst.pValue.toPrecision(4));
      core.setOutput('delta-macro-f1', d.estimate.toFixed(4));
      core.setOutput('delta-macro-f1-lower', d.lower.toFixed(4));
      core.setOutput('delta-macro-f1-upper', d.upper.toFixed(4));
      core.setOutput('report-path', path.join(inputs.outDir, worst.b.family, 'report.md'));
      core.setOutput(
        'comparisons',
        JSON.stringify(
          results.map((r) => ({
            a: r.a.id,
            b: r.b.id,
            verdict: r.verdict.verdict,
            promote: r.verdict.promote,
          })),
        ),
      );
      const body = reports.join('\n---\n\n');
      await core.summary.addRaw(body).write();
      if (inputs.comment && prNumber !== undefined && rt.github) await upsertComment(rt, prNumber, body);
      const failed = results.filter((r) => inputs.failOn.includes(r.verdict.verdict));
      if (failed.length > 0) {
        core.setFailed(
          `verdict ${failed.map((r) => `${r.verdict.verdict} for ${r.b.id} vs ${r.a.id}`).join(', ')} (fail-on: ${inputs.failOn.join(', ')})`,
        );
      }
    } finally {
      await rt.close();
    }
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

interface PullRequestEvent {
  pull_request?: { number: number; base?: { sha?: string } };
}

function readEvent(): PullRequestEvent | undefined {
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file || !existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as PullRequestEvent;
}

async function fileAt(rt: Runtime, file: string, ref: string): Promise<string | undefined> {
  const { owner, repo } = splitRepo(rt.github!.repository);
  try {
    const res = await rt.github!.octokit.rest.repos.getContent({ owner, repo, path: file, ref });
    return Buffer.from((res.data as { content: string }).content, 'base64').toString('utf8');
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/** One comment per pull request, found by its marker and updated in place. */
async function upsertComment(rt: Runtime, issue: number, body: string): Promise<void> {
  const { owner, repo } = splitRepo(rt.github!.repository);
  const gh = rt.github!.octokit;
  const comments = await gh.paginate(gh.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issue,
    per_page: 100,
  });
  const mine = comments.find((c) => c.body?.includes(REPORT_MARKER));
  if (mine) await gh.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
  else await gh.rest.issues.createComment({ owner, repo, issue_number: issue, body });
}

function splitRepo(full: string): { owner: string; repo: string } {
  const [owner, repo] = full.split('/');
  return { owner: owner!, repo: repo! };
}
