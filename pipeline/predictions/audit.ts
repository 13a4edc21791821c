import type { Db } from '../store/db';

/**
 * The serving API's audit trail (table `audit_log`, migration 041). It lives beside the
 * prediction log because both are the API's own writes to the store.
 */
export interface AuditEntry {
  /** Who acted: `admin:<token fingerprint>`, or `anonymous` for a refused call. */
  actor: string;
  action: string;
  target?: string | null;
  outcome: 'ok' | 'failed' | 'denied';
  requestId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRow extends Required<Omit<AuditEntry, 'details'>> {
  id: number;
  createdAt: string;
  details: Record<string, unknown>;
}

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, action, target, outcome, request_id, ip, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb)`,
    [
      entry.actor,
      entry.action,
      entry.target ?? null,
      entry.outcome,
      entry.requestId ?? null,
      entry.ip ?? null,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}

/** The most recent entries, newest first. */
export async function recentAudit(db: Db, limit = 50): Promise<AuditRow[]> {
  const rows = await db.query<{
    id: number;
    created_at: Date | string;
    actor: string;
    action: string;
    target: string | null;
    outcome: AuditEntry['outcome'];
    request_id: string | null;
    ip: string | null;
    details: Record<string, unknown> | string;
  }>(
    `SELECT id, created_at, actor, action, target, outcome, request_id, ip, details
     FROM audit_log ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    createdAt: new Date(r.created_at).toISOString(),
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    requestId: r.request_id,
    ip: r.ip,
    details: typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
  }));
}
