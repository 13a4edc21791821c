import type { SectionContext } from '../context';
import type { Empty, SectionBody, SectionData } from '../schema';
import { driftLevel } from './drift';
import type { TrainingRun } from './models';

type Health = SectionBody<'overview'>['health'][number];
type Run = SectionBody<'overview'>['last_runs'][number];

/** Predictions older than this make the freshness check warn. */
export const STALE_AFTER_HOURS = 24;

/** Verdict words of quality reports and promotions, folded onto a health status. */
export function verdictStatus(verdict: string | null): Health['status'] {
  if (verdict === null) return 'unknown';
  const v = verdict.toLowerCase();
  if (
    [
      'pass',
      'passed',
      'ok',
      'accept',
      'accepted',
      'promote',
      'promoted',
      'merged',
      'success',
      'succeeded',
      'completed',
    ].includes(v)
  )
    return 'ok';
  if (
    ['warn', 'warning', 'partial', 'hold', 'inconclusive', 'keep', 'pending', 'open', 'running'].includes(v)
  )
    return 'warn';
  if (['fail', 'failed', 'reject', 'rejected', 'error', 'blocked', 'rollback', 'rolled_back'].includes(v))
    return 'fail';
  return 'unknown';
}

function hoursBetween(a: string, b: Date): number {
  return (b.getTime() - Date.parse(a)) / 3_600_000;
}

function ago(hours: number): string {
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))} min ago`;
  if (hours < 48) return `${Math.round(hours)} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/**
 * The landing view, built from the other sections (no extra queries beyond what they read):
 * champion per family with its latest figures, health checks and the latest runs of each kind.
 */
export function buildOverview(
  ctx: SectionContext,
  s: Omit<SectionData, 'overview'>,
  runs: readonly TrainingRun[],
  configError: string | null,
): { body: SectionBody<'overview'>; empty: Empty | null } {
  const now = ctx.options.now;
  const families = s.models.families.map((f) => {
    const versions = f.versions.filter((v) => v.latest);
    const champ = versions.find((v) => v.version === f.champion) ?? versions[0];
    return {
      family: f.family,
      champion: f.champion ?? 'none',
      challenger: f.challenger,
      latest: champ?.latest ?? null,
    };
  });

  const health: Health[] = [];
  const present = s.models.sources.concat(
    s.drift.sources,
    s.quality.sources,
    s.promotions.sources,
    s.predictions.sources,
  );
  const tables = new Map(present.map((t) => [t.table, t]));
  const available = [...tables.values()].filter((t) => t.available).length;
  health.push({
    check: 'store',
    status: 'ok',
    detail: `${ctx.db.kind === 'postgres' ? 'Postgres' : 'PGlite (embedded)'}; ${available} of ${tables.size} tables the dashboard reads exist`,
    at: null,
  });
  health.push(
    configError
      ? { check: 'config', status: 'fail', detail: configError, at: null }
      : {
          check: 'config',
          status: 'ok',
          detail: `config/models.yaml: ${families.length} families, serving ${ctx.config?.serving.default ?? '?'}`,
          at: null,
        },
  );
  const last = s.predictions.window?.to ?? null;
  if (last) {
    const h = hoursBetween(last, now);
    health.push({
      check: 'predictions',
      status: h > STALE_AFTER_HOURS ? 'warn' : 'ok',
      detail: `last prediction ${ago(h)}; ${s.predictions.total} in the window`,
      at: last,
    });
  } else {
    health.push({
      check: 'predictions',
      status: 'unknown',
      detail: s.predictions.empty?.reason ?? 'no predictions',
      at: null,
    });
  }
  const d = s.drift.summary;
  health.push(
    d.latest_at
      ? {
          check: 'drift',
          status: d.alert > 0 ? 'fail' : d.warn > 0 ? 'warn' : 'ok',
          detail: `${d.alert} alert, ${d.warn} warning, ${d.ok} ok series`,
          at: d.latest_at,
        }
      : { check: 'drift', status: 'unknown', detail: s.drift.empty?.reason ?? 'no drift computed', at: null },
  );
  const q = s.quality.reports[0];
  health.push(
    q
      ? {
          check: 'data quality',
          status: verdictStatus(q.verdict),
          detail: `latest verdict: ${q.verdict}`,
          at: q.created_at,
        }
      : {
          check: 'data quality',
          status: 'unknown',
          detail: s.quality.empty?.reason ?? 'no report',
          at: null,
        },
  );

  const lastRuns: Run[] = [];
  const seen = new Set<string>();
  for (const e of s.comparisons.evaluations) {
    const key = `${e.model}@${e.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const f1 = e.metrics.find((m) => m.name === 'macro_f1')?.value;
    lastRuns.push({
      kind: 'evaluation',
      at: e.created_at,
      title: `evaluated ${key}`,
      status: 'ok',
      detail: `${e.dataset} (n=${e.n})${f1 === undefined ? '' : `, macro-F1 ${f1.toFixed(3)}`}`,
    });
  }
  for (const r of runs.slice(0, 3)) {
    if (!r.started_at) continue;
    lastRuns.push({
      kind: 'training',
      at: r.started_at,
      title: `trained ${r.family}@${r.version}`,
      status: verdictStatus(r.status),
      detail: r.status ?? '',
    });
  }
  for (const r of s.quality.reports.slice(0, 3)) {
    lastRuns.push({
      kind: 'quality',
      at: r.created_at,
      title: 'validated a batch',
      status: verdictStatus(r.verdict),
      detail: `verdict ${r.verdict}`,
    });
  }
  if (d.latest_at) {
    const level = d.alert > 0 ? 'fail' : d.warn > 0 ? 'warn' : 'ok';
    lastRuns.push({
      kind: 'drift',
      at: d.latest_at,
      title: 'computed drift',
      status: level,
      detail: `${s.drift.series.length} series`,
    });
  }
  for (const p of s.promotions.events.slice(0, 3)) {
    lastRuns.push({
      kind: 'promotion',
      at: p.created_at,
      title: `${p.kind} ${p.family} ${p.from_version ?? '∅'} → ${p.to_version}`,
      status: verdictStatus(p.verdict),
      detail: p.verdict ?? '',
    });
  }
  lastRuns.sort((a, b) => b.at.localeCompare(a.at));

  const driftAlerts = s.drift.series.filter((x) => driftLevel(x.latest_status) === 'alert').length;
  const body: SectionBody<'overview'> = {
    families,
    serving: ctx.config?.serving ?? null,
    health,
    last_runs: lastRuns.slice(0, 12),
    totals: {
      evaluations: s.models.families.reduce(
        (sum, f) => sum + f.versions.reduce((a, v) => a + v.evaluations, 0),
        0,
      ),
      predictions: s.predictions.total,
      tickers: s.tickers.tickers.length,
      drift_alerts: driftAlerts,
      promotions: s.promotions.events.length,
    },
  };
  // The overview always has something to say (health, config), so it is never "empty".
  return { body, empty: null };
}
