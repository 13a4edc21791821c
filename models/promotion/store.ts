import type { Db } from '../../pipeline/store/db';

export interface PromotionRecord {
  family: string;
  fromVersion: string | null;
  toVersion: string;
  kind: 'promote' | 'rollback';
  mode: 'local' | 'pull-request' | 'merge';
  status: 'proposed' | 'applied' | 'deployed' | 'failed';
  verdict?: string | null;
  prNumber?: number | null;
  prUrl?: string | null;
  commitSha?: string | null;
  /** Makes re-runs idempotent: the same event is recorded once. */
  eventKey: string;
  reasons?: readonly string[];
  detail?: Record<string, unknown>;
  at?: Date;
}

export interface PromotionRow {
  id: number;
  family: string;
  from_version: string | null;
  to_version: string;
  kind: string;
  mode: string;
  status: string;
  verdict: string | null;
  pr_number: number | null;
  pr_url: string | null;
  commit_sha: string | null;
  event_key: string;
  reasons: string[];
  detail: Record<string, unknown>;
  created_at: string;
}

/** Inserts the record unless its event was recorded already; true when a row was written. */
export async function recordPromotion(db: Db, r: PromotionRecord): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO promotions (family, from_version, to_version, kind, mode, status, verdict, pr_number, pr_url,
       commit_sha, event_key, reasons, detail, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::jsonb, $13::text::jsonb, $14)
     ON CONFLICT (event_key) DO NOTHING RETURNING id`,
    [
      r.family,
      r.fromVersion,
      r.toVersion,
      r.kind,
      r.mode,
      r.status,
      r.verdict ?? null,
      r.prNumber ?? null,
      r.prUrl ?? null,
      r.commitSha ?? null,
      r.eventKey,
      JSON.stringify(r.reasons ?? []),
      JSON.stringify(r.detail ?? {}),
      (r.at ?? new Date()).toISOString(),
    ],
  );
  return rows.length > 0;
}

export async function listPromotions(db: Db, family?: string, limit = 50): Promise<PromotionRow[]> {
  const rows = await db.query<PromotionRow>(
    `SELECT * FROM promotions WHERE ($1::text IS NULL OR family = $1) ORDER BY created_at DESC, id DESC LIMIT $2`,
    [family ?? null, limit],
  );
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    created_at:
      (r.created_at as unknown) instanceof Date
        ? (r.created_at as unknown as Date).toISOString()
        : r.created_at,
  }));
}

/**
 * The champion before the current one, from the audit trail: the `from_version` of the newest
 * applied promotion (merge or local) that put `current` in place.
 */
export async function previousChampion(db: Db, family: string, current: string): Promise<string | undefined> {
  const rows = await db.query<{ from_version: string | null }>(
    `SELECT from_version FROM promotions WHERE family = $1 AND to_version = $2 AND status IN ('applied', 'deployed')
       AND from_version IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
    [family, current],
  );
  return rows[0]?.from_version ?? undefined;
}
