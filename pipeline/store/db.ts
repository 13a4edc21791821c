import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { FinsentError } from '../../lib/errors';

/**
 * The one database seam. PGlite (embedded Postgres in WebAssembly) and postgres.js (a real
 * server) both speak the same SQL, so every repository and migration is written once against
 * this interface. See docs/adr/003-one-sql-two-engines.md.
 */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** One parameterised statement ($1, $2, …). */
  query<T extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in a transaction; a throw rolls it back. */
  transaction<R>(fn: (tx: Db) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

export class StoreError extends FinsentError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('STORE_ERROR', message, context, options);
  }
}

export interface OpenDbOptions {
  /** Postgres URL; when absent, PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory; `memory://` or undefined keeps it in memory. */
  dataDir?: string;
  /** Postgres schema to use (tests isolate themselves in their own schema). */
  schema?: string;
  /** Pool size for postgres.js. */
  max?: number;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.dataDir);
}

// ---------------------------------------------------------------------------------------------
// PGlite

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

async function openPglite(dataDir: string | undefined): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  let target: string | undefined;
  if (dataDir && dataDir !== 'memory://') {
    mkdirSync(path.dirname(dataDir), { recursive: true });
    target = dataDir;
  }
  let pg: PgliteLike;
  try {
    pg = (await PGlite.create(target)) as unknown as PgliteLike;
  } catch (error) {
    throw new StoreError(
      `could not open the embedded database at ${target ?? 'memory'}: ${(error as Error).message}; ` +
        'check that FINSENT_DATA_DIR is writable and that no other finsent process holds it',
      { action: 'opening PGlite', input: target },
      { cause: error },
    );
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
      await pg.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// postgres.js

async function openPostgres(url: string, options: OpenDbOptions): Promise<Db> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connect_timeout: 10,
    // Keep int8 / numeric as JS numbers the way PGlite returns them.
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (x: unknown) => String(x),
        parse: (x: string) => Number(x),
      },
    },
    ...(options.schema ? { connection: { search_path: options.schema } } : {}),
  });
  try {
    await sql.unsafe('select 1');
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new StoreError(
      `could not connect to Postgres (${redactUrl(url)}): ${(error as Error).message}; ` +
        'check DATABASE_URL, or unset it to use the embedded database',
      { action: 'connecting to Postgres', input: redactUrl(url) },
      { cause: error },
    );
  }
  type Tx = { unsafe: (q: string, p?: unknown[]) => Promise<unknown> };
  const wrap = (tx: Tx): Db => ({
    kind: 'postgres',
    query: async <T extends object>(text: string, params: readonly unknown[] = []) =>
      (await tx.unsafe(text, [...params] as never[])) as unknown as T[],
    exec: async (q: string) => {
      await tx.unsafe(q);
    },
    transaction: (fn) => fn(wrap(tx)),
    close: async () => {},
  });
  let closed = false;
  return {
    ...wrap(sql as unknown as Tx),
    transaction: <R>(fn: (tx: Db) => Promise<R>) =>
      sql.begin((tx) => fn(wrap(tx as unknown as Tx))) as Promise<R>,
    close: async () => {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
}

/** Hides the password in a connection string before it is logged or shown. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}
