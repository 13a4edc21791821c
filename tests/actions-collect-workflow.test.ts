import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../lib/paths';

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown> & { schedule?: { cron: string }[] };
  permissions: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<
    string,
    { 'runs-on': string; 'timeout-minutes'?: number; env?: Record<string, string>; steps: Step[] }
  >;
}

/** A GitHub expression as written in a workflow: gh('secrets.X') is `${{ secrets.X }}`. */
const gh = (expr: string) => `\${{ ${expr} }}`;

function workflow(name: string): { text: string; wf: Workflow } {
  const text = readFileSync(path.join(REPO_ROOT, '.github', 'workflows', name), 'utf8');
  return { text, wf: parseYaml(text) as Workflow };
}

/** The minutes a cron minute field fires on ("7,22,37,52", "*\/15", "5"). */
function minutes(field: string): number[] {
  return field.split(',').flatMap((part) => {
    const step = /^\*\/(\d+)$/.exec(part);
    if (step) return Array.from({ length: Math.ceil(60 / Number(step[1])) }, (_, i) => i * Number(step[1]));
    return [Number(part)];
  });
}

describe('.github/workflows/collect.yml', () => {
  const { text, wf } = workflow('collect.yml');
  const job = wf.jobs.collect;
  const steps = job?.steps ?? [];

  it('runs every 15 minutes, never at the top of the hour, and on demand', () => {
    const cron = wf.on.schedule?.[0]?.cron ?? '';
    const [minute, ...rest] = cron.split(/\s+/);
    expect(rest).toEqual(['*', '*', '*', '*']);
    const at = minutes(minute as string);
    expect(at).toHaveLength(4);
    expect(at).not.toContain(0);
    expect(at.map((m, i) => (at[(i + 1) % 4] as number) - m + (i === 3 ? 60 : 0))).toEqual([15, 15, 15, 15]);
    expect(wf.on).toHaveProperty('workflow_dispatch');
  });

  it('asks for read access only and never runs two collections at once', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(wf.concurrency?.group).toBeTruthy();
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
    expect(job?.['timeout-minutes']).toBeGreaterThan(0);
  });

  it('takes the database URL and every API key from repository secrets', () => {
    expect(job?.env).toEqual({
      DATABASE_URL: gh('secrets.DATABASE_URL'),
      FINNHUB_API_KEY: gh('secrets.FINNHUB_API_KEY'),
      ALPHA_VANTAGE_API_KEY: gh('secrets.ALPHA_VANTAGE_API_KEY'),
      POLYGON_API_KEY: gh('secrets.POLYGON_API_KEY'),
    });
    expect(text).not.toMatch(/api_?key\s*[:=]\s*['"]?[A-Za-z0-9]{12,}/i);
  });

  it('collects, then validates even when collection failed, with the local actions that exist', () => {
    const collect = steps.findIndex((s) => s.uses === './actions/collect');
    const validate = steps.findIndex((s) => s.uses === './actions/validate');
    expect(collect).toBeGreaterThan(0);
    expect(validate).toBeGreaterThan(collect);
    expect(steps[validate]?.if).toBe(gh('!cancelled()'));
    expect(steps[collect]?.with).toEqual({ sources: gh('inputs.sources'), since: gh('inputs.since') });
    for (const s of steps.filter((x) => x.uses?.startsWith('./'))) {
      expect(existsSync(path.join(REPO_ROOT, s.uses as string, 'action.yml'))).toBe(true);
      expect(existsSync(path.join(REPO_ROOT, s.uses as string, 'dist', 'index.js'))).toBe(true);
    }
  });
});

describe('.github/workflows/check-dist.yml', () => {
  it('rebuilds the committed action bundles and fails when they differ', () => {
    const { wf } = workflow('check-dist.yml');
    const runs = Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.run).filter(Boolean));
    expect(runs).toContain('npm run check:dist');
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(wf.on).toHaveProperty('pull_request');
  });
});
