import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../lib/env';
import { REPO_ROOT } from '../lib/paths';
import { promote as runPromote } from '../models/promotion/promote';
import { LocalRegistry } from '../models/registry/local';
import type { Runtime } from '../models/training/runtime';
import { runCompare, writeComparisonFiles } from '../scripts/commands/compare';
import { runConfigCheck } from '../scripts/commands/config';
import { parseParams, runTrain } from '../scripts/commands/train';
import { fakeFamilies, fakeVaderTrainer, syntheticHeadlines } from './fixtures/promotion/fake-models';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(tmpdir(), 'finsent-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runtime(): Runtime {
  const env = readEnv({ FINSENT_DATA_DIR: path.join(tmp, 'state') });
  return {
    env,
    db: undefined,
    registry: new LocalRegistry(path.join(env.dataDir, 'registry')),
    families: fakeFamilies(),
    trainers: { vader: () => fakeVaderTrainer },
    github: undefined,
    close: async () => {},
  };
}

describe('finsent train / compare / promote / config check', () => {
  const rt = runtime();
  const lines: string[] = [];
  const data = path.join(tmp, 'headlines.jsonl');
  const test = path.join(tmp, 'test.jsonl');
  beforeAll(() => {
    writeFileSync(
      data,
      syntheticHeadlines(700, 21)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    writeFileSync(
      test,
      syntheticHeadlines(250, 22)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
  });

  it('parses --param values as JSON where they are JSON', () => {
    expect(parseParams(['minCount=3', 'name=beta', 'flags={"a":true}'])).toEqual({
      minCount: 3,
      name: 'beta',
      flags: { a: true },
    });
    expect(() => parseParams(['oops'])).toThrow(/--param must be key=value/);
  });

  it('train registers a candidate with held-out metrics and intervals', async () => {
    const out = await runTrain({ model: 'vader', data, seed: '3', param: ['minCount=4'] }, rt, (l) =>
      lines.push(l),
    );
    expect(out).toMatchObject({
      family: 'vader',
      version: '1.0.0',
      registered: true,
      created: true,
      tag: 'vader-v1.0.0',
    });
    expect(out.test!.lower).toBeLessThan(out.test!.macroF1);
    expect(out.comparisons).toEqual([{ against: 'vader@builtin', verdict: 'superior' }]);
    expect(lines.join('\n')).toMatch(
      /training vader on .*headlines\.jsonl: \d+ train \/ \d+ validation \/ \d+ held-out test examples, seed 3/,
    );
    await expect(runTrain({ model: 'vader', data, seed: 'x' }, rt, () => {})).rejects.toThrow(
      /--seed must be an integer/,
    );
  });

  it('compare writes the report, the JSON result and the SVG chart', async () => {
    const result = await runCompare(
      { a: 'vader-base', b: 'vader@1.0.0', data: test, latencySamples: '20' },
      rt,
    );
    expect(result.verdict.verdict).toBe('superior');
    const files = writeComparisonFiles(result, path.join(tmp, 'out'));
    expect(files.map((f) => path.basename(f))).toEqual(['report.md', 'comparison.json', 'comparison.svg']);
    const md = readFileSync(files[0]!, 'utf8');
    expect(md).toContain('**Verdict: SUPERIOR** — promotion allowed');
    expect(md).toMatch(/\| macro-F1 \| 0\.\d{3} \| 0\.\d{3} \| \+0\.\d{3} \| \+0\.\d{3} to \+0\.\d{3} \|/);
    expect(md).toContain('| truth \\ prediction | positive | negative | neutral |');
    const svg = readFileSync(files[2]!, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<text/g)!.length).toBe(svg.match(/<\/text>/g)!.length);
    expect(svg).toContain('Reliability');
    expect(JSON.parse(readFileSync(files[1]!, 'utf8')).verdict.verdict).toBe('superior');
    await expect(
      runCompare({ a: 'vader-base', b: 'vader@1.0.0', data: test, failOn: 'worse' }, rt),
    ).rejects.toThrow(/--fail-on: "worse" is not a verdict/);
  });

  it('promote refuses a comparison whose verdict does not allow it, unless forced, and promotes locally', async () => {
    const result = await runCompare(
      { a: 'vader@1.0.0', b: 'vader@1.0.0', data: test, latencySamples: '0' },
      rt,
    );
    const file = path.join(tmp, 'same.json');
    writeFileSync(file, JSON.stringify(result));
    await expect(runPromote({ model: 'vader', to: '1.0.0', comparison: file }, rt, () => {})).rejects.toThrow(
      /verdict \(non-inferior\) does not allow promotion: .*Pass --force/,
    );
    const out = await runPromote({ model: 'vader', to: '1.0.0', comparison: file, force: true }, rt, (l) =>
      lines.push(l),
    );
    expect(out).toMatchObject({
      mode: 'local',
      status: 'applied',
      from: 'builtin',
      to: '1.0.0',
      reason: 'verdict non-inferior (forced)',
    });
    const back = await runPromote({ model: 'vader', rollback: true }, rt, () => {});
    expect(back).toMatchObject({ kind: 'rollback', to: 'builtin', status: 'applied' });
    await expect(runPromote({ model: 'vader', to: '4.0.0' }, rt, () => {})).rejects.toThrow(
      /vader@4\.0\.0 is not in the local registry/,
    );
  });

  it('config check passes the committed schemas and reports every problem of a broken directory', async () => {
    const dir = path.join(tmp, 'config');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'models.yaml'),
      'families: {vader: {champion: builtin}}\nserving: {default: finbert}\n',
    );
    writeFileSync(path.join(dir, 'promotion.yaml'), 'alpha: 2\n');
    const checks = await runConfigCheck({ dir });
    expect(checks.map((c) => [path.basename(c.file), c.ok])).toEqual([
      ['models.yaml', false],
      ['promotion.yaml', false],
    ]);
    expect(checks[0]!.problems[0]).toMatch(
      /serving\.default: "finbert" names family finbert, which families: does not list/,
    );
    expect(checks[1]!.problems[0]).toMatch(/alpha: /);
    const committed = await runConfigCheck({});
    for (const c of committed.filter((x) => !x.file.endsWith('training.yaml')))
      expect(c).toMatchObject({ ok: true });
  });
});

describe('the finsent binary', () => {
  const dataDir = path.join(tmp, 'bin-state');
  beforeAll(async () => {
    const reg = new LocalRegistry(path.join(dataDir, 'registry'));
    const { buildManifest } = await import('../models/registry/manifest');
    for (const v of ['1.0.0', '1.1.0']) {
      const files = { 'lexicon.json': `{"v":"${v}"}` };
      const manifest = buildManifest({
        family: 'vader',
        version: v,
        parent: v === '1.0.0' ? null : '1.0.0',
        bump: { level: v === '1.0.0' ? 'initial' : 'minor', change: 'retrain', reason: 'test' },
        files,
        training: {
          dataset: 'd',
          fingerprint: 'sha256:1',
          n: 10,
          seed: 1,
          params: { minCount: v === '1.0.0' ? 4 : 6 },
        },
        metrics: { validation: { accuracy: v === '1.0.0' ? 0.8 : 0.82 } },
        code: { commit: 'c' },
      });
      await reg.publish({ manifest, files, modelCard: '# card\n' });
    }
  });
  const cli = (...args: string[]) =>
    run(process.execPath, [path.join(REPO_ROOT, 'bin', 'finsent.js'), ...args], {
      env: { ...process.env, FINSENT_DATA_DIR: dataDir, GITHUB_TOKEN: '', DATABASE_URL: '' },
    });

  it('lists, shows and diffs registry versions', async () => {
    const list = JSON.parse((await cli('registry', 'list', 'vader', '--json')).stdout) as {
      version: string;
    }[];
    expect(list.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect((await cli('registry', 'show', 'vader@1.1.0')).stdout).toMatch(
      /vader-v1\.1\.0 {2}created .* parent 1\.0\.0 +\(minor: test\)/,
    );
    const diff = (await cli('registry', 'diff', 'vader@1.0.0', 'vader@1.1.0')).stdout;
    expect(diff).toContain('artifacts: lexicon.json changed');
    expect(diff).toContain('param minCount: 4 → 6');
    expect(diff).toContain('validation accuracy: 0.8000 → 0.8200 (+0.0200)');
  });

  it('exits 2 with one readable line for a bad id', async () => {
    const err = await cli('registry', 'show', 'vader').catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toBe('finsent: "vader" needs a version, e.g. vader@1.0.0\n');
    const builtin = await cli('registry', 'show', 'vader@builtin').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(builtin).toMatchObject({ code: 2, stderr: expect.stringMatching(/not kept in the registry/) });
  });
});
