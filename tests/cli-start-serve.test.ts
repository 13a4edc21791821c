import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/paths';

// One real `npm start` end to end: the whole main job on embedded defaults (PGlite in a temp
// data dir, the bundled headlines), then the API and the dashboard until SIGTERM.
const BIN = path.join(REPO_ROOT, 'bin', 'finsent.js');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finsent-start-'));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function waitFor(
  re: RegExp,
  read: () => string,
  exited: () => boolean,
  ms: number,
): Promise<RegExpMatchArray> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const m = read().match(re);
      if (m) return resolve(m);
      if (exited() || Date.now() > until) return reject(new Error(`no ${re} in output:\n${read()}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

describe('finsent start without --no-serve', () => {
  it('runs the job, then serves the API and the dashboard until SIGTERM, and exits cleanly', async () => {
    const proc = spawn(process.execPath, [BIN, 'start'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        FINSENT_DATA_DIR: dataDir,
        PORT: '0',
        FINSENT_NO_SERVE: '',
        DATABASE_URL: '',
        REDIS_URL: '',
        FINSENT_LOG_LEVEL: 'warn',
        // FinBERT is not bundled and the network is off: its slot fails, vader keeps serving.
        HF_HUB_OFFLINE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const exited = () => proc.exitCode !== null || proc.signalCode !== null;
    const api = (await waitFor(/finsent API on (http:\/\/[\d.]+:\d+)/, () => out, exited, 50_000))[1]!;
    const dash = (await waitFor(/dashboard: (http:\/\/[\d.]+:\d+\/)/, () => out, exited, 20_000))[1]!;
    expect(out).toMatch(/main job finished in [\d.]+ s: 10 stage\(s\) ok, 0 failed/);
    expect(out).toMatch(/✓ collect done .*: run \d+ succeeded: \d+ new article/);

    const health = await fetch(`${api}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { live: boolean }).live).toBe(true);
    const predicted = await fetch(`${api}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Shares jump after record quarterly revenue', ticker: 'AAPL' }),
    });
    expect(predicted.status, await predicted.clone().text()).toBe(200);
    const body = (await predicted.json()) as {
      prediction: { label: string; model_used: string };
      features?: Record<string, number>;
    };
    expect(body.prediction.label).toBe('positive');
    expect(body.prediction.model_used).toBe('vader');
    expect(body.features).toBeDefined(); // ticker features of the featurized sample
    const feedback = await fetch(`${api}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(feedback.status).toBe(401); // the route is wired; no token is configured
    const viaDashboard = await fetch(`${dash}api/health`);
    expect(viaDashboard.status).toBe(200);
    // The job's export, served by the dashboard: sections backed by the job's tables have data.
    for (const section of ['overview', 'models', 'quality', 'tickers']) {
      const snapshot = (await (await fetch(`${dash}data/${section}.json`)).json()) as { empty: unknown };
      expect(snapshot.empty, section).toBeNull();
    }

    proc.kill('SIGTERM');
    const { code, signal } = await exit;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(out).toMatch(/finsent: stopped/);
  }, 60_000);
});
