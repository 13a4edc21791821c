import { randomBytes } from 'node:crypto';
import { loadQualityConfig } from './config/quality';
import { storeBatch } from './pipeline/collect/store';
import type { Article } from './pipeline/normalise/article';
import { normaliseItem } from './pipeline/normalise/article';
import { type Db, openDb } from './pipeline/store/db';
import { migrate } from './pipeline/store/migrate';
import { checkCandidate } from './pipeline/validate/schema';

const url = process.env.DATABASE_URL!;
const schema = `prof_${randomBytes(3).toString('hex')}`;
const admin = await openDb({ databaseUrl: url, max: 1 });
await admin.exec(`CREATE SCHEMA ${schema}`);
const real = await openDb({ databaseUrl: url, schema });
await migrate(real);
if (process.env.NOFK)
  await real.exec('ALTER TABLE article_sources DROP CONSTRAINT article_sources_article_id_fkey');
const times = new Map<string, number>();
function wrap(db: Db): Db {
  return {
    ...db,
    query: async (text, params) => {
      const t = performance.now();
      const r = await db.query(text, params);
      const k = text.trim().slice(0, 40).replace(/\s+/g, ' ');
      times.set(k, (times.get(k) ?? 0) + performance.now() - t);
      return r;
    },
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
  } as Db;
}
const db = wrap(real);
const rules = loadQualityConfig().row;
const now = new Date();
const arts: Article[] = [];
for (let i = 0; i < Number(process.env.N ?? 20000); i++) {
  const c = normaliseItem(
    {
      itemKey: `k${i}`,
      headline: `Apple shares rise ${i % 9}% after quarterly revenue tops estimates (report ${i})`,
      summary: 'Apple (NASDAQ: AAPL) said results were in line. ' + 'Context. '.repeat(8),
      url: `https://news.example.com/aapl/${i}`,
      tickers: ['AAPL'],
      publishedAt: new Date(Date.parse('2024-01-01') + i * 20000).toISOString(),
      raw: { id: `k${i}`, text: 'x'.repeat(100), label: 'neutral' },
    },
    'sample',
    now,
  );
  const ch = checkCandidate(c, rules);
  if (ch.ok) arts.push(ch.article);
}
const t0 = performance.now();
for (let i = 0; i < arts.length; i += 500)
  await storeBatch(db, {
    runId: 1,
    source: 'sample',
    accepted: arts.slice(i, i + 500),
    rejected: [],
    fetched: 500,
    skippedOld: 0,
    pages: 1,
    storyWindowMs: 48 * 3600e3,
  });
const total = performance.now() - t0;
console.log('store total', Math.round(total), 'ms', Math.round(arts.length / (total / 1000)), '/s');
for (const [k, v] of [...times].sort((a, b) => b[1] - a[1]))
  console.log(Math.round(v).toString().padStart(6), k);
const ex = await real.query(
  `EXPLAIN ANALYZE SELECT r.id, r.headline_hash, r.published_at, r.tickers
         FROM unnest($1::text[]) AS h(hash)
         CROSS JOIN LATERAL (
           SELECT id, headline_hash, published_at, tickers FROM raw_data WHERE headline_hash = h.hash OFFSET 0
         ) AS r`,
  [arts.slice(0, 1000).map((a) => a.headlineHash)],
);
console.log(ex.map((r) => Object.values(r)[0]).join('\n'));
console.log(
  await real.query(
    "select relname, n_live_tup, last_autoanalyze, last_analyze from pg_stat_user_tables where relname = 'raw_data'",
  ),
);
await real.close();
await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
await admin.close();
