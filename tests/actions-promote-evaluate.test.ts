import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../actions/evaluate/run';
import { REPO_ROOT } from '../lib/paths';
import { setChampion } from '../models/promotion/config-edit';
import { GitHubRegistry } from '../models/registry/github';
import { buildManifest } from '../models/registry/manifest';
import { createGitHubClient } from '../models/registry/octokit';
import { FakeGitHub } from './fixtures/github/fake-github';
import { fakeFamilies, fakeVaderTrainer, syntheticHeadlines } from './fixtures/promotion/fake-models';

/**
 * The evaluate action's run() in-process with the runner's environment (INPUT_*, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH) and the keyword stand-in models, against the recorded
 * GitHub API on 127.0.0.1: the pull-request path that the bundled test cannot reach on a branch
 * without trained families.
 */
const tmp = mkdtempSync(path.join(tmpdir(), 'finsent-eval-action-'));
const repoModels = readFileSync(path.join(REPO_ROOT, 'config', 'models.yaml'), 'utf8');

function outputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of readFileSync(file, 'utf8').matchAll(/^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm))
    out[m[1]!] = m[3]!;
  return out;
}

describe('evaluate action on a promotion pull request', () => {
  const base = setChampion(repoModels, 'vader', '1.0.0').text;
  const fake = new FakeGitHub({ files: { 'config/models.yaml': base } });
  const workspace = path.join(tmp, 'ws');
  const saved = { ...process.env };

  beforeAll(async () => {
    const api = await fake.listen();
    const registry = new GitHubRegistry({
      octokit: createGitHubClient({ token: 't', baseUrl: api, throttle: false, retryBaseMs: 1 }),
      repository: 'acme/finsent',
      cacheDir: path.join(tmp, 'seed-cache'),
    });
    // 1.0.0 learned from little data (weak), 1.1.0 from more (strong).
    for (const [version, n] of [
      ['1.0.0', 40],
      ['1.1.0', 800],
    ] as const) {
      const trained = await fakeVaderTrainer.train(syntheticHeadlines(n, 31), syntheticHeadlines(50, 32), {
        seed: 1,
      });
      const manifest = buildManifest({
        family: 'vader',
        version,
        parent: null,
        bump: { level: 'initial', change: 'retrain', reason: 'test' },
        files: trained.files,
        training: { dataset: 'synthetic', fingerprint: 'sha256:0', n, seed: 1 },
        code: { commit: 'c' },
      });
      await registry.publish({ manifest, files: trained.files, modelCard: '# card\n' });
    }
    mkdirSync(path.join(workspace, 'config'), { recursive: true });
    mkdirSync(path.join(workspace, 'data'));
    cpSync(
      path.join(REPO_ROOT, 'config', 'promotion.yaml'),
      path.join(workspace, 'config', 'promotion.yaml'),
    );
    writeFileSync(path.join(workspace, 'config', 'models.yaml'), setChampion(base, 'vader', '1.1.0').text);
    writeFileSync(
      path.join(workspace, 'config', 'training.yaml'),
      'datasets:\n  synthetic: { train: data/train.jsonl, test: data/test.jsonl }\nfamilies: {}\n',
    );
    writeFileSync(
      path.join(workspace, 'data', 'train.jsonl'),
      syntheticHeadlines(200, 33)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    writeFileSync(
      path.join(workspace, 'data', 'test.jsonl'),
      syntheticHeadlines(300, 34)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    writeFileSync(
      path.join(tmp, 'event.json'),
      JSON.stringify({ pull_request: { number: 3, base: { sha: fake.headOf('main') } } }),
    );
    Object.assign(process.env, {
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: 'acme/finsent',
      GITHUB_API_URL: api,
      GITHUB_EVENT_PATH: path.join(tmp, 'event.json'),
      FINSENT_DATA_DIR: path.join(tmp, 'state'),
      DATABASE_URL: '',
      INPUT_DATA: 'synthetic',
      INPUT_COMMENT: 'true',
      'INPUT_FAIL-ON': 'inferior',
      'INPUT_LATENCY-SAMPLES': '20',
      'INPUT_OUT-DIR': 'finsent-comparison',
      'INPUT_GITHUB-TOKEN': 'ghs_token',
      INPUT_BASELINE: '',
      INPUT_CANDIDATE: '',
    });
  });
  afterAll(async () => {
    process.env = saved;
    process.exitCode = 0;
    await fake.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function runOnce() {
    const out = path.join(tmp, `out-${Math.random()}`);
    const summary = path.join(tmp, `summary-${Math.random()}`);
    writeFileSync(out, '');
    writeFileSync(summary, '');
    process.env.GITHUB_OUTPUT = out;
    process.env.GITHUB_STEP_SUMMARY = summary;
    process.exitCode = 0;
    await run({ families: fakeFamilies() });
    return { outputs: outputs(out), summary: readFileSync(summary, 'utf8'), exitCode: process.exitCode };
  }

  it('compares the base champion with the head champion, writes the files and comments once', async () => {
    const r = await runOnce();
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      verdict: 'superior',
      promote: 'true',
      'report-path': 'finsent-comparison/vader/report.md',
    });
    expect(Number(r.outputs['delta-macro-f1-lower'])).toBeGreaterThan(0);
    expect(JSON.parse(r.outputs.comparisons!)).toEqual([
      { a: 'vader@1.0.0', b: 'vader@1.1.0', verdict: 'superior', promote: true },
    ]);
    expect(
      readFileSync(path.join(workspace, 'finsent-comparison', 'vader', 'comparison.svg'), 'utf8'),
    ).toContain('<svg');
    expect(r.summary).toContain('**Verdict: SUPERIOR**');
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0]!.body).toContain('<!-- finsent:comparison -->');
  });

  it('updates its comment on a re-run instead of adding another', async () => {
    await runOnce();
    expect(fake.comments).toHaveLength(1);
    expect(fake.log.filter((l) => l.method === 'PATCH' && /issues\/comments/.test(l.path))).toHaveLength(1);
  });

  it('fails the step when the verdict is one it must fail on', async () => {
    // An explicit pair: the weaker version as the candidate.
    process.env.INPUT_CANDIDATE = 'vader@1.0.0';
    process.env.INPUT_BASELINE = 'vader@1.1.0';
    const r = await runOnce();
    expect(r.outputs.verdict).toBe('inferior');
    expect(r.exitCode).toBe(1);
  });
});
