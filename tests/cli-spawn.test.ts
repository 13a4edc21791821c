import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/paths';

// Spawns cost ~0.5–1 s each: a handful prove the process edge (exit codes, stderr, stdin);
// everything else is tested by calling the command functions directly (cli-commands.test.ts).
const BIN = path.join(REPO_ROOT, 'bin', 'finsent.js');
const FAKE = path.join(REPO_ROOT, 'tests', 'fixtures', 'cli', 'fake-finsent.ts');

function run(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, FINSENT_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('the finsent executable', () => {
  it('shows help with examples for score and exits 0', async () => {
    const r = await run([BIN, 'score', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--raw/);
    expect(r.stdout).toMatch(/Examples:\n\s+\$ finsent score --model vader-base/);
  });

  it('exits 2 with one clear line and no stack trace for an unknown model', async () => {
    const r = await run([BIN, 'eval', '--model', 'nosuch', '--data', 'whatever.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^finsent: unknown model "nosuch": valid models are/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 when a required option is missing', async () => {
    const r = await run([BIN, 'eval', '--model', 'vader-base']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '-d, --data <file>' not specified/);
  });
});

describe('the finsent commands as processes (keyword test family)', () => {
  it('scores stdin lines as JSON lines and exits 0', async () => {
    const r = await run(
      ['--import', 'tsx', FAKE, 'score', '-m', 'fake'],
      'Apple beats\nIntel misses\n\nFed holds\n',
    );
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).label),
    ).toEqual(['positive', 'negative', 'neutral']);
  });

  it('exits 2 on empty input and on an unreadable file, with one line each', async () => {
    const empty = await run(['--import', 'tsx', FAKE, 'score', '-m', 'fake'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('finsent: no input: pipe texts one per line on stdin, or pass --text "…"\n');
    const missing = await run(['--import', 'tsx', FAKE, 'eval', '-m', 'fake', '-d', 'no/such/file.jsonl']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('finsent: cannot read dataset no/such/file.jsonl: no such file\n');
  });

  it('runs the main job and prints the evaluation report', async () => {
    const r = await run(['--import', 'tsx', FAKE, 'start', '--no-serve']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/── \[1\/1\] evaluate · fake on the held-out headlines/);
    expect(r.stdout).toMatch(/macro-F1\s+0\.\d{4}/);
    expect(r.stdout).toMatch(/main job finished/);
  });
});
