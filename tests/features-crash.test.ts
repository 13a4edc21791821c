import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/paths';
import { runFeaturizeStage } from '../pipeline/features/featurize';
import { openStore } from '../pipeline/store/open';
import type { Db } from '../pipeline/store/types';
import { dbTargets } from './helpers/db';
import { ensureRawData, insertArticles, keywordModel, makeArticles } from './helpers/raw-data';

const N = 200;
const BATCH = 10;

/** Starts the featurize stage in a child process and SIGKILLs it once `batches` are committed. */
async function killMidway(env: Record<string, string>, batches: number): Promise<{ signal: string | null }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'tests/helpers/featurize-child.ts')],
    { cwd: REPO_ROOT, env: { ...process.env, ...env, CHILD_BATCH: String(BATCH) }, stdio: 'pipe' },
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += String(d);
      if (out.includes(`batch ${batches}\n`)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ signal });
      else reject(new Error(`child exited ${code} before it was killed:\n${out}\n${err.slice(-2000)}`));
    });
  });
}

async function counts(db: Db): Promise<{ rows: number; distinct: number; tickers: number }> {
  const r = await db.query<{ rows: number; distinct: number; tickers: number }>(
    `SELECT (SELECT count(*)::int FROM processed_features WHERE version = 'kill') AS rows,
            (SELECT count(DISTINCT article_id)::int FROM processed_features WHERE version = 'kill') AS distinct,
            (SELECT count(*)::int FROM ticker_features WHERE version = 'kill') AS tickers`,
  );
  return r[0]!;
}

const TICKER_ROWS = N + N / 4; // every fourth article names two tickers

describe('a featurize run killed with SIGKILL midway', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('loses nothing and duplicates nothing on persisted PGlite (and its lock is taken over)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'finsent-crash-'));
    dirs.push(dataDir);
    const setup = await openStore({ dataDir });
    await ensureRawData(setup);
    await insertArticles(setup, makeArticles(N));
    await setup.close();

    await killMidway({ CHILD_DATA_DIR: dataDir }, 3);
    expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(true); // left behind by the dead process

    const db = await openStore({ dataDir });
    try {
      const after = await counts(db);
      expect(after.rows).toBeGreaterThanOrEqual(3 * BATCH);
      expect(after.rows).toBeLessThan(N);
      expect(after.rows % BATCH).toBe(0); // a batch is committed whole or not at all
      expect(after.distinct).toBe(after.rows);
      const rerun = await runFeaturizeStage({ db, models: [keywordModel('kw', 'kill')], batchSize: BATCH });
      expect(rerun.featurized).toBe(N - after.rows);
      expect(await counts(db)).toEqual({ rows: N, distinct: N, tickers: TICKER_ROWS });
    } finally {
      await db.close();
    }
  });

  const postgres = dbTargets().find((t) => t.name === 'postgres');
  it.skipIf(!postgres)('loses nothing and duplicates nothing on Postgres', async () => {
    const db = await postgres!.open();
    try {
      const [{ schema }] = (await db.query<{ schema: string }>('SELECT current_schema() AS schema')) as [
        { schema: string },
      ];
      await ensureRawData(db);
      await insertArticles(db, makeArticles(N));
      await killMidway({ CHILD_DATABASE_URL: process.env.DATABASE_URL!, CHILD_SCHEMA: schema }, 3);
      const after = await counts(db);
      expect(after.rows % BATCH).toBe(0);
      expect(after.rows).toBeGreaterThanOrEqual(3 * BATCH);
      expect(after.distinct).toBe(after.rows);
      const rerun = await runFeaturizeStage({ db, models: [keywordModel('kw', 'kill')], batchSize: BATCH });
      expect(rerun.featurized).toBe(N - after.rows);
      expect(await counts(db)).toEqual({ rows: N, distinct: N, tickers: TICKER_ROWS });
    } finally {
      await db.close();
    }
  });
});
