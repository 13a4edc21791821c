import { randomBytes } from 'node:crypto';
import { type Db, openDb } from '../../pipeline/store/db';
import { migrate } from '../../pipeline/store/migrate';

export interface DbTarget {
  name: 'pglite' | 'pglite-worker' | 'postgres';
  /** Opens a fresh, migrated, isolated database; call the returned db's close() when done. */
  open(): Promise<Db>;
}

/**
 * Every storage test runs against PGlite (always) and the real PostgreSQL server when
 * DATABASE_URL is set (CI sets it). Each Postgres open gets its own schema, dropped on close,
 * so test files can run in parallel against one database. `{ worker: true }` adds PGlite on a
 * worker thread (the API server's default, docs/adr/066) for the tests of the seam itself.
 */
export function dbTargets(options: { worker?: boolean } = {}): DbTarget[] {
  const targets: DbTarget[] = [
    {
      name: 'pglite',
      open: async () => {
        const db = await openDb({ dataDir: 'memory://' });
        await migrate(db);
        return db;
      },
    },
  ];
  if (options.worker) {
    targets.push({
      name: 'pglite-worker',
      open: async () => {
        const db = await openDb({ dataDir: 'memory://', pgliteThread: 'worker' });
        await migrate(db);
        return db;
      },
    });
  }
  const url = process.env.DATABASE_URL;
  if (url) {
    targets.push({
      name: 'postgres',
      open: async () => {
        const schema = `t_${randomBytes(6).toString('hex')}`;
        const admin = await openDb({ databaseUrl: url, max: 1 });
        await admin.exec(`CREATE SCHEMA ${schema}`);
        await admin.close();
        const db = await openDb({ databaseUrl: url, schema, max: 4 });
        await migrate(db);
        const close = db.close;
        return {
          ...db,
          close: async () => {
            await db.exec(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
            await close();
          },
        };
      },
    });
  } else if (!announced) {
    announced = true;
    console.warn('[finsent tests] DATABASE_URL is not set: storage tests run on PGlite only.');
  }
  return targets;
}
let announced = false;
