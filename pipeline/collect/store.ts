import type { Article } from '../normalise/article';
import { sameStory } from '../normalise/story';
import type { Db } from '../store/db';
import { type QuarantineEntry, upsertQuarantine } from './quarantine';

// Story resolution reads, decides, then writes; concurrent collectors take turns through this
// transaction-scoped lock so two of them cannot both insert the same new story.
const STORY_LOCK = 728052;

export interface BatchInput {
  runId: number;
  source: string;
  accepted: readonly Article[];
  rejected: readonly QuarantineEntry[];
  /** Counters this batch adds to the run's row for the source. */
  fetched: number;
  skippedOld: number;
  pages: number;
  /** Advance the source's watermark to this instant in the same transaction. */
  checkpoint?: Date;
  /** Two items are one story when published this close together (and sharing a headline key). */
  storyWindowMs: number;
}

export interface BatchCounts {
  newArticles: number;
  merged: number;
  unchanged: number;
  quarantined: number;
}

interface StoryRow {
  id: string;
  headline_hash: string;
  published_at: Date;
  tickers: string[];
}

interface Merge {
  tickers: Set<string>;
  summary: string | null;
  n: number;
}

function articleRow(a: Article, runId: number) {
  return {
    id: a.id,
    source: a.source,
    url: a.url,
    headline: a.headline,
    summary: a.summary,
    tickers: a.tickers,
    published_at: a.publishedAt.toISOString(),
    collected_at: a.collectedAt.toISOString(),
    language: a.language,
    raw: a.raw ?? {},
    item_key: a.itemKey,
    headline_hash: a.headlineHash,
    run_id: runId,
  };
}

/**
 * Stores one batch in one transaction: new stories into raw_data (which is their provenance),
 * other items' copies of a known story merged into it (tickers united, the delivery kept in
 * article_sources), items already stored counted as
 * unchanged, quarantine upserted, the run's counters bumped and — when given — the watermark
 * advanced. Each write is a single statement over the whole batch (json_to_recordset). Running
 * the same batch twice changes nothing the second time.
 */
/**
 * Refreshes planner statistics of the collection tables. PGlite has no autovacuum, and a bulk
 * load outruns Postgres's: without statistics, story look-ups get planned as full scans.
 */
export async function analyzeCollectionTables(db: Db): Promise<void> {
  await db.exec('ANALYZE raw_data; ANALYZE article_sources; ANALYZE quarantine');
}

export async function storeBatch(db: Db, b: BatchInput): Promise<BatchCounts> {
  return db.transaction(async (tx) => {
    // Batches are small, simple statements: JIT compilation (Postgres compiles when estimates are
    // high, as they are on tables without statistics) costs far more than it saves here.
    await tx.query('SET LOCAL jit = off');
    await tx.query('SELECT pg_advisory_xact_lock($1)', [STORY_LOCK]);
    const keys = [...new Set(b.accepted.map((a) => a.itemKey))];
    const known = new Set(
      keys.length === 0
        ? []
        : (
            await tx.query<{ item_key: string }>(
              // Per-key probes of the two unique indexes (scalar subqueries are never turned into
              // scans of the whole table, whatever the statistics say).
              `SELECT k.key AS item_key FROM unnest($2::text[]) AS k(key)
               WHERE (SELECT true FROM raw_data r WHERE r.source = $1 AND r.item_key = k.key LIMIT 1)
                  OR (SELECT true FROM article_sources a WHERE a.source = $1 AND a.item_key = k.key LIMIT 1)`,
              [b.source, keys],
            )
          ).map((r) => r.item_key),
    );
    let unchanged = 0;
    const fresh: Article[] = [];
    const seen = new Set<string>();
    for (const a of b.accepted) {
      if (known.has(a.itemKey) || seen.has(a.itemKey)) {
        unchanged++;
        continue;
      }
      seen.add(a.itemKey);
      fresh.push(a);
    }

    const hashes = [...new Set(fresh.map((a) => a.headlineHash))];
    const stories = new Map<string, StoryRow[]>();
    if (hashes.length > 0) {
      // One index probe per hash. `headline_hash = ANY($1)` lets a table without statistics (a first
      // bulk load; PGlite, which has no autovacuum) be scanned whole for every batch: quadratic.
      // OFFSET 0 keeps the planner from flattening the probe into such a scan.
      const rows = await tx.query<StoryRow>(
        `SELECT r.id, r.headline_hash, r.published_at, r.tickers
         FROM unnest($1::text[]) AS h(hash)
         CROSS JOIN LATERAL (
           SELECT id, headline_hash, published_at, tickers FROM raw_data WHERE headline_hash = h.hash OFFSET 0
         ) AS r`,
        [hashes],
      );
      for (const r of rows) {
        const list = stories.get(r.headline_hash) ?? [];
        list.push({ ...r, published_at: new Date(r.published_at) });
        stories.set(r.headline_hash, list);
      }
    }

    const inserts = new Map<string, Article>();
    const dbMerges = new Map<string, Merge>();
    const provenance: { a: Article; articleId: string; merged: boolean }[] = [];
    for (const a of fresh) {
      const list = stories.get(a.headlineHash) ?? [];
      const facts = { headlineHash: a.headlineHash, publishedAt: a.publishedAt, tickers: a.tickers };
      const match = list.find((s) =>
        sameStory(
          facts,
          { headlineHash: s.headline_hash, publishedAt: s.published_at, tickers: s.tickers },
          b.storyWindowMs,
        ),
      );
      if (!match) {
        inserts.set(a.id, { ...a, tickers: [...a.tickers] });
        list.push({
          id: a.id,
          headline_hash: a.headlineHash,
          published_at: a.publishedAt,
          tickers: a.tickers,
        });
        stories.set(a.headlineHash, list);
        provenance.push({ a, articleId: a.id, merged: false });
        continue;
      }
      provenance.push({ a, articleId: match.id, merged: true });
      match.tickers = [...new Set([...match.tickers, ...a.tickers])].sort();
      const pending = inserts.get(match.id);
      if (pending) {
        // The story is new in this very batch: merge before inserting.
        pending.tickers = match.tickers;
        pending.summary = pending.summary ?? a.summary;
      } else {
        const m = dbMerges.get(match.id) ?? { tickers: new Set<string>(), summary: null, n: 0 };
        for (const t of a.tickers) m.tickers.add(t);
        m.summary = m.summary ?? a.summary;
        m.n++;
        dbMerges.set(match.id, m);
      }
    }

    if (inserts.size > 0) {
      const sourceCount = new Map<string, number>();
      for (const p of provenance) sourceCount.set(p.articleId, (sourceCount.get(p.articleId) ?? 0) + 1);
      await tx.query(
        `INSERT INTO raw_data (id, source, url, headline, summary, tickers, published_at, collected_at,
                               language, raw, item_key, headline_hash, source_count, run_id)
         SELECT x.id, x.source, x.url, x.headline, x.summary, x.tickers, x.published_at, x.collected_at,
                x.language, x.raw, x.item_key, x.headline_hash, x.source_count, x.run_id
         FROM json_to_recordset($1::text::json) AS x(
           id text, source text, url text, headline text, summary text, tickers text[],
           published_at timestamptz, collected_at timestamptz, language text, raw jsonb, item_key text,
           headline_hash text, source_count integer, run_id bigint)
         ON CONFLICT DO NOTHING`,
        [
          JSON.stringify(
            [...inserts.values()].map((a) => ({
              ...articleRow(a, b.runId),
              source_count: sourceCount.get(a.id) ?? 1,
            })),
          ),
        ],
      );
    }
    if (dbMerges.size > 0) {
      await tx.query(
        `UPDATE raw_data r SET
           tickers = ARRAY(SELECT DISTINCT t FROM unnest(r.tickers || x.tickers) AS t ORDER BY 1),
           summary = COALESCE(r.summary, x.summary),
           source_count = r.source_count + x.n,
           updated_at = now()
         FROM json_to_recordset($1::text::json) AS x(id text, tickers text[], summary text, n integer)
         WHERE r.id = x.id`,
        [
          JSON.stringify(
            [...dbMerges].map(([id, m]) => ({ id, tickers: [...m.tickers], summary: m.summary, n: m.n })),
          ),
        ],
      );
    }
    const later = provenance.filter((p) => p.merged);
    if (later.length > 0) {
      await tx.query(
        `INSERT INTO article_sources (source, item_key, article_id, url, headline, published_at, collected_at,
                                      run_id, raw)
         SELECT $1, x.item_key, x.article_id, x.url, x.headline, x.published_at, x.collected_at, $2, x.raw
         FROM json_to_recordset($3::text::json) AS x(
           item_key text, article_id text, url text, headline text, published_at timestamptz,
           collected_at timestamptz, raw jsonb)
         ON CONFLICT (source, item_key) DO NOTHING`,
        [
          b.source,
          b.runId,
          JSON.stringify(
            later.map(({ a, articleId }) => ({
              item_key: a.itemKey,
              article_id: articleId,
              url: a.url,
              headline: a.headline,
              published_at: a.publishedAt.toISOString(),
              collected_at: a.collectedAt.toISOString(),
              raw: a.raw ?? {},
            })),
          ),
        ],
      );
    }
    if (provenance.length > 0) {
      // An item that used to fail and now passes (the source fixed it) leaves quarantine.
      await tx.query('DELETE FROM quarantine WHERE source = $1 AND item_key = ANY($2::text[])', [
        b.source,
        provenance.map((p) => p.a.itemKey),
      ]);
    }
    const quarantined = await upsertQuarantine(tx, b.source, 'collect', b.runId, b.rejected);
    const merged = provenance.filter((p) => p.merged).length;
    const counts: BatchCounts = { newArticles: inserts.size, merged, unchanged, quarantined };
    await tx.query(
      `UPDATE collection_run_sources SET
         pages = pages + $3, fetched = fetched + $4, skipped_old = skipped_old + $5,
         new_articles = new_articles + $6, merged = merged + $7, unchanged = unchanged + $8,
         quarantined = quarantined + $9
       WHERE run_id = $1 AND source = $2`,
      [
        b.runId,
        b.source,
        b.pages,
        b.fetched,
        b.skippedOld,
        counts.newArticles,
        merged,
        unchanged,
        quarantined,
      ],
    );
    if (b.checkpoint) {
      await tx.query(
        `UPDATE source_watermarks SET watermark = GREATEST(COALESCE(watermark, $2::timestamptz), $2::timestamptz),
           updated_at = now() WHERE source = $1`,
        [b.source, b.checkpoint.toISOString()],
      );
    }
    return counts;
  });
}
