import type { Candidate } from '../normalise/article';
import type { Db } from '../store/db';

/** One quarantined item: the key it is known by, every reason, and what it looked like. */
export interface QuarantineEntry {
  itemKey: string;
  reasons: string[];
  record: Record<string, unknown>;
  raw: unknown;
}

/** A candidate as a quarantine entry: the normalised fields as far as they got, the raw payload apart. */
export function quarantineEntry(c: Candidate, reasons: string[]): QuarantineEntry {
  return {
    itemKey: c.itemKey,
    reasons,
    record: {
      id: c.id,
      url: c.url,
      headline: c.headline,
      summary: c.summary,
      tickers: c.tickers,
      published_at:
        c.publishedAt && Number.isFinite(c.publishedAt.getTime()) ? c.publishedAt.toISOString() : null,
      collected_at: c.collectedAt.toISOString(),
      language: c.language,
    },
    raw: c.raw,
  };
}

/**
 * Upserts entries in one statement. Seeing the same bad item again refreshes its reasons and
 * bumps `seen_count` instead of adding a row, so re-runs stay idempotent.
 */
export async function upsertQuarantine(
  db: Db,
  source: string,
  stage: 'fetch' | 'collect' | 'validate',
  runId: number | null,
  entries: readonly QuarantineEntry[],
): Promise<number> {
  if (entries.length === 0) return 0;
  // One row per key: ON CONFLICT cannot touch the same row twice in a statement.
  const byKey = new Map(entries.map((e) => [e.itemKey, e]));
  const rows = [...byKey.values()].map((e) => ({
    item_key: e.itemKey,
    reasons: e.reasons,
    record: e.record,
    raw: e.raw === undefined ? null : e.raw,
  }));
  await db.query(
    `INSERT INTO quarantine (source, item_key, stage, reasons, record, raw, run_id)
     SELECT $1, x.item_key, $2, x.reasons, x.record, x.raw, $3
     FROM json_to_recordset($4::text::json) AS x(item_key text, reasons text[], record jsonb, raw jsonb)
     ON CONFLICT (source, item_key) DO UPDATE SET
       stage = EXCLUDED.stage, reasons = EXCLUDED.reasons, record = EXCLUDED.record, raw = EXCLUDED.raw,
       run_id = EXCLUDED.run_id, last_seen_at = now(), seen_count = quarantine.seen_count + 1`,
    [source, stage, runId, JSON.stringify(rows)],
  );
  return rows.length;
}
