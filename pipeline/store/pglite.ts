import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { type Db, StoreError } from './types';

type PgliteLike = {
  query<T>(q: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(q: string): Promise<unknown>;
  transaction<R>(fn: (tx: PgliteTxLike) => Promise<R>): Promise<R>;
  close(): Promise<void>;
};
type PgliteTxLike = {
  query<T>(q: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(q: string): Promise<unknown>;
};

/**
 * Opens PGlite in memory (`memory://` or undefined) or persisted in `dataDir`.
 *
 * PGlite itself does not stop two processes from opening the same directory, and two
 * single-user Postgres instances writing one data directory corrupt it. So a persisted open
 * takes `<dataDir>.lock` (pid + host) first and fails with a clear message while another live
 * process holds it; a lock left by a dead process is taken over.
 */
export async function openPglite(dataDir: string | undefined): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  const target = resolvePgliteTarget(dataDir);
  const release = target ? acquireLock(target) : () => {};
  let pg: PgliteLike;
  try {
    pg = (await PGlite.create(target)) as unknown as PgliteLike;
  } catch (error) {
    release();
    throw openFailure(target, error);
  }
  const wrapTx = (tx: PgliteTxLike): Db => ({
    kind: 'pglite',
    query: async <T extends object>(text: string, params: readonly unknown[] = []) =>
      (await tx.query<T>(text, [...params])).rows,
    exec: async (sql: string) => {
      await tx.exec(sql);
    },
    transaction: (fn) => fn(wrapTx(tx)),
    close: async () => {},
  });
  let closed = false;
  return {
    kind: 'pglite',
    query: async <T extends object>(text: string, params: readonly unknown[] = []) =>
      (await pg.query<T>(text, [...params])).rows,
    exec: async (sql: string) => {
      await pg.exec(sql);
    },
    transaction: (fn) => pg.transaction((tx) => fn(wrapTx(tx))),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await pg.close();
      } finally {
        release();
      }
    },
  };
}

/**
 * The absolute data directory (created if need be), or undefined for an in-memory database.
 * Throws a StoreError naming FINSENT_DATA_DIR when the directory cannot be created.
 */
export function resolvePgliteTarget(dataDir: string | undefined): string | undefined {
  if (!dataDir || dataDir === 'memory://') return undefined;
  const target = path.resolve(dataDir);
  try {
    mkdirSync(path.dirname(target), { recursive: true });
  } catch (error) {
    throw new StoreError(
      `cannot create ${path.dirname(target)} for the embedded database: ${(error as Error).message}; ` +
        'set FINSENT_DATA_DIR to a writable directory',
      { action: 'opening PGlite', input: target },
      { cause: error },
    );
  }
  return target;
}

export function openFailure(target: string | undefined, error: unknown): StoreError {
  const reason = (error as Error)?.message ?? String(error);
  if (target && existsSync(path.join(target, 'PG_VERSION'))) {
    const version = readFileSync(path.join(target, 'PG_VERSION'), 'utf8').trim().slice(0, 20);
    return new StoreError(
      `the embedded database at ${target} cannot be opened (${reason}); it is corrupt or was written by ` +
        `an incompatible PGlite version (its PG_VERSION says "${version}"). Move it aside ` +
        `(mv ${target} ${target}.broken) to start with an empty one, restore a backup, or set DATABASE_URL`,
      { action: 'opening PGlite', input: target, pgVersion: version },
      { cause: error },
    );
  }
  return new StoreError(
    `could not open the embedded database at ${target ?? 'memory'}: ${reason}; ` +
      'check that FINSENT_DATA_DIR is writable and has free space',
    { action: 'opening PGlite', input: target },
    { cause: error },
  );
}

interface LockRecord {
  pid: number;
  host: string;
  since: string;
}

/** Takes `<dir>.lock`; returns the function that gives it back. */
export function acquireLock(dir: string): () => void {
  const lockPath = `${dir}.lock`;
  const record: LockRecord = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, JSON.stringify(record));
      closeSync(fd);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreError(
          `cannot write the lock file ${lockPath}: ${(error as Error).message}; ` +
            'set FINSENT_DATA_DIR to a writable directory',
          { action: 'locking PGlite', input: lockPath },
          { cause: error },
        );
      }
    }
    const holder = readLock(lockPath);
    if (holder && isAlive(holder)) {
      const who = holder.pid === process.pid ? 'this process (it was opened twice)' : `pid ${holder.pid}`;
      throw new StoreError(
        `the embedded database at ${dir} is in use by ${who} on ${holder.host} since ${holder.since}; ` +
          'stop that finsent process (PGlite allows one process at a time) or set DATABASE_URL to share a ' +
          `Postgres server. If no such process runs, delete ${lockPath}`,
        { action: 'locking PGlite', input: dir, holder },
      );
    }
    // Stale: its process is gone (crash, kill -9). Take it over.
    rmSync(lockPath, { force: true });
  }
  throw new StoreError(`could not take the lock ${lockPath}; another process keeps recreating it`, {
    action: 'locking PGlite',
    input: lockPath,
  });
}

function readLock(lockPath: string): LockRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockRecord>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? 'unknown') };
    }
  } catch {
    // Unreadable or half-written lock: treated as stale below.
  }
  return undefined;
}

function isAlive(holder: LockRecord): boolean {
  // A lock from another host (a shared volume) cannot be checked: assume it is live.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
