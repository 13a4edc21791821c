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
  /**
   * PGlite only: `worker` runs the embedded database on its own thread (the API server's default,
   * see docs/adr/066), `main` (the default elsewhere) on the calling thread.
   */
  pgliteThread?: 'main' | 'worker';
  /** Pool size for postgres.js. */
  max?: number;
  /**
   * Postgres only: how many times to try connecting before giving up (default 5, with
   * exponential backoff and jitter from 250 ms, capped at 4 s). Neon computes that scale to
   * zero and servers that are still starting refuse the first attempts.
   */
  connectAttempts?: number;
  /**
   * Postgres only: server-side `statement_timeout` in ms (default 60 000; 0 disables). A
   * runaway query then fails with a clear error instead of holding a pooled connection forever.
   */
  statementTimeoutMs?: number;
}
