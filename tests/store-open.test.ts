import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDb, StoreError } from '../pipeline/store/db';
import { describeStore, openStore, pgliteDir } from '../pipeline/store/open';
import { openPostgres } from '../pipeline/store/postgres';

const root = mkdtempSync(path.join(tmpdir(), 'finsent-open-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that surely belongs to no running process: one that just exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(String(r.stdout));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('opening the embedded store (PGlite under FINSENT_DATA_DIR)', () => {
  const env = { dataDir: path.join(root, 'data') };
  const lock = `${pgliteDir(env)}.lock`;

  it('closes the database and frees its lock when a migration fails', async () => {
    const bad = [{ version: 999, name: 'broken', sql: 'CREATE TABLE oops (' }];
    await expect(openStore(env, { migrations: bad })).rejects.toThrow(/migration 999-broken failed/);
    expect(existsSync(lock)).toBe(false);
  });

  it('applies every migration, persists data, and refuses a second open while held', async () => {
    const db = await openStore(env);
    try {
      const versions = (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map(
        (r) => r.version,
      );
      expect(versions).toEqual(expect.arrayContaining([1, 10, 11]));
      expect(versions).not.toContain(999);
      await db.query(`INSERT INTO store_meta (key, value) VALUES ('persisted', 'yes')`);
      const second = openStore(env);
      await expect(second).rejects.toBeInstanceOf(StoreError);
      await expect(second).rejects.toThrow(/in use by this process .* set DATABASE_URL/);
    } finally {
      await db.close();
    }
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock left by a dead process and finds the data again', async () => {
    writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const db = await openStore(env);
    try {
      expect(await db.query('SELECT value FROM store_meta WHERE key = $1', ['persisted'])).toEqual([
        { value: 'yes' },
      ]);
    } finally {
      await db.close();
    }
  });

  it('refuses a directory held by another live process, naming it and the way out', async () => {
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), since: 'earlier' }));
    try {
      await expect(openStore(env)).rejects.toThrow(
        new RegExp(`in use by pid ${process.ppid} .*If no such process runs, delete .*pglite\\.lock`),
      );
    } finally {
      rmSync(lock, { force: true });
    }
  });

  it('explains a corrupt data directory and how to move it aside', async () => {
    const broken = { dataDir: path.join(root, 'broken') };
    mkdirSync(pgliteDir(broken), { recursive: true });
    writeFileSync(path.join(pgliteDir(broken), 'PG_VERSION'), 'garbage\n');
    await expect(openStore(broken)).rejects.toThrow(/corrupt .*PG_VERSION says "garbage".*mv /);
    expect(existsSync(`${pgliteDir(broken)}.lock`)).toBe(false);
  });

  it('explains a data directory that cannot be created', async () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'not a directory');
    await expect(openStore({ dataDir: path.join(file, 'sub') })).rejects.toThrow(
      /cannot create .* set FINSENT_DATA_DIR to a writable directory/,
    );
  });

  it('describes where it stores without showing a password', () => {
    expect(describeStore(env)).toBe(`PGlite at ${path.join(env.dataDir, 'pglite')}`);
    expect(describeStore({ ...env, databaseUrl: 'postgres://app:s3cret@db.example.com/finsent' })).toBe(
      'Postgres at postgres://app:***@db.example.com/finsent',
    );
  });
});

describe('connecting to Postgres', () => {
  it('retries a refused connection with backoff, then names the fix without the password', async () => {
    const port = await closedPort();
    const wait = vi.fn(async () => {});
    const error = await openPostgres(
      `postgres://app:s3cret@127.0.0.1:${port}/x`,
      { connectAttempts: 3 },
      wait,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      /could not connect to Postgres \(postgres:\/\/app:\*\*\*@127\.0\.0\.1/,
    );
    expect((error as Error).message).toMatch(/ECONNREFUSED|connect/);
    expect((error as Error).message).not.toContain('s3cret');
    expect(wait).toHaveBeenCalledTimes(2);
    const delays = wait.mock.calls.map((c) => (c as unknown as [number])[0]);
    expect(delays[0]).toBeGreaterThanOrEqual(125);
    expect(delays[1]).toBeGreaterThanOrEqual(250);
  });

  const url = process.env.DATABASE_URL;
  it.skipIf(!url)('does not retry what waiting cannot fix (an unknown database)', async () => {
    const wrong = new URL(url!);
    wrong.pathname = '/finsent_no_such_database';
    const wait = vi.fn(async () => {});
    await expect(openPostgres(wrong.toString(), { connectAttempts: 4 }, wait)).rejects.toThrow(
      /does not exist; check DATABASE_URL/,
    );
    expect(wait).not.toHaveBeenCalled();
  });

  it.skipIf(!url)('cancels a statement that runs past the statement timeout', async () => {
    const db = await openDb({ databaseUrl: url, statementTimeoutMs: 200, max: 1 });
    try {
      await expect(db.query('SELECT pg_sleep(3)')).rejects.toThrow(/statement timeout/);
      expect(await db.query<{ ok: number }>('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    } finally {
      await db.close();
    }
  });
});
