import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDriftConfig } from '../config/drift';
import { parseModelsConfig } from '../config/models';
import { readEnv } from '../lib/env';
import { buildReferenceSnapshot } from '../pipeline/monitor/reference';
import { formatMarkdown, formatReport } from '../pipeline/monitor/report';
import { monitorTargets, runMonitorStage } from '../pipeline/monitor/stage';
import type { Db } from '../pipeline/store/db';
import { buildProgram } from '../scripts/cli/program';
import { fakeGitHub } from './fixtures/monitor/fake-github';
import { logPredictions } from './fixtures/monitor/log';
import { asReferenceRows, synthetic } from './fixtures/monitor/synthetic';
import { dbTargets } from './helpers/db';

const models = parseModelsConfig(`
families: { vader: { champion: 1.0.0 }, finbert: { champion: builtin } }
serving: { default: vader }
`);
const until = new Date('2026-03-02T00:00:00Z');

describe('monitor targets', () => {
  it('monitors the serving default with its champion unless told otherwise', () => {
    const config = loadDriftConfig();
    expect(monitorTargets(config, models)).toEqual([{ model: 'vader', version: '1.0.0' }]);
    expect(monitorTargets({ ...config, models: ['finbert'] }, models)).toEqual([{ model: 'finbert' }]);
    expect(monitorTargets(config, models, ['finbert', 'vader'])).toEqual([
      { model: 'finbert' },
      { model: 'vader', version: '1.0.0' },
    ]);
  });
});

describe.each(dbTargets())('the monitor stage on $name', (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
    const rows = synthetic({ n: 1500, seed: 41, mix: [0.05, 0.7, 0.25] });
    await logPredictions(db, rows, { from: new Date('2026-03-01T00:00:00Z'), to: until, prefix: 'w' });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('builds a missing reference through the hook, detects the label shift and opens one issue', async () => {
    const fake = fakeGitHub({ issues: 'issues-open-none.json' });
    const build = vi.fn(async (model: string, version: string | undefined) => {
      const ref = synthetic({ n: 2000, seed: 42 });
      return buildReferenceSnapshot({
        model,
        version: version ?? 'builtin',
        sourceName: 'eval.csv',
        rows: asReferenceRows(ref),
        predictions: ref.map((r) => r.prediction),
      });
    });
    const ctx = { db, env: readEnv({}), modelsConfig: models, until, github: fake.gh, buildReference: build };
    const { report, incidents } = await runMonitorStage(ctx);
    expect(build).toHaveBeenCalledWith('vader', '1.0.0');
    expect(report.models[0]?.drift.signals.find((s) => s.feature === 'label')?.severity).toBe('alert');
    expect(incidents.find((i) => i.kind === 'drift')).toMatchObject({
      action: 'opened',
      retrain: 'requested',
    });
    // Run again: the reference exists now and the issue is updated, not duplicated.
    const again = await runMonitorStage(ctx);
    expect(build).toHaveBeenCalledTimes(1);
    expect(again.incidents.find((i) => i.kind === 'drift')).toMatchObject({
      action: 'updated',
      retrain: 'cooldown',
    });
    expect(fake.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/issues'))).toHaveLength(1);

    const text = formatReport(again.report, again.incidents);
    expect(text).toMatch(/^finsent monitor — window .*: ALERT/);
    expect(text).toMatch(/ALERT labels: Cramér's V/);
    expect(text).toMatch(
      /drift vader: updated \(https:\/\/github.com\/octo-org\/finsent\/issues\/43\); retrain cooldown/,
    );
    const md = formatMarkdown(again.report, again.incidents);
    expect(md).toContain('| label | chi2 |');
    expect(md).toContain('[#43](https://github.com/octo-org/finsent/issues/43)');
  });

  it('runs read-only without alerts when asked', async () => {
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM drift_metrics');
    const { incidents } = await runMonitorStage({
      db,
      env: readEnv({}),
      modelsConfig: models,
      until,
      alerts: false,
      persist: false,
      github: null,
    });
    expect(incidents).toEqual([]);
    expect(await db.query('SELECT count(*)::int AS n FROM drift_metrics')).toEqual(before);
  });
});

describe('finsent monitor (CLI)', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'finsent-monitor-'));
    process.env.FINSENT_DATA_DIR = dir;
    delete process.env.DATABASE_URL;
    delete process.env.GITHUB_TOKEN;
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<{ out: string; err: string; code: number }> {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
      out += String(c);
      return true;
    });
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
      err += String(c);
      return true;
    });
    process.exitCode = 0;
    try {
      await buildProgram().parseAsync(['node', 'finsent', ...args]);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { out, err, code };
  }

  it('rejects a malformed window with exit code 2 and the accepted forms', async () => {
    const r = await cli(['monitor', '--window', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/"yesterday" is not a duration: use a number and a unit, e.g. 30m, 24h, 7d/);
  });

  it('prints one JSON report on an empty embedded store, saying how to build a reference', async () => {
    const r = await cli(['monitor', '--window', '1h', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.status).toBe('insufficient');
    expect(report.models[0].notes[0]).toMatch(/finsent monitor reference --model vader/);
    expect(report.incidents).toEqual([
      expect.objectContaining({ kind: 'drift', action: 'none' }),
      expect.objectContaining({ kind: 'degradation', action: 'none' }),
    ]);
  });
});
