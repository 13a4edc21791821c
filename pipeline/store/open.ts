import path from 'node:path';
import type { FinsentEnv } from '../../lib/env';
import { openDb } from './db';
import { loadMigrations, type Migration, migrate } from './migrate';
import { redactUrl } from './postgres';
import type { Db, OpenDbOptions } from './types';

export type StoreEnv = Pick<FinsentEnv, 'databaseUrl' | 'dataDir'>;

export interface OpenStoreOptions
  extends Pick<OpenDbOptions, 'max' | 'connectAttempts' | 'statementTimeoutMs' | 'pgliteThread'> {
  /** Migrations to apply (default: every file in pipeline/store/migrations). */
  migrations?: Migration[];
  /** Keep PGlite in memory instead of under the data directory (tests, throwaway runs). */
  inMemory?: boolean;
}

/** Where PGlite keeps its files: `$FINSENT_DATA_DIR/pglite`. */
export function pgliteDir(env: Pick<FinsentEnv, 'dataDir'>): string {
  return path.join(env.dataDir, 'pglite');
}

/** A one-line description of the store `openStore(env)` opens, safe to log (no password). */
export function describeStore(env: StoreEnv, options: Pick<OpenStoreOptions, 'inMemory'> = {}): string {
  if (env.databaseUrl) return `Postgres at ${redactUrl(env.databaseUrl)}`;
  return options.inMemory ? 'PGlite in memory' : `PGlite at ${pgliteDir(env)}`;
}

/**
 * Opens the feature store every stage uses, with every migration applied: Postgres when
 * `DATABASE_URL` is set, PGlite persisted under `$FINSENT_DATA_DIR/pglite` otherwise.
 *
 * @example
 * const db = await openStore(readEnv());   // PGlite at .finsent/pglite, migrated
 * try { await runFeaturizeStage({ db, models }); } finally { await db.close(); }
 */
export async function openStore(env: StoreEnv, options: OpenStoreOptions = {}): Promise<Db> {
  const db = await openDb({
    databaseUrl: env.databaseUrl,
    dataDir: options.inMemory ? 'memory://' : pgliteDir(env),
    max: options.max,
    connectAttempts: options.connectAttempts,
    statementTimeoutMs: options.statementTimeoutMs,
    pgliteThread: options.pgliteThread,
  });
  try {
    await migrate(db, options.migrations ?? loadMigrations());
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return db;
}
