import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../pipeline/store/db';
import type { Db } from '../pipeline/store/types';

// PGlite on a worker thread (docs/adr/066): the seam's own tests run on it in store-db.test.ts;
// these check what is particular to the thread.

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'finsent-pglite-worker-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The longest gap between timer ticks while `work` runs: how long the event loop was held. */
async function maxLoopLag(work: () => Promise<unknown>): Promise<{ lag: number; ms: number }> {
  let lag = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  // The last gap counts too: a loop held until the end never ran the timer at all.
  lag = Math.max(lag, performance.now() - last);
  return { lag, ms: performance.now() - started };
}

describe('PGlite on a worker thread', () => {
  it('keeps the event loop free while a long statement runs (the main-thread engine holds it)', async () => {
    const sql = 'SELECT count(*)::int AS n FROM generate_series(1, 800000) g WHERE md5(g::text) LIKE $1';
    const main = await openDb({ dataDir: 'memory://' });
    const worker = await openDb({ dataDir: 'memory://', pgliteThread: 'worker' });
    try {
      const onMain = await maxLoopLag(() => main.query(sql, ['a%']));
      const onWorker = await maxLoopLag(() => worker.query(sql, ['a%']));
      // Same answer either way.
      expect(await worker.query(sql, ['ab%'])).toEqual(await main.query(sql, ['ab%']));
      // On the main thread the loop stalls for about the whole statement; on the worker it ticks.
      expect(onMain.lag).toBeGreaterThan(onMain.ms * 0.5);
      expect(onWorker.lag).toBeLessThan(onMain.lag / 3);
    } finally {
      await main.close();
      await worker.close();
    }
  }, 60_000);

  it('persists under the data directory, holds its lock, and reopens on either thread', async () => {
    const dir = path.join(tempDir(), 'pglite');
    const first = await openDb({ dataDir: dir, pgliteThread: 'worker' });
    await first.exec('CREATE TABLE kept (k text PRIMARY KEY, v int)');
    await first.query('INSERT INTO kept VALUES ($1, $2)', ['a', 1]);
    // One process at a time per directory, whichever thread runs it.
    await expect(openDb({ dataDir: dir })).rejects.toThrow(/in use by this process/);
    await expect(openDb({ dataDir: dir, pgliteThread: 'worker' })).rejects.toThrow(/in use by this process/);
    await first.close();
    const again = await openDb({ dataDir: dir });
    try {
      expect(await again.query('SELECT k, v FROM kept')).toEqual([{ k: 'a', v: 1 }]);
    } finally {
      await again.close();
    }
  }, 60_000);

  describe('errors and transactions', () => {
    let db: Db;
    it('opens', async () => {
      db = await openDb({ dataDir: 'memory://', pgliteThread: 'worker' });
      await db.exec('CREATE TABLE t (id int PRIMARY KEY, at timestamptz, doc jsonb, raw bytea)');
    });

    it('returns Postgres errors with their SQLSTATE, which callers test', async () => {
      const error = await db.query('SELECT * FROM missing_table').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: '42P01', message: expect.stringMatching(/missing_table/) });
      await db.query('INSERT INTO t (id) VALUES (1)');
      await expect(db.query('INSERT INTO t (id) VALUES (1)')).rejects.toMatchObject({
        code: '23505',
        constraint: 't_pkey',
      });
    });

    it('carries dates, JSON and bytes across the thread unchanged', async () => {
      const at = new Date('2026-12-06T10:00:00.123Z');
      await db.query('INSERT INTO t VALUES ($1, $2, $3::text::jsonb, $4)', [
        2,
        at,
        JSON.stringify({ a: [1, 2] }),
        new Uint8Array([0, 255, 7]),
      ]);
      const [row] = await db.query<{ at: Date; doc: unknown; raw: Uint8Array }>(
        'SELECT at, doc, raw FROM t WHERE id = 2',
      );
      expect(row!.at).toBeInstanceOf(Date);
      expect(row!.at.toISOString()).toBe(at.toISOString());
      expect(row!.doc).toEqual({ a: [1, 2] });
      expect([...row!.raw]).toEqual([0, 255, 7]);
    });

    it('commits a transaction, rolls a failed one back, and keeps other queries out until it ends', async () => {
      const result = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id) VALUES (10)');
        // Nested: the same transaction.
        await tx.transaction((inner) => inner.query('INSERT INTO t (id) VALUES (11)'));
        return 'done';
      });
      expect(result).toBe('done');
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t (id) VALUES (12)');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      // A statement that fails inside rolls everything back too.
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t (id) VALUES (13)');
          await tx.query('INSERT INTO t (id) VALUES (10)');
        }),
      ).rejects.toMatchObject({ code: '23505' });
      const ids = await db.query<{ id: number }>('SELECT id FROM t WHERE id >= 10 ORDER BY id');
      expect(ids.map((r) => r.id)).toEqual([10, 11]);

      // While a transaction is open, a query from outside waits for it (as on the main thread).
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      const tx = db.transaction(async (t) => {
        await t.query('INSERT INTO t (id) VALUES (20)');
        await held;
      });
      await new Promise((r) => setTimeout(r, 50));
      const outside = db.query<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE id = 20');
      release();
      await tx;
      expect(await outside).toEqual([{ n: 1 }]);
    });

    it('refuses a parameter that cannot cross threads with a clear error, and stays usable', async () => {
      await expect(db.query('SELECT $1::text AS v', [() => 1])).rejects.toThrow(
        /cannot be sent to the database thread/,
      );
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });

    it('fails every call after close, saying it is closed', async () => {
      await db.close();
      await db.close(); // idempotent
      await expect(db.query('SELECT 1')).rejects.toThrow(/embedded database is closed/);
    });
  });

  it('does not keep a process alive when it is left open and idle', () => {
    // A script that opens, queries and never closes must still exit, as with PGlite on the main
    // thread: the worker only counts as a live handle while a call is pending.
    const script = `
      import { openDb } from './pipeline/store/db.ts';
      const db = await openDb({ dataDir: 'memory://', pgliteThread: 'worker' });
      const [row] = await db.query('SELECT 41 + 1 AS n');
      console.log('answer', row.n);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '..'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.stdout).toContain('answer 42');
    expect(run.status).toBe(0);
  }, 70_000);
});
