import type { Db } from '../store/db';

export type SourceStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped' | 'rate_limited';
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'abandoned';

export interface SourceState {
  watermark: Date | null;
  lastAttemptAt: Date | null;
  quotaDay: string | null;
  quotaUsed: number;
}

function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(String(v));
}

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Opens a run. Runs still "running" long after they started were killed (SIGKILL, a cancelled
 * job): they are marked abandoned so reports and dashboards stop waiting for them.
 */
export async function startRun(
  db: Db,
  o: { trigger: string; sources: string[]; since?: Date; now: Date; staleAfterMs: number },
): Promise<number> {
  await db.query(
    `UPDATE collection_runs SET status = 'abandoned', finished_at = $1
     WHERE status = 'running' AND started_at < $2`,
    [o.now.toISOString(), new Date(o.now.getTime() - o.staleAfterMs).toISOString()],
  );
  const rows = await db.query<{ id: number }>(
    'INSERT INTO collection_runs (started_at, trigger, sources, since) VALUES ($1, $2, $3::text[], $4) RETURNING id',
    [o.now.toISOString(), o.trigger, o.sources, o.since?.toISOString() ?? null],
  );
  return Number(rows[0]?.id);
}

export async function finishRun(db: Db, runId: number, status: RunStatus, now: Date): Promise<void> {
  await db.query('UPDATE collection_runs SET status = $2, finished_at = $3 WHERE id = $1', [
    runId,
    status,
    now.toISOString(),
  ]);
}

export async function readSourceState(db: Db, source: string): Promise<SourceState> {
  await db.query('INSERT INTO source_watermarks (source) VALUES ($1) ON CONFLICT (source) DO NOTHING', [
    source,
  ]);
  const rows = await db.query<{
    watermark: unknown;
    last_attempt_at: unknown;
    quota_day: unknown;
    quota_used: number;
  }>(
    `SELECT watermark, last_attempt_at, to_char(quota_day, 'YYYY-MM-DD') AS quota_day, quota_used
     FROM source_watermarks WHERE source = $1`,
    [source],
  );
  const r = rows[0];
  return {
    watermark: toDate(r?.watermark),
    lastAttemptAt: toDate(r?.last_attempt_at),
    quotaDay: typeof r?.quota_day === 'string' ? r.quota_day : null,
    quotaUsed: Number(r?.quota_used ?? 0),
  };
}

/** Requests left today under a daily quota (undefined: no quota). */
export function remainingQuota(state: SourceState, daily: number | undefined, now: Date): number | undefined {
  if (daily === undefined) return undefined;
  return state.quotaDay === utcDay(now) ? Math.max(0, daily - state.quotaUsed) : daily;
}

export async function startSourceRun(
  db: Db,
  o: { runId: number; source: string; watermarkBefore: Date | null; now: Date; attempt: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO collection_run_sources (run_id, source, watermark_before, started_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (run_id, source) DO NOTHING`,
    [o.runId, o.source, o.watermarkBefore?.toISOString() ?? null, o.now.toISOString()],
  );
  if (o.attempt) {
    await db.query(
      'UPDATE source_watermarks SET last_attempt_at = $2, updated_at = now() WHERE source = $1',
      [o.source, o.now.toISOString()],
    );
  }
}

export interface SourceFinish {
  runId: number;
  source: string;
  status: SourceStatus;
  error?: string;
  requests: number;
  /** Set only when the source finished completely: all its rows are stored. */
  advanceTo?: Date;
  now: Date;
}

/**
 * Closes a source's part of a run: status, error, requests (charged to today's quota even when
 * the source failed), and the watermark — moved forward only, and only when `advanceTo` is given.
 */
export async function finishSourceRun(db: Db, f: SourceFinish): Promise<Date | null> {
  return db.transaction(async (tx) => {
    const day = utcDay(f.now);
    const rows = await tx.query<{ watermark: unknown }>(
      `UPDATE source_watermarks SET
         watermark = CASE WHEN $2::timestamptz IS NULL THEN watermark
                          ELSE GREATEST(COALESCE(watermark, $2::timestamptz), $2::timestamptz) END,
         last_success_at = CASE WHEN $3 THEN $4::timestamptz ELSE last_success_at END,
         last_error = $5,
         quota_used = CASE WHEN quota_day = $6::date THEN quota_used ELSE 0 END + $7,
         quota_day = $6::date,
         updated_at = now()
       WHERE source = $1 RETURNING watermark`,
      [
        f.source,
        f.advanceTo?.toISOString() ?? null,
        f.status === 'succeeded',
        f.now.toISOString(),
        f.error ?? null,
        day,
        f.requests,
      ],
    );
    const watermark = toDate(rows[0]?.watermark);
    await tx.query(
      `UPDATE collection_run_sources SET status = $3, error = $4, requests = requests + $5,
         watermark_after = $6, finished_at = $7 WHERE run_id = $1 AND source = $2`,
      [
        f.runId,
        f.source,
        f.status,
        f.error ?? null,
        f.requests,
        watermark?.toISOString() ?? null,
        f.now.toISOString(),
      ],
    );
    return watermark;
  });
}
