/**
 * Runs the featurize stage in a separate process so a test can kill it with SIGKILL midway.
 * Env: CHILD_DATABASE_URL + CHILD_SCHEMA (Postgres) or CHILD_DATA_DIR (persisted PGlite).
 * Prints "batch <n>" after each committed batch.
 */
import { runFeaturizeStage } from '../../pipeline/features/featurize';
import { openDb } from '../../pipeline/store/db';
import { openStore } from '../../pipeline/store/open';
import { keywordModel } from './raw-data';

const url = process.env.CHILD_DATABASE_URL;
const db = url
  ? await openDb({ databaseUrl: url, schema: process.env.CHILD_SCHEMA, max: 2 })
  : await openStore({ dataDir: process.env.CHILD_DATA_DIR ?? '' });
await runFeaturizeStage({
  db,
  models: [keywordModel('kw', 'kill', { delayMs: 40 })],
  batchSize: Number(process.env.CHILD_BATCH ?? 10),
  onProgress: (p) => process.stdout.write(`batch ${p.batches}\n`),
});
process.stdout.write('done\n');
await db.close();
