import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicySchema } from '../config/promotion';
import { REPO_ROOT } from '../lib/paths';
import { compareScored } from '../models/compare/compare';
import { GitHubRegistry } from '../models/registry/github';
import { buildManifest } from '../models/registry/manifest';
import { createGitHubClient } from '../models/registry/octokit';
import { LABELS } from '../models/types';
import { FakeGitHub } from './fixtures/github/fake-github';

/**
 * The three actions, bundled by ncc exactly as `npm run build:actions` does, run as child
 * processes with INPUT_*, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY set, against the recorded GitHub
 * API served on 127.0.0.1. Bundles are cached by a hash of their sources, so only the first run
 * after a change pays for ncc.
 */
const exec = promisify(execFile);
const tmp = mkdtempSync(path.join(tmpdir(), 'finsent-actions-'));
const CACHE = path.join(REPO_ROOT, 'node_modules', '.cache', 'finsent-actions');

function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (name === 'dist' || name === 'node_modules') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|json)$/.test(name)) h.update(p).update(readFileSync(p));
    }
  };
  for (const d of ['actions', 'models', 'lib', 'config', 'pipeline']) walk(path.join(REPO_ROOT, d));
  h.update(readFileSync(path.join(REPO_ROOT, 'package-lock.json')));
  return h.digest('hex').slice(0, 16);
}

async function bundle(name: string, hash: string): Promise<string> {
  const out = path.join(CACHE, `${name}-${hash}`);
  if (existsSync(path.join(out, 'index.js'))) return path.join(out, 'index.js');
  const externals = ['@electric-sql/pglite', 'onnxruntime-node', '@huggingface/transformers'].flatMap((e) => [
    '-e',
    e,
  ]);
  await exec(
    process.execPath,
    [
      path.join(REPO_ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js'),
      'build',
      `actions/${name}/main.ts`,
      '-o',
      `${out}.tmp`,
      '-q',
      '-t',
      ...externals,
    ],
    { cwd: REPO_ROOT, maxBuffer: 1 << 24 },
  );
  rmSync(out, { recursive: true, force: true });
  cpSync(`${out}.tmp`, out, { recursive: true });
  rmSync(`${out}.tmp`, { recursive: true, force: true });
  return path.join(out, 'index.js');
}

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs a bundle like the runner does: inputs as INPUT_<NAME>, outputs through GITHUB_OUTPUT. */
async function runAction(
  bundlePath: string,
  inputs: Record<string, string>,
  env: Record<string, string>,
): Promise<ActionRun> {
  const dir = mkdtempSync(path.join(tmp, 'run-'));
  const outFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary');
  writeFileSync(outFile, '');
  writeFileSync(summaryFile, '');
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
  );
  let code = 0;
  let stdout = '';
  try {
    const r = await exec(process.execPath, [bundlePath], {
      cwd: env.GITHUB_WORKSPACE,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITHUB_OUTPUT: outFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        ...inputEnv,
        ...env,
      },
    });
    stdout = r.stdout;
  } catch (error) {
    const e = error as { code: number; stdout: string };
    code = e.code;
    stdout = e.stdout;
  }
  const outputs: Record<string, string> = {};
  const text = readFileSync(outFile, 'utf8');
  for (const m of text.matchAll(/^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm))
    outputs[m[1]!] = m[3]!;
  return { code, stdout, outputs, summary: readFileSync(summaryFile, 'utf8') };
}

describe('bundled actions against recorded GitHub responses on 127.0.0.1', () => {
  const fake = new FakeGitHub({
    files: { 'config/models.yaml': readFileSync(path.join(REPO_ROOT, 'config', 'models.yaml'), 'utf8') },
  });
  const workspace = path.join(tmp, 'workspace');
  const bundles: Record<string, string> = {};
  const hookCalls: string[] = [];
  let hook: http.Server;
  let hookUrl = '';
  let env: Record<string, string>;

  beforeAll(async () => {
    const hash = sourceHash();
    const [train, evaluate, promote] = await Promise.all(
      ['train', 'evaluate', 'promote'].map((n) => bundle(n, hash)),
    );
    Object.assign(bundles, { train, evaluate, promote });
    const api = await fake.listen();
    hook = http.createServer((req, res) => {
      hookCalls.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"deploy":{"id":"dep-cq2m1"}}');
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/deploy/srv-cq2m1?key=hush`;
    // A checked-out repository: config and migrations are all the actions read from it.
    mkdirSync(workspace);
    cpSync(path.join(REPO_ROOT, 'config'), path.join(workspace, 'config'), { recursive: true });
    cpSync(
      path.join(REPO_ROOT, 'pipeline', 'store', 'migrations'),
      path.join(workspace, 'pipeline', 'store', 'migrations'),
      { recursive: true },
    );
    env = {
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: 'acme/finsent',
      GITHUB_API_URL: api,
      GITHUB_TOKEN: 'ghs_installation_token',
      FINSENT_DATA_DIR: path.join(tmp, 'state'),
      DATABASE_URL: '',
    };
    const registry = new GitHubRegistry({
      octokit: createGitHubClient({ token: 'ghs_x', baseUrl: api, throttle: false, retryBaseMs: 1 }),
      repository: 'acme/finsent',
      cacheDir: path.join(tmp, 'cache'),
    });
    for (const version of ['1.0.0', '1.1.0']) {
      const files = { 'lexicon.json': `{"beat":"positive","v":"${version}"}` };
      const manifest = buildManifest({
        family: 'vader',
        version,
        parent: version === '1.0.0' ? null : '1.0.0',
        bump: { level: version === '1.0.0' ? 'initial' : 'minor', change: 'retrain', reason: 'test' },
        files,
        training: { dataset: 'finsent-headlines', fingerprint: 'sha256:ab', n: 360, seed: 7 },
        code: { commit: 'a'.repeat(40) },
      });
      await registry.publish({ manifest, files, modelCard: `# vader ${version}\n` });
    }
  }, 900_000);

  afterAll(async () => {
    await fake.close();
    await new Promise<void>((r) => hook?.close(() => r()));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('promote open-pr: opens the family pull request with the comparison report and sets outputs', async () => {
    const gold = Array.from({ length: 200 }, (_, i) => LABELS[i % 3]!);
    const pred = (id: string, right: number) => ({
      id,
      family: 'vader',
      version: id.split('@')[1]!,
      predictions: gold.map((g, i) => {
        const label = i % 10 < right ? g : LABELS[(LABELS.indexOf(g) + 1) % 3]!;
        return {
          label,
          scores: { positive: 0.2, negative: 0.2, neutral: 0.2, [label]: 0.6 },
          sentiment: 0,
          confidence: 0.6,
          model: 'vader',
          version: '',
        };
      }),
      latencyMs: [0.01, 0.02],
    });
    const result = compareScored(
      {
        name: 'finsent-headlines/test',
        fingerprint: 'sha256:cd',
        examples: gold.map((label, i) => ({ text: `t${i}`, label })),
      },
      pred('vader@builtin', 5),
      pred('vader@1.1.0', 9),
      PolicySchema.parse({ bootstrap: { resamples: 500 } }),
    );
    writeFileSync(path.join(workspace, 'comparison.json'), JSON.stringify(result));
    const r = await runAction(
      bundles.promote!,
      { mode: 'open-pr', model: 'vader', version: '1.1.0', comparison: 'comparison.json', force: 'false' },
      env,
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'created', from: 'builtin', to: '1.1.0', 'pr-number': '1' });
    expect(r.outputs['pr-url']).toBe('https://github.com/acme/finsent/pull/1');
    expect(fake.pulls[0]!.body).toContain('**Verdict: SUPERIOR** — promotion allowed');
    expect(r.summary).toContain('[pull request #1](https://github.com/acme/finsent/pull/1)');
  });

  it('promote merged: verifies the release, calls the deploy hook once and masks its URL', async () => {
    const before = fake.headOf('main');
    const sha = fake.mergePull(1);
    writeFileSync(path.join(workspace, 'config', 'models.yaml'), fake.fileAt('main', 'config/models.yaml')!);
    const event = path.join(tmp, 'push.json');
    writeFileSync(event, JSON.stringify({ before, after: sha, ref: 'refs/heads/main' }));
    const r = await runAction(
      bundles.promote!,
      { mode: 'merged', 'deploy-hook-url': hookUrl, force: 'false' },
      { ...env, GITHUB_EVENT_PATH: event, GITHUB_SHA: sha },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'verified', deployed: 'true', recorded: '0' });
    expect(JSON.parse(r.outputs.changes!)).toEqual([
      expect.objectContaining({ family: 'vader', from: 'builtin', to: '1.1.0', kind: 'promote' }),
    ]);
    expect(hookCalls).toEqual(['POST /deploy/srv-cq2m1?key=hush']);
    expect(r.stdout).toContain('::add-mask::');
    expect(r.summary).toContain('<td>vader</td><td>builtin → 1.1.0</td><td>promote</td>');
    expect(r.summary).toContain('DATABASE_URL is not set');
  });

  it('promote rollback: opens a pull request back to the asked version', async () => {
    const r = await runAction(
      bundles.promote!,
      {
        mode: 'rollback',
        model: 'vader',
        version: '1.0.0',
        reason: 'precision dropped on live feedback',
        force: 'false',
      },
      env,
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'created', from: '1.1.0', to: '1.0.0', 'pr-number': '2' });
    expect(fake.pulls[1]).toMatchObject({ title: 'Roll back vader to 1.0.0' });
    expect(fake.pulls[1]!.body).toContain('precision dropped on live feedback');
  });

  it('fails with ::error:: and a message naming the fix on bad input', async () => {
    const r = await runAction(bundles.promote!, { mode: 'deploy', force: 'false' }, env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::input mode must be one of open-pr, merged, rollback, got "deploy"');
  });

  it('evaluate: a pull request that changes no champion compares nothing and succeeds', async () => {
    const event = path.join(tmp, 'pr.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7, base: { sha: fake.headOf('main') } } }));
    const r = await runAction(
      bundles.evaluate!,
      { comment: 'true', 'fail-on': 'inferior', 'latency-samples': '0', data: 'finsent-headlines' },
      { ...env, GITHUB_EVENT_PATH: event },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: '', promote: 'false', comparisons: '[]' });
    expect(r.summary).toContain('does not touch any champion');
  });

  it('train: fails clearly when the family has no registered trainer', async () => {
    const r = await runAction(
      bundles.train!,
      { model: 'sentiment-x', compare: 'true', register: 'true' },
      env,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::no trainer for "sentiment-x"/);
  });
});
