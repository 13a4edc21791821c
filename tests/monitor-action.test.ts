import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { parseInputs, run } from '../actions/monitor/main';
import { REPO_ROOT } from '../lib/paths';
import { buildReferenceSnapshot, saveReference } from '../pipeline/monitor/reference';
import { openMonitorStore } from '../pipeline/monitor/stage';
import { logPredictions } from './fixtures/monitor/log';
import { asReferenceRows, synthetic } from './fixtures/monitor/synthetic';

const action = parse(readFileSync(path.join(REPO_ROOT, 'actions/monitor/action.yml'), 'utf8')) as {
  inputs: Record<string, { default: string; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
};
const readme = readFileSync(path.join(REPO_ROOT, 'actions/monitor/README.md'), 'utf8');

describe('actions/monitor metadata', () => {
  it('runs on node24 from dist/index.js', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('documents every input with its default and every output in the README', () => {
    // Table rows as cells, whatever padding a formatter gave them.
    const rows = readme
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .map((l) => l.split('|').map((c) => c.trim()));
    const row = (name: string) => rows.find((cells) => cells[1] === `\`${name}\``);
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(row(name), name).toBeDefined();
      const shown = input.default === '' ? "''" : input.default === 'true' ? "'true'" : input.default;
      expect(row(name)?.[2], name).toBe(`\`${shown}\``);
    }
    for (const name of Object.keys(action.outputs)) expect(row(name), name).toBeDefined();
  });

  it('parses inputs once, treating empty strings as not given', () => {
    const inputs = parseInputs(
      (n) => ({ window: '6h', models: 'vader, finbert', alerts: 'false', 'fail-on': 'alert' })[n] ?? '',
    );
    expect(inputs).toEqual({
      windowMs: 6 * 3_600_000,
      models: ['vader', 'finbert'],
      config: 'config/drift.yaml',
      alerts: false,
      failOn: 'alert',
    });
    expect(() => parseInputs((n) => (n === 'fail-on' ? 'sometimes' : ''))).toThrow(
      /fail-on must be one of never, warn, alert/,
    );
  });
});

describe('actions/monitor run()', () => {
  let dir: string;
  const saved = { ...process.env };
  const until = '2026-03-02T00:00:00Z';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'finsent-action-'));
    process.env.FINSENT_DATA_DIR = path.join(dir, 'data');
    delete process.env.DATABASE_URL;
    // Seed the embedded store: a reference and a window whose label mix moved.
    const db = await openMonitorStore({ dataDir: process.env.FINSENT_DATA_DIR });
    const ref = synthetic({ n: 1500, seed: 51 });
    await saveReference(
      db,
      buildReferenceSnapshot({
        model: 'vader',
        version: 'builtin',
        sourceName: 'eval',
        rows: asReferenceRows(ref),
        predictions: ref.map((r) => r.prediction),
      }),
    );
    await logPredictions(db, synthetic({ n: 800, seed: 52, mix: [0.05, 0.75, 0.2] }), {
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date(until),
      prefix: 'a',
    });
    await db.close();
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const f of ['out', 'summary']) writeFileSync(path.join(dir, f), '');
    Object.assign(process.env, {
      GITHUB_OUTPUT: path.join(dir, 'out'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
      GITHUB_WORKSPACE: REPO_ROOT,
      RUNNER_TEMP: dir,
      INPUT_WINDOW: '24h',
      INPUT_UNTIL: until,
      INPUT_CONFIG: 'config/drift.yaml',
      'INPUT_GITHUB-TOKEN': '',
      INPUT_ALERTS: 'true',
      'INPUT_FAIL-ON': 'never',
    });
    process.exitCode = 0;
  });

  const outputs = () => {
    const text = readFileSync(path.join(dir, 'out'), 'utf8');
    return Object.fromEntries(
      [...text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]),
    );
  };

  it('sets outputs, writes the job summary and the JSON report', async () => {
    const log = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await run();
    log.mockRestore();
    expect(process.exitCode).toBe(0);
    const out = outputs();
    expect(out.status).toBe('alert');
    expect(out['drift-status']).toBe('alert');
    // No GitHub token: retraining is recorded in the store, not dispatched.
    expect(out['retrain-requested']).toBe('false');
    expect(JSON.parse(out.incidents!)[0]).toMatchObject({
      kind: 'drift',
      action: 'opened',
      retrain: 'recorded',
    });
    expect(JSON.parse(readFileSync(out.report!, 'utf8')).models[0].model).toBe('vader');
    expect(readFileSync(path.join(dir, 'summary'), 'utf8')).toContain('## finsent monitor: alert');
  });

  it('fails the step once, with a readable message, when fail-on is reached or an input is bad', async () => {
    let printed = '';
    const log = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
      printed += String(c);
      return true;
    });
    process.env['INPUT_FAIL-ON'] = 'alert';
    await run();
    expect(process.exitCode).toBe(1);
    expect(printed).toMatch(/::error::monitoring status is alert \(fail-on: alert\)/);
    process.exitCode = 0;
    printed = '';
    process.env.INPUT_WINDOW = 'a while';
    await run();
    log.mockRestore();
    expect(process.exitCode).toBe(1);
    expect(printed).toMatch(/::error::"a while" is not a duration/);
    process.exitCode = 0;
  });
});

describe('.github/workflows/monitor.yml', () => {
  const wf = parse(readFileSync(path.join(REPO_ROOT, '.github/workflows/monitor.yml'), 'utf8')) as {
    on: { schedule: Array<{ cron: string }>; workflow_dispatch: unknown };
    permissions: Record<string, string>;
    concurrency: { group: string; 'cancel-in-progress': boolean };
    jobs: { monitor: { steps: Array<{ uses?: string; run?: string; with?: Record<string, string> }> } };
  };

  it('runs hourly and on dispatch, with least permissions and one run at a time', () => {
    expect(wf.on.schedule[0]?.cron).toMatch(/^\d{1,2} \* \* \* \*$/);
    expect(wf.on.workflow_dispatch).toBeTruthy();
    expect(wf.permissions).toEqual({ contents: 'read', issues: 'write', actions: 'write' });
    expect(wf.concurrency).toEqual({ group: 'monitor', 'cancel-in-progress': false });
  });

  it('builds the action bundle before using it, passing only inputs the action declares', () => {
    const steps = wf.jobs.monitor.steps;
    const build = steps.findIndex((s) => s.run === 'npm run build:actions -- monitor');
    const use = steps.findIndex((s) => s.uses === './actions/monitor');
    expect(build).toBeGreaterThan(-1);
    expect(use).toBeGreaterThan(build);
    for (const key of Object.keys(steps[use]?.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts['build:actions']).toBe('tsx scripts/build-actions.ts');
  });
});
