import path from 'node:path';
import { type Db, openDb, StoreError } from '../store/db';
import { loadMigrations, migrate } from '../store/migrate';

export interface OpenDataDbOptions {
  /** Postgres URL; PGlite under `dataDir` when absent. */
  databaseUrl?: string;
  /** The finsent data directory (`FINSENT_DATA_DIR`); PGlite lives in its `pglite/` folder. */
  dataDir: string;
  /**
   * Where the migration files are. Bundled actions pass the checkout's
   * `pipeline/store/migrations`, because a bundle has no source tree beside it.
   */
  migrationsDir?: string;
}

/**
 * Opens the data store the way every collect/validate entry point does — Postgres when a URL is
 * given, PGlite persisted under the data directory otherwise — and applies pending migrations.
 *
 * @example
 * const db = await openDataDb({ databaseUrl: process.env.DATABASE_URL, dataDir: '.finsent' });
 */
export async function openDataDb(o: OpenDataDbOptions): Promise<Db> {
  let db: Db;
  try {
    db = o.databaseUrl
      ? await openDb({ databaseUrl: o.databaseUrl })
      : await openDb({ dataDir: path.join(o.dataDir, 'pglite') });
  } catch (error) {
    // Bundled actions load PGlite from the checkout (docs/adr/025-action-bundles.md).
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes('pglite')) {
      throw new StoreError(
        'the embedded database (@electric-sql/pglite) is not installed here: set DATABASE_URL ' +
          '(or the database-url input) to use Postgres, or run `npm ci` in the checkout first',
        { action: 'opening the data store' },
        { cause: error },
      );
    }
    throw error;
  }
  try {
    await migrate(db, o.migrationsDir ? loadMigrations(o.migrationsDir) : undefined);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
