import { emptyBecause, iso, json, num, numericEntries, record, type SectionContext, str } from '../context';
import type { Empty, SectionBody } from '../schema';

interface QualityRow {
  id: unknown;
  created_at: unknown;
  run_id: unknown;
  verdict: unknown;
  counts: unknown;
  rules: unknown;
}

/**
 * A report's rules as a list, from either a list of {name, status, …} or a map name → result
 * (a status string, a count of failures, or an object).
 */
export function ruleList(value: unknown): SectionBody<'quality'>['reports'][number]['rules'] {
  const v = json(value);
  const one = (name: string, r: unknown) => {
    if (typeof r === 'string') return { name, status: r, count: null, detail: null };
    if (typeof r === 'number') return { name, status: r === 0 ? 'pass' : 'fail', count: r, detail: null };
    if (typeof r === 'boolean') return { name, status: r ? 'pass' : 'fail', count: null, detail: null };
    const o = record(r);
    return {
      name: String(o.name ?? o.rule ?? name),
      status: String(
        o.status ?? o.verdict ?? (o.passed === false ? 'fail' : o.passed === true ? 'pass' : 'unknown'),
      ),
      count: num(o.count ?? o.failed ?? o.violations),
      detail: str(o.detail ?? o.message),
    };
  };
  if (Array.isArray(v)) return v.map((r, i) => one(`rule ${i + 1}`, r));
  return Object.entries(record(v)).map(([name, r]) => one(name, r));
}

/** Data-quality reports of the validation stage, newest first (up to 100). */
export async function exportQuality(
  ctx: SectionContext,
): Promise<{ body: SectionBody<'quality'>; empty: Empty | null }> {
  const state = await ctx.table('data_quality_reports');
  const hint = 'run `finsent collect` then `finsent validate`';
  if (!state.available)
    return { body: { reports: [] }, empty: emptyBecause(state, 'no data-quality report yet', hint) };
  // The validate stage's table (migration 005) covers several runs (run_ids) and keeps the row
  // counts in columns; the demo tables have one run_id and a flat counts object.
  const has = (c: string) => state.columns.has(c);
  const runId = has('run_id')
    ? 'run_id::text'
    : has('run_ids')
      ? "array_to_string(run_ids, ',')"
      : 'NULL::text';
  const counts = has('rows_checked')
    ? "jsonb_build_object('rows', rows_checked, 'accepted', rows_accepted, 'quarantined', rows_quarantined)"
    : has('counts')
      ? 'counts'
      : "'{}'::jsonb";
  const rows = await ctx.db.query<QualityRow>(
    `SELECT id, created_at, ${runId} AS run_id, verdict, ${counts} AS counts, rules FROM data_quality_reports
     ORDER BY created_at DESC, id DESC LIMIT 100`,
  );
  const reports = rows.map((r) => ({
    id: String(r.id),
    run_id: str(r.run_id),
    created_at: iso(r.created_at),
    verdict: String(r.verdict ?? 'unknown'),
    counts: numericEntries(r.counts),
    rules: ruleList(r.rules),
  }));
  return {
    body: { reports },
    empty: reports.length > 0 ? null : emptyBecause(state, 'no data-quality report yet', hint),
  };
}
