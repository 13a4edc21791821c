import { openPglite } from './pglite';
import { openPgliteWorker } from './pglite-thread';
import { openPostgres } from './postgres';
import type { Db, OpenDbOptions } from './types';

export { redactUrl } from './postgres';
export { type Db, type OpenDbOptions, StoreError } from './types';

/**
 * Opens the database seam without migrating it (see `openStore` in ./open for the migrated
 * store the stages use): postgres.js when `databaseUrl` is given, PGlite otherwise.
 *
 * @example
 * const db = await openDb({ dataDir: 'memory://' });
 * await db.query('SELECT 1 AS one'); // → [{ one: 1 }]
 */
export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return options.pgliteThread === 'worker' ? openPgliteWorker(options.dataDir) : openPglite(options.dataDir);
}
