import { type Db, type OpenDbOptions, StoreError } from './types';

/** Connection errors worth another attempt: the server is starting, waking, or briefly full. */
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
  '08000',
  '08001',
  '08004',
  '08006',
]);

export const DEFAULT_CONNECT_ATTEMPTS = 5;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

type Sleep = (ms: number) => Promise<void>;
const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens a postgres.js pool and proves it with `select 1`, retrying refused or timed-out
 * connections with exponential backoff and jitter. Authentication, unknown database and bad
 * URL errors fail at once: waiting does not fix them.
 */
export async function openPostgres(url: string, options: OpenDbOptions, wait: Sleep = sleep): Promise<Db> {
  const attempts = Math.max(1, options.connectAttempts ?? DEFAULT_CONNECT_ATTEMPTS);
  let statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const sql = await createPool(url, options, statementTimeout);
    try {
      await sql.unsafe('select 1');
      return wrapPool(sql);
    } catch (error) {
      lastError = error;
      await sql.end({ timeout: 1 }).catch(() => {});
      // PgBouncer-style poolers (Neon's `-pooler` host) reject unknown startup parameters;
      // fall back to no server-side timeout rather than not connecting at all.
      if (statementTimeout > 0 && /unsupported startup parameter/i.test((error as Error).message)) {
        statementTimeout = 0;
        attempt--;
        continue;
      }
      if (!isRetryable(error) || attempt === attempts) break;
      const backoff = Math.min(4000, 250 * 2 ** (attempt - 1));
      await wait(backoff / 2 + Math.random() * (backoff / 2));
    }
  }
  throw new StoreError(
    `could not connect to Postgres (${redactUrl(url)}): ${describe(lastError)}; ` +
      'check DATABASE_URL (host, port, user, password, database, ?sslmode=require for Neon), ' +
      'or unset it to use the embedded database',
    { action: 'connecting to Postgres', input: redactUrl(url), attempts },
    { cause: lastError },
  );
}

type Pool = {
  unsafe: (q: string, p?: unknown[]) => Promise<unknown>;
  begin: <R>(fn: (tx: unknown) => Promise<R>) => Promise<R>;
  end: (o?: { timeout?: number }) => Promise<void>;
};

async function createPool(url: string, options: OpenDbOptions, statementTimeoutMs: number): Promise<Pool> {
  const { default: postgres } = await import('postgres');
  const connection: Record<string, string> = { application_name: 'finsent' };
  if (options.schema) connection.search_path = options.schema;
  if (statementTimeoutMs > 0) connection.statement_timeout = String(statementTimeoutMs);
  try {
    return postgres(url, {
      max: options.max ?? 10,
      onnotice: () => {},
      connect_timeout: 10,
      // Close idle connections before a serverless host (Neon) or a NAT drops them silently.
      idle_timeout: 60,
      max_lifetime: 30 * 60,
      // Keep int8 / numeric as JS numbers the way PGlite returns them.
      types: {
        bigint: {
          to: 20,
          from: [20],
          serialize: (x: unknown) => String(x),
          parse: (x: string) => Number(x),
        },
        // A string bound to a json/jsonb parameter is already JSON (the bulk-write idiom
        // `jsonb_to_recordset($1::jsonb)` with JSON.stringify(rows)); postgres.js would encode
        // it a second time into a JSON string. PGlite passes strings through: so do we.
        json: {
          to: 114,
          from: [114, 3802],
          serialize: (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x)),
          parse: (x: string) => JSON.parse(x) as unknown,
        },
      },
      connection,
    }) as unknown as Pool;
  } catch (error) {
    throw new StoreError(
      `DATABASE_URL is not a usable Postgres URL (${redactUrl(url)}): ${describe(error)}; ` +
        'expected postgres://user:password@host:5432/database',
      { action: 'connecting to Postgres', input: redactUrl(url) },
      { cause: error },
    );
  }
}

function wrapPool(sql: Pool): Db {
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
    ...wrap(sql),
    transaction: <R>(fn: (tx: Db) => Promise<R>) => sql.begin((tx) => fn(wrap(tx as Tx))),
    close: async () => {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
