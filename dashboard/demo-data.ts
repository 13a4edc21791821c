/**
 * `npm run dashboard:demo`: fills dashboard/public/data with the demo snapshots (real vader-base
 * evaluations and predictions over the project's headlines, computed drift, quality and a
 * comparison; see pipeline/export/demo.ts) from a throwaway in-memory store, so the site can be
 * developed and looked at without running the pipeline. Then `npm run dashboard:dev`.
 */
import { DEMO_CONFIG, seedDemoStore } from '../pipeline/export/demo';
import { DEFAULT_EXPORT_DIR } from '../pipeline/export/index';
import { exportToDir, renderOutcomes } from '../pipeline/export/stage';
import { openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';

const out = process.argv[2] ?? DEFAULT_EXPORT_DIR;
const db = await openDb({ dataDir: 'memory://' });
try {
  await migrate(db);
  const seeded = await seedDemoStore(db, { assumedTables: true });
  const result = await exportToDir(db, { outDir: out, config: DEMO_CONFIG, includeText: true });
  process.stdout.write(
    `seeded ${JSON.stringify(seeded)}\nwrote ${result.files.length} files to ${result.outDir}\n${renderOutcomes(result.outcomes)}\n`,
  );
} finally {
  await db.close();
}
