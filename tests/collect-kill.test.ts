import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { loadQualityConfig } from '../config/quality';
import { runCollectStage } from '../pipeline/collect/stage';
import { type Db, openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';
import { testSourcesConfig } from './fixtures/sources/config';
import { FIXTURES } from './fixtures/sources/server';
import { type DbTarget, dbTargets } from './helpers/db';

const LINES = 3000;
const COMPANIES = [
  'Acme Robotics',
  'Northwind Bancorp',
  'Globex',
  'Initech',
  'Umbrella Pharma',
  'Stark Industries',
];
const dir = mkdtempSync(path.join(tmpdir(), 'finsent-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * 3,000 sample lines; every 25th repeats an earlier line's headline under a new id a minute
 * later — the same story delivered twice, which must merge even across the kill.
 */
function writeSample(): { file: string; stories: number; newest: string } {
  const file = path.join(dir, `sample-${randomBytes(4).toString('hex')}.jsonl`);
  const base = Date.parse('2024-05-01T00:00:00Z');
  const lines: string[] = [];
  let stories = 0;
  let newest = 0;
  for (let i = 0; i < LINES; i++) {
    const repeat = i % 25 === 24;
    const n = repeat ? i - 20 : i;
    const company = COMPANIES[n % COMPANIES.length];
    const at = base + n * 60_000 + (repeat ? 60_000 : 0);
    newest = Math.max(newest, at);
    if (!repeat) stories++;
    lines.push(
      JSON.stringify({
        id: `k-${i}`,
        text: `${company} reports update number ${n} as shares move ${(n % 7) + 1}% in early trading`,
        label: 'neutral',
        tickers: [],
        published_at: new Date(at).toISOString(),
        source: 'sample',
      }),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, stories, newest: new Date(newest).toISOString() };
}

interface Place {
  env: Record<string, string>;
  open(): Promise<Db>;
  drop(): Promise<void>;
}

async function place(name: DbTarget['name']): Promise<Place> {
  if (name === 'pglite') {
    const dataDir = path.join(dir, `pglite-${randomBytes(4).toString('hex')}`);
    return {
      env: { KILL_PGLITE_DIR: dataDir },
      open: () => openDb({ dataDir }),
      drop: async () => {},
    };
  }
  const url = process.env.DATABASE_URL as string;
  const schema = `t_kill_${randomBytes(5).toString('hex')}`;
  const admin = await openDb({ databaseUrl: url, max: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  await admin.close();
  return {
    env: { KILL_DATABASE_URL: url, KILL_SCHEMA: schema },
    open: () => openDb({ databaseUrl: url, schema, max: 2 }),
    drop: async () => {
      const a = await openDb({ databaseUrl: url, max: 1 });
      await a.exec(`DROP SCHEMA ${schema} CASCADE`);
      await a.close();
    },
  };
}

/** Starts the child collector and SIGKILLs it once it has reported `afterBatches` stored batches. */
function collectAndKill(
  env: Record<string, string>,
  afterBatches: number,
): Promise<{ seen: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'collect-child.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('stored ')) seen++;
      if (line === 'finished') reject(new Error('the child finished before it could be killed'));
      if (seen === afterBatches) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ seen, signal });
    });
  });
}

describe.each(dbTargets().map((t) => t.name))('a collect run killed midway on %s', (name) => {
  it('is re-run to completion with nothing lost and nothing duplicated', async () => {
    const sample = writeSample();
    const where = await place(name);
    try {
      const killed = await collectAndKill({ ...where.env, KILL_SAMPLE: sample.file }, 3);
      expect(killed.signal).toBe('SIGKILL');

      const db = await where.open();
      try {
        await migrate(db);
        const count = async (sql: string) => Number((await db.query<{ n: number }>(sql))[0]?.n);
        // Midway: some batches are stored, not all, and the watermark has not moved.
        const storedItems = await count('SELECT count(*)::int AS n FROM article_provenance');
        expect(storedItems).toBeGreaterThanOrEqual(3 * 200);
        expect(storedItems).toBeLessThan(LINES);
        const mark = await db.query<{ watermark: unknown }>(
          `SELECT watermark FROM source_watermarks WHERE source = 'sample'`,
        );
        expect(mark[0]?.watermark ?? null).toBeNull();
        const killedRun = await db.query<{ status: string }>(
          'SELECT status FROM collection_runs ORDER BY id LIMIT 1',
        );
        expect(killedRun[0]?.status).toBe('running');

        const rerun = await runCollectStage(
          { db },
          {
            sourcesConfig: testSourcesConfig({ sample: { kind: 'sample', path: sample.file } }),
            quality: loadQualityConfig(),
            batchSize: 200,
          },
        );
        expect(rerun.sources[0]?.status).toBe('succeeded');
        expect(rerun.sources[0]?.unchanged).toBe(storedItems);

        // Nothing lost: every line is stored, as a story or as a merged delivery of one.
        expect(await count('SELECT count(*)::int AS n FROM article_provenance')).toBe(LINES);
        expect(await count('SELECT count(*)::int AS n FROM quarantine')).toBe(0);
        // Nothing duplicated: one row per story, one provenance row per item.
        expect(await count('SELECT count(*)::int AS n FROM raw_data')).toBe(sample.stories);
        expect(await count('SELECT count(DISTINCT headline_hash)::int AS n FROM raw_data')).toBe(
          sample.stories,
        );
        expect(await count('SELECT count(DISTINCT item_key)::int AS n FROM article_provenance')).toBe(LINES);
        expect(await count('SELECT count(*)::int AS n FROM raw_data WHERE source_count = 2')).toBe(
          LINES - sample.stories,
        );
        const after = await db.query<{ watermark: Date | string }>(
          `SELECT watermark FROM source_watermarks WHERE source = 'sample'`,
        );
        expect(new Date(after[0]?.watermark as string).toISOString()).toBe(sample.newest);
      } finally {
        await db.close();
      }
    } finally {
      await where.drop();
    }
  }, 120_000);
});
