import { describe, expect, it } from 'vitest';
import { InputError } from '../lib/errors';
import { evaluateStage, mainJobStages, runMainJob, type Stage } from '../pipeline/main-job';
import type { Db } from '../pipeline/store/db';
import { exitCodeOf, runStart } from '../scripts/commands/start';
import { fakeRegistry } from './fixtures/cli/fake-family';

function buffer() {
  let text = '';
  return { out: { write: (s: string) => (text += s) }, text: () => text };
}

const env = { dataDir: '.finsent-test' };

function fakeStore() {
  const events: string[] = [];
  const open = async (): Promise<Db> => {
    events.push('open');
    return {
      kind: 'pglite',
      query: async () => [],
      exec: async () => {},
      transaction: async (fn) => fn(await open()),
      close: async () => {
        events.push('close');
      },
    };
  };
  return { events, open };
}

const stage = (name: string, run: Stage['run']): Stage => ({ name, title: `the ${name} stage`, run });

describe('the main job runner', () => {
  it('runs stages in order under numbered headings and shares results between them', async () => {
    const b = buffer();
    const job = await runMainJob(
      [
        stage('collect', async () => ({ result: 42, summary: 'collected 42 headlines', text: 'a table' })),
        stage('train', async (ctx) => ({
          result: null,
          summary: `read ${ctx.results.get('collect')} from collect`,
        })),
      ],
      { env, registry: fakeRegistry(), out: b.out },
    );
    expect(job.ok).toBe(true);
    expect(job.stages.map((s) => [s.name, s.status])).toEqual([
      ['collect', 'ok'],
      ['train', 'ok'],
    ]);
    const text = b.text();
    expect(text).toMatch(
      /── \[1\/2\] collect · the collect stage ─+\na table\n✓ collect done in [\d.]+ s: collected 42 headlines/,
    );
    expect(text).toMatch(/✓ train done in [\d.]+ s: read 42 from collect/);
    expect(text).toMatch(/main job finished in [\d.]+ s: 2 stage\(s\) ok, 0 failed, 0 skipped/);
  });

  it('stops at a failing stage, reports it, and marks the rest skipped', async () => {
    const b = buffer();
    const job = await runMainJob(
      [
        stage('collect', async () => {
          throw new InputError('the sample source is empty: restore models/data/finsent-headlines.jsonl');
        }),
        stage('train', async () => ({ result: null, summary: 'never runs' })),
      ],
      { env, registry: fakeRegistry(), out: b.out },
    );
    expect(job.ok).toBe(false);
    expect(job.error).toBeInstanceOf(InputError);
    expect(job.stages.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(b.text()).toMatch(/✗ collect failed after [\d.]+ s: the sample source is empty/);
    expect(b.text()).not.toContain('never runs');
    expect(b.text()).toMatch(/main job FAILED .*0 stage\(s\) ok, 1 failed, 1 skipped/);
    expect(exitCodeOf(job)).toBe(2);
    expect(exitCodeOf({ ...job, error: new Error('bug') })).toBe(1);
  });

  it('opens the store only when a stage asks for it, once, and closes it at the end', async () => {
    const untouched = fakeStore();
    await runMainJob([stage('a', async () => ({ result: 1, summary: 'no store' }))], {
      env,
      registry: fakeRegistry(),
      out: buffer().out,
      openStore: untouched.open,
    });
    expect(untouched.events).toEqual([]);

    const used = fakeStore();
    await runMainJob(
      [
        stage('a', async (ctx) => ({ result: await ctx.db(), summary: 'opened' })),
        stage('b', async (ctx) => ({ result: await ctx.db(), summary: 'reused' })),
      ],
      { env, registry: fakeRegistry(), out: buffer().out, openStore: used.open },
    );
    expect(used.events).toEqual(['open', 'close']);
  });
});

describe('main job v1', () => {
  it('evaluates vader-base, then trains, compares, registers and promotes the financial vader', () => {
    expect(mainJobStages().map((s) => s.name)).toEqual([
      'collect',
      'validate',
      'featurize',
      'evaluate',
      'train',
      'compare',
      'register',
      'promote',
      'monitor',
      'export',
    ]);
    expect(mainJobStages()[3]!.title).toBe('vader-base on the held-out headlines');
  });

  it("prints the eval table of a model on the project's test split", async () => {
    const b = buffer();
    const job = await runMainJob([evaluateStage({ model: 'fake' })], {
      env,
      registry: fakeRegistry(),
      out: b.out,
    });
    expect(job.ok).toBe(true);
    const report = job.results.get('evaluate') as { dataset: { source: string; n: number } };
    expect(report.dataset.source).toMatch(/finsent-headlines\.test\.jsonl$/);
    expect(report.dataset.n).toBe(111);
    expect(b.text()).toMatch(/accuracy\s+0\.\d{4}/);
    expect(b.text()).toMatch(
      /✓ evaluate done in [\d.]+ s: fake@0\.0\.1: accuracy 0\.\d{4}, macro-F1 0\.\d{4}, ECE 0\.\d{4} on 111 held-out headlines/,
    );
  });

  it('runStart reports an unknown model as a user error (exit code 2) without throwing', async () => {
    let out = '';
    let err = '';
    const deps = {
      registry: fakeRegistry(),
      env,
      stdin: process.stdin,
      stdout: { write: (s: string) => (out += s) } as unknown as NodeJS.WritableStream,
      stderr: { write: (s: string) => (err += s) } as unknown as NodeJS.WritableStream,
    };
    const job = await runStart(deps, [evaluateStage()]);
    expect(exitCodeOf(job)).toBe(2);
    expect(out).toMatch(/✗ evaluate failed .*unknown model "vader-base"/);
    expect(err).toBe('');
  });
});
