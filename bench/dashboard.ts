/**
 * `npx tsx bench/dashboard.ts`: how long `finsent export` takes on the demo store (555
 * predictions, 2 evaluations, 68 drift points, 35 quality reports), and how big the built site
 * and its data files are. Prints figures; asserts nothing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST_DIR } from '../dashboard/serve';
import { DEMO_CONFIG, seedDemoStore } from '../pipeline/export/demo';
import { exportSnapshots } from '../pipeline/export/index';
import { openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';

const RUNS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const t0 = performance.now();
const db = await openDb({ dataDir: 'memory://' });
await migrate(db);
const openMs = performance.now() - t0;
const t1 = performance.now();
const seeded = await seedDemoStore(db, { assumedTables: true });
const seedMs = performance.now() - t1;
const times: number[] = [];
let bytes = 0;
let gz = 0;
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  const { snapshots } = await exportSnapshots(db, { config: DEMO_CONFIG, includeText: true });
  times.push(performance.now() - t);
  const texts = Object.values(snapshots).map((s) => `${JSON.stringify(s, null, 1)}\n`);
  bytes = texts.reduce((a, x) => a + Buffer.byteLength(x), 0);
  gz = texts.reduce((a, x) => a + gzipSync(x).length, 0);
}
await db.close();

console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, PGlite in memory`,
);
console.log(
  `open + migrate: ${openMs.toFixed(0)} ms; seed demo store ${JSON.stringify(seeded)}: ${seedMs.toFixed(0)} ms`,
);
console.log(
  `exportSnapshots (9 sections, validated): median ${median(times).toFixed(0)} ms over ${RUNS} runs (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`,
);
console.log(`data files: ${(bytes / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzip`);
if (existsSync(DIST_DIR)) {
  const assets = path.join(DIST_DIR, 'assets');
  for (const f of readdirSync(assets)) {
    const body = readFileSync(path.join(assets, f));
    console.log(
      `site ${f}: ${(statSync(path.join(assets, f)).size / 1024).toFixed(1)} KiB, ${(gzipSync(body).length / 1024).toFixed(1)} KiB gzip`,
    );
  }
} else {
  console.log('site: not built (npm run dashboard:build) — sizes skipped');
}
