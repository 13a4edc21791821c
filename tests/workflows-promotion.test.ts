import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../lib/paths';

/**
 * The train/evaluate/promote/config-check workflows, parsed and checked for what GitHub would
 * only tell us at run time: structure, least permissions, concurrency for promote/deploy, and
 * that every local action is called with inputs it declares and read for outputs it sets.
 */
type Json = Record<string, unknown>;
/** A GitHub expression as written in YAML: expr('inputs.version') → '${{ inputs.version }}'. */
const expr = (inner: string) => `\${{ ${inner} }}`;
const WORKFLOWS = ['train', 'evaluate', 'promote', 'config-check'] as const;
const load = (file: string) => parse(readFileSync(file, 'utf8')) as Json;
const workflow = (name: string) => load(path.join(REPO_ROOT, '.github', 'workflows', `${name}.yml`));
const actionYml = (dir: string) => load(path.join(REPO_ROOT, dir, 'action.yml'));

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}

describe.each(WORKFLOWS)('.github/workflows/%s.yml', (name) => {
  const wf = workflow(name);
  const jobs = wf.jobs as Record<string, Json>;
  const text = readFileSync(path.join(REPO_ROOT, '.github', 'workflows', `${name}.yml`), 'utf8');

  it('passes the workflow schema check of action-validator', () => {
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it('has a name, triggers, least top-level permissions and jobs with runners, timeouts and steps', () => {
    expect(wf.name).toBe(name);
    expect(wf.on).toBeTypeOf('object');
    const perms = wf.permissions as Record<string, string>;
    expect(perms).toBeTypeOf('object');
    expect(perms.contents).toBe('read');
    expect(Object.values(perms)).not.toContain('write-all');
    expect(Object.keys(jobs).length).toBeGreaterThan(0);
    for (const [id, job] of Object.entries(jobs)) {
      expect(job['runs-on'], `${id}.runs-on`).toBeDefined();
      expect(job['timeout-minutes'], `${id}.timeout-minutes`).toBeTypeOf('number');
      expect(Array.isArray(job.steps), `${id}.steps`).toBe(true);
      for (const step of job.steps as Step[]) {
        expect(Boolean(step.uses) !== Boolean(step.run), `${id}: a step has exactly one of uses/run`).toBe(
          true,
        );
      }
    }
  });

  it('pins third-party actions to a version and keeps a workflow_dispatch beside every schedule', () => {
    for (const job of Object.values(jobs)) {
      for (const step of job.steps as Step[]) {
        if (step.uses && !step.uses.startsWith('./')) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+/);
      }
    }
    const on = wf.on as Json;
    if ('schedule' in on) expect(on).toHaveProperty('workflow_dispatch');
  });

  it('grants write permissions only to the jobs that need them', () => {
    const writesAt = (p: unknown) =>
      Object.entries((p ?? {}) as Record<string, string>)
        .filter(([, v]) => v === 'write')
        .map(([k]) => k);
    expect(writesAt(wf.permissions).filter((k) => k !== 'pull-requests')).toEqual([]);
    for (const [id, job] of Object.entries(jobs)) {
      const writes = writesAt(job.permissions);
      const steps = JSON.stringify(job.steps);
      if (writes.includes('contents'))
        expect(steps, `${id} writes contents`).toMatch(/actions\/(train|promote)/);
    }
  });

  it('calls local actions only with declared inputs, passes required ones, and reads only declared outputs', () => {
    for (const [jobId, job] of Object.entries(jobs)) {
      const steps = job.steps as Step[];
      const byId = new Map(steps.filter((s) => s.id).map((s) => [s.id!, s]));
      for (const step of steps) {
        if (!step.uses?.startsWith('./actions/')) continue;
        const dir = step.uses.slice(2);
        expect(existsSync(path.join(REPO_ROOT, dir, 'action.yml')), `${jobId}: ${dir}/action.yml`).toBe(true);
        const inputs = actionYml(dir).inputs as Record<string, { required?: boolean }>;
        for (const key of Object.keys(step.with ?? {}))
          expect(Object.keys(inputs), `${jobId}: ${dir} input ${key}`).toContain(key);
        for (const [key, def] of Object.entries(inputs)) {
          if (def.required) expect(step.with ?? {}, `${jobId}: ${dir} needs ${key}`).toHaveProperty(key);
        }
      }
      // steps.<id>.outputs.<name>: the step exists earlier in this job and declares the output.
      const refs = JSON.stringify(job).matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g);
      for (const [, stepId, output] of refs) {
        const step = byId.get(stepId!);
        expect(step, `${jobId}: step ${stepId}`).toBeDefined();
        if (step!.uses?.startsWith('./actions/')) {
          expect(
            Object.keys(actionYml(step!.uses.slice(2)).outputs as Json),
            `${jobId}: ${step!.uses} output ${output}`,
          ).toContain(output);
        } else if (step!.uses?.startsWith('actions/create-github-app-token')) {
          expect(output).toBe('token');
        }
      }
    }
  });

  it('refers only to workflow_dispatch inputs it declares', () => {
    const declared = Object.keys(
      ((wf.on as Json).workflow_dispatch as { inputs?: Json } | null)?.inputs ?? {},
    );
    for (const [, input] of text.matchAll(/\binputs\.([\w-]+)/g))
      expect(declared, `inputs.${input}`).toContain(input);
  });

  it('runs the build of the bundles before using a local action', () => {
    for (const [id, job] of Object.entries(jobs)) {
      const steps = job.steps as Step[];
      const firstLocal = steps.findIndex((s) => s.uses?.startsWith('./actions/'));
      if (firstLocal < 0) continue;
      const build = steps.findIndex((s) => s.run === 'npm run build:actions');
      expect(build, `${id} builds the actions`).toBeGreaterThanOrEqual(0);
      expect(build).toBeLessThan(firstLocal);
      expect(steps.findIndex((s) => s.run === 'npm ci')).toBeLessThan(build);
    }
  });
});

describe('workflow specifics', () => {
  it('train: weekly schedule, dispatch inputs, repository_dispatch from monitoring, a CPU and a GPU-or-CPU job', () => {
    const wf = workflow('train');
    const on = wf.on as Json;
    expect((on.schedule as { cron: string }[])[0]!.cron).toMatch(/^\S+ \S+ \* \* [0-6]$/);
    expect((on.repository_dispatch as { types: string[] }).types).toEqual(['retrain']);
    const jobs = wf.jobs as Record<string, Json>;
    expect(jobs.vader!['runs-on']).toBe('ubuntu-latest');
    expect(String(jobs.finbert!['runs-on'])).toContain('"self-hosted", "linux", "x64", "gpu"');
    expect(String(jobs.finbert!['runs-on'])).toContain("'ubuntu-latest'");
    expect(JSON.stringify(jobs.finbert!.steps)).toContain('actions/cache@v4');
  });

  it('promote: serialised deploys, the merge check with the deploy hook secret, a rollback dispatch', () => {
    const wf = workflow('promote');
    expect(wf.concurrency).toEqual({ group: 'promote-deploy', 'cancel-in-progress': false });
    expect((wf.on as { push: { paths: string[] } }).push.paths).toEqual(['config/models.yaml']);
    const jobs = wf.jobs as Record<string, Json>;
    const merged = (jobs['verify-and-deploy']!.steps as Step[]).find((s) => s.uses === './actions/promote')!;
    expect(merged.with).toMatchObject({
      mode: 'merged',
      'deploy-hook-url': expr('secrets.RENDER_DEPLOY_HOOK_URL'),
    });
    const rollback = (jobs.rollback!.steps as Step[]).find((s) => s.uses === './actions/promote')!;
    expect(rollback.with).toMatchObject({ mode: 'rollback', version: expr('inputs.version') });
  });

  it('evaluate and config-check run on pull requests touching what they check', () => {
    expect((workflow('evaluate').on as { pull_request: { paths: string[] } }).pull_request.paths).toContain(
      'config/models.yaml',
    );
    expect((workflow('config-check').on as { pull_request: { paths: string[] } }).pull_request.paths).toEqual(
      ['config/**'],
    );
    expect(readFileSync(path.join(REPO_ROOT, '.github', 'workflows', 'config-check.yml'), 'utf8')).toContain(
      'finsent config check',
    );
  });
});

describe.each(['train', 'evaluate', 'promote'])('actions/%s', (name) => {
  const a = actionYml(`actions/${name}`);
  const readme = readFileSync(path.join(REPO_ROOT, 'actions', name, 'README.md'), 'utf8');
  /** Markdown table rows as trimmed cells (the formatter pads them). */
  const rows = readme
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  const row = (key: string) => rows.find((r) => r[0] === `\`${key}\``);

  it('passes the action schema check of action-validator', () => {
    // action-validator 0.6's schema predates the node24 runtime; everything else is checked as is.
    const text = readFileSync(path.join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8');
    expect(text).toContain('using: node24');
    expect(validateAction(text.replace('using: node24', 'using: node20')).errors).toEqual([]);
  });

  it('runs on node24 from its bundle and documents every input (with its default) and output', () => {
    expect(a.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    for (const [key, def] of Object.entries(
      a.inputs as Record<string, { default?: string; description: string }>,
    )) {
      expect(def.description, `${key} description`).toBeTruthy();
      const cells = row(key);
      expect(cells, `README row for input ${key}`).toBeDefined();
      if (def.default !== undefined)
        expect(cells![2]).toContain(def.default === '' ? "`''`" : `\`${def.default}\``);
    }
    for (const key of Object.keys(a.outputs as Json))
      expect(row(key), `README row for output ${key}`).toBeDefined();
  });

  it('has a main entry that only runs the action, and run code that fails through core.setFailed', () => {
    expect(readFileSync(path.join(REPO_ROOT, 'actions', name, 'main.ts'), 'utf8')).toMatch(
      /await run\(\);\s*$/,
    );
    const run = readFileSync(path.join(REPO_ROOT, 'actions', name, 'run.ts'), 'utf8');
    expect(run.match(/core\.setFailed\(/g)!.length).toBeGreaterThanOrEqual(1);
    expect(run).not.toMatch(/process\.exit\(/);
  });
});
