import { emptyBecause, iso, num, record, type SectionContext, str } from '../context';
import type { ComparisonReport, Empty, SectionBody } from '../schema';
import { readInterval } from './evaluations';

interface PromotionRow {
  id: unknown;
  created_at: unknown;
  family: string;
  from_version: unknown;
  to_version: unknown;
  kind: unknown;
  pr_url: unknown;
  release_url: unknown;
  verdict?: unknown;
  report?: unknown;
  reasons?: unknown;
  status?: unknown;
}

async function promotionRows(ctx: SectionContext, limit: number): Promise<PromotionRow[]> {
  const state = await ctx.table('promotions');
  if (!state.available) return [];
  // verdict and report are optional extras: select them only when the table has them. The
  // promotion table of migration 023 has no release_url and keeps its reasons in `reasons`.
  const extras = ['verdict', 'report', 'reasons', 'status'].filter((c) => state.columns.has(c));
  const release = state.columns.has('release_url') ? 'release_url' : 'NULL::text AS release_url';
  return ctx.db.query<PromotionRow>(
    `SELECT id, created_at, family, from_version, to_version, kind, pr_url, ${release}${extras.map((c) => `, ${c}`).join('')}
     FROM promotions ORDER BY created_at DESC, id DESC LIMIT $1`,
    [limit],
  );
}

function pValue(r: Record<string, unknown>): number | null {
  return num(r.p_value ?? r.pValue ?? r.p);
}

/**
 * The comparison report a promotion carries (its `report` JSON, written by the promotion code),
 * read defensively: `deltas` as a list or `metrics` as a map of {baseline, candidate, delta, ci}.
 */
export function toComparisonReport(row: PromotionRow): ComparisonReport {
  const report = record(row.report);
  const deltas: ComparisonReport['deltas'] = [];
  const pushDelta = (metric: string, d: Record<string, unknown>) => {
    const baseline = num(d.baseline ?? d.champion);
    const candidate = num(d.candidate ?? d.challenger);
    const delta = num(d.delta) ?? (baseline !== null && candidate !== null ? candidate - baseline : null);
    const ci = readInterval(d.ci ?? d.delta_ci ?? d) ?? null;
    deltas.push({ metric, baseline, candidate, delta, ci_low: ci?.[0] ?? null, ci_high: ci?.[1] ?? null });
  };
  if (Array.isArray(report.deltas)) {
    for (const d of report.deltas.map(record)) pushDelta(String(d.metric ?? d.name ?? '?'), d);
  } else {
    for (const [metric, d] of Object.entries(record(report.metrics))) pushDelta(metric, record(d));
  }
  const m = record(report.mcnemar);
  const mcnemar =
    Object.keys(m).length === 0
      ? null
      : {
          b: num(m.b) === null ? null : Math.round(num(m.b)!),
          c: num(m.c) === null ? null : Math.round(num(m.c)!),
          statistic: num(m.statistic ?? m.chi2),
          p_value: pValue(m),
        };
  const reasons = Array.isArray(report.reasons) ? report.reasons.map(String) : [];
  return {
    id: String(row.id),
    created_at: iso(row.created_at),
    family: row.family,
    baseline: str(row.from_version ?? record(report.baseline).version),
    candidate: String(row.to_version ?? record(report.candidate).version ?? '?'),
    kind: String(row.kind ?? 'promotion'),
    verdict: str(row.verdict ?? report.verdict),
    deltas,
    mcnemar,
    reasons,
    pr_url: str(row.pr_url),
    release_url: str(row.release_url),
  };
}

/** Comparison reports attached to promotions (the ones with a `report`), newest first. */
export async function loadComparisonReports(ctx: SectionContext, limit = 30): Promise<ComparisonReport[]> {
  const rows = await promotionRows(ctx, limit);
  return rows
    .filter((r) => r.report !== undefined && r.report !== null && Object.keys(record(r.report)).length > 0)
    .map(toComparisonReport);
}

export async function exportPromotions(
  ctx: SectionContext,
): Promise<{ body: SectionBody<'promotions'>; empty: Empty | null }> {
  const state = await ctx.table('promotions');
  const rows = await promotionRows(ctx, 200);
  const events = rows.map((r) => {
    const report = record(r.report);
    const reasons = Array.isArray(report.reasons)
      ? report.reasons
      : Array.isArray(r.reasons)
        ? r.reasons
        : null;
    const summary =
      str(report.summary) ??
      (reasons ? `${r.status ? `${String(r.status)}: ` : ''}${reasons.map(String).join('; ')}` : null);
    return {
      id: String(r.id),
      created_at: iso(r.created_at),
      family: r.family,
      from_version: str(r.from_version),
      to_version: String(r.to_version ?? '?'),
      kind: String(r.kind ?? 'promotion'),
      verdict: str(r.verdict ?? report.verdict),
      pr_url: str(r.pr_url),
      release_url: str(r.release_url),
      summary: summary === '' ? null : summary,
    };
  });
  return {
    body: { events },
    empty:
      events.length > 0
        ? null
        : emptyBecause(state, 'no promotion yet', 'run `finsent train` then `finsent promote` to open one'),
  };
}
