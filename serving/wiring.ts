import path from 'node:path';
import type { FinsentEnv } from '../lib/env';
import { MemoryCache } from '../pipeline/cache/memory';
import type { Cache } from '../pipeline/cache/types';
import { type Db, openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';

/**
 * The store and cache `startServer` opens when the caller hands in none. The one place to swap
 * in the shared factories (`openStore(env)`, `openCache(env)` from the store work) when they land.
 */
export async function openServingStore(env: FinsentEnv): Promise<Db> {
  const db = await openDb(
    env.databaseUrl ? { databaseUrl: env.databaseUrl } : { dataDir: path.join(env.dataDir, 'pglite') },
  );
  await migrate(db);
  return db;
}

export async function openServingCache(_env: FinsentEnv): Promise<Cache> {
  return new MemoryCache({ maxEntries: 100_000 });
}
