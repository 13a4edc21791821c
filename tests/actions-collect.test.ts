import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../lib/paths';

const tmp = mkdtempSync(path.join(tmpdir(), 'finsent-action-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Reads the `name<<delimiter … delimiter` records @actions/core appends to GITHUB_OUTPUT. */
function outputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([\w-]+)<<(.+)$/.exec(lines[i] as string);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] as string);
    out[m[1] as string] = value.join('\n');
  }
  return out;
}

/** Runs a bundled action the way the runner does: INPUT_* variables, output and summary files. */
function runAction(
  name: string,
  inputs: Record<string, string>,
  bundle = path.join(REPO_ROOT, 'actions', name, 'dist'),
) {
  const outFile = path.join(tmp, `${name}.out`);
  const summaryFile = path.join(tmp, `${name}.md`);
  writeFileSync(outFile, '');
  writeFileSync(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_WORKSPACE: REPO_ROOT,
    GITHUB_OUTPUT: outFile,
    GITHUB_STEP_SUMMARY: summaryFile,
  };
  // PGlite under a temp dir, never a shared server; and no API keys.
  for (const k of ['DATABASE_URL', 'FINNHUB_API_KEY', 'ALPHA_VANTAGE_API_KEY', 'POLYGON_API_KEY'])
    delete env[k];
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const res = spawnSync(process.execPath, [path.join(bundle, 'index.js')], {
    env,
    encoding: 'utf8',
    timeout: 90_000,
  });
  return {
    status: res.status,
    stdout: res.stdout,
    outputs: outputs(outFile),
    summary: readFileSync(summaryFile, 'utf8'),
  };
}

describe('the bundled collect and validate actions', () => {
  it('collect stores the sample into PGlite, sets its outputs and writes a summary table per source', () => {
    const res = runAction('collect', {
      sources: 'sample',
      'sample-path': 'tests/fixtures/sources/sample-bad.jsonl',
      'data-dir': path.join(tmp, 'data'),
    });
    expect(res.stdout).toContain('sample: succeeded');
    expect(res.status).toBe(0);
    expect(res.outputs).toEqual({
      'run-id': '1',
      status: 'succeeded',
      'new-articles': '2',
      merged: '0',
      quarantined: '8',
      'failed-sources': '',
    });
    expect(res.summary).toContain('<h2>finsent collect — run 1: succeeded</h2>');
    expect(res.summary).toContain(
      '<td>sample</td><td>succeeded</td><td>10</td><td>2</td><td>0</td><td>0</td><td>8</td>',
    );
  });

  it('validate reports the failing verdict, sets its outputs and fails the step', () => {
    const res = runAction('validate', { 'data-dir': path.join(tmp, 'data'), 'fail-on': 'fail' });
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/::error::data quality gate: verdict FAIL: 1 run\(s\), 2 rows checked/);
    expect(res.outputs).toMatchObject({
      'report-id': '1',
      verdict: 'fail',
      'rows-checked': '2',
      'rows-quarantined': '8',
    });
    expect(res.summary).toMatch(/<h2>finsent validate — ❌ FAIL \(report 1\)<\/h2>/);
    expect(res.summary).toContain('quarantine_rate');
  });

  it('says how to get a database when PGlite is not installed beside the bundle', () => {
    const away = path.join(tmp, 'elsewhere', 'dist');
    cpSync(path.join(REPO_ROOT, 'actions', 'collect', 'dist'), away, { recursive: true });
    const res = runAction('collect', { sources: 'sample', 'data-dir': path.join(tmp, 'data2') }, away);
    expect(res.status).toBe(1);
    expect(res.stdout).toContain(
      '::error::the embedded database (@electric-sql/pglite) is not installed here: set DATABASE_URL',
    );
  });

  it('fails with the reason when an input is invalid', () => {
    const res = runAction('collect', { 'fail-on': 'sometimes', 'data-dir': path.join(tmp, 'data') });
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('::error::input fail-on is "sometimes"; use one of all, any, never');
  });
});

describe.each(['collect', 'validate'])('actions/%s metadata', (name) => {
  const dir = path.join(REPO_ROOT, 'actions', name);
  const meta = parseYaml(readFileSync(path.join(dir, 'action.yml'), 'utf8')) as {
    runs: { using: string; main: string };
    inputs: Record<string, { default?: string }>;
    outputs: Record<string, unknown>;
  };
  const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');

  it('runs the ncc bundle on node24', () => {
    expect(meta.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('documents every input with its default and every output in the README', () => {
    for (const [input, spec] of Object.entries(meta.inputs)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${input}\``));
      expect(row, `README row for input ${input}`).toBeDefined();
      expect(row).toContain(
        spec.default === '' || spec.default === undefined ? '`""`' : `\`${spec.default}\``,
      );
    }
    for (const output of Object.keys(meta.outputs)) {
      expect(readme).toContain(`| \`${output}\``);
    }
  });
});
