import path from 'node:path';
import { REPO_ROOT } from '../../../lib/paths';
import { iso, num, record, type SectionContext, str } from '../context';
import type { EvalSummary, Evaluation } from '../schema';

const LABELS = ['positive', 'negative', 'neutral'] as const;
const Z95 = 1.959963984540054;

interface PerformanceRow {
  id: unknown;
  model: string;
  version: string;
  dataset: string;
  dataset_fingerprint: unknown;
  context: string;
  n: number;
  accuracy: unknown;
  macro_f1: unknown;
  ece: unknown;
  latency_p50_ms: unknown;
  latency_p95_ms: unknown;
  latency_p99_ms: unknown;
  metrics: unknown;
  created_at: unknown;
}

/**
 * Wilson score interval for a proportion: honest at small n and near 0 or 1, where the normal
 * approximation leaves [0, 1]. Used when a stored evaluation carries no interval of its own.
 *
 * @example wilson(0.5, 100) // [0.4038, 0.5962]
 */
export function wilson(p: number, n: number, z: number = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * A confidence interval stored by another module, in any of the shapes seen so far:
 * `{low, high}`, `{lower, upper}`, `{ci_low, ci_high}` or `[low, high]`.
 */
export function readInterval(value: unknown): [number, number] | null {
  if (Array.isArray(value) && value.length === 2) {
    const [a, b] = value.map(num);
    return a !== null && a !== undefined && b !== null && b !== undefined ? [a, b] : null;
  }
  const r = record(value);
  for (const [lo, hi] of [
    ['low', 'high'],
    ['lower', 'upper'],
    ['ci_low', 'ci_high'],
  ] as const) {
    const a = num(r[lo]);
    const b = num(r[hi]);
    if (a !== null && b !== null) return [a, b];
  }
  return null;
}

/**
 * `model_performance.metrics` holds either a whole EvalReport (`finsent eval --json`) or its
 * `metrics` part, optionally with `ci`/`calibration`/`latency` beside it. Take what is there.
 */
function parts(metricsColumn: unknown) {
  const bag = record(metricsColumn);
  const metrics = 'metrics' in bag && typeof bag.metrics === 'object' ? record(bag.metrics) : bag;
  const ci = record(bag.ci ?? metrics.ci ?? bag.confidence_intervals ?? metrics.confidence_intervals);
  return {
    bag,
    metrics,
    ci,
    calibration: record(bag.calibration ?? metrics.calibration),
    latency: record(bag.latency),
  };
}

function metricList(row: PerformanceRow, p: ReturnType<typeof parts>): Evaluation['metrics'] {
  const candidates: [string, unknown, string[]][] = [
    ['accuracy', row.accuracy ?? p.metrics.accuracy, ['accuracy']],
    ['macro_f1', row.macro_f1 ?? p.metrics.macroF1 ?? p.metrics.macro_f1, ['macro_f1', 'macroF1']],
    ['weighted_f1', p.metrics.weightedF1 ?? p.metrics.weighted_f1, ['weighted_f1', 'weightedF1']],
  ];
  const out: Evaluation['metrics'] = [];
  for (const [name, raw, keys] of candidates) {
    const value = num(raw);
    if (value === null) continue;
    const stored = keys.map((k) => readInterval(p.ci[k])).find((x) => x !== null) ?? null;
    if (stored) {
      out.push({
        name,
        value,
        ci_low: stored[0],
        ci_high: stored[1],
        ci_method: String(p.ci.method ?? 'stored 95%'),
      });
    } else if (name === 'accuracy') {
      const [lo, hi] = wilson(value, row.n);
      out.push({ name, value, ci_low: lo, ci_high: hi, ci_method: 'Wilson 95%' });
    } else {
      out.push({ name, value, ci_low: null, ci_high: null, ci_method: null });
    }
  }
  return out;
}

function confusionOf(metrics: Record<string, unknown>): Evaluation['confusion'] {
  const c = record(metrics.confusion);
  const labels = Array.isArray(c.labels) ? c.labels.map(String) : null;
  const matrix = Array.isArray(c.matrix) ? c.matrix : null;
  if (!labels || !matrix || !labels.every((l) => (LABELS as readonly string[]).includes(l))) return null;
  const rows = matrix.map((r) =>
    Array.isArray(r) ? r.map((v) => Math.max(0, Math.round(num(v) ?? 0))) : [],
  );
  if (rows.length !== labels.length || rows.some((r) => r.length !== labels.length)) return null;
  return { labels: labels as (typeof LABELS)[number][], matrix: rows };
}

function perClassOf(metrics: Record<string, unknown>): Evaluation['per_class'] {
  const pc = record(metrics.perClass ?? metrics.per_class);
  return LABELS.flatMap((label) => {
    const m = record(pc[label]);
    const precision = num(m.precision);
    const recall = num(m.recall);
    const f1 = num(m.f1);
    const support = num(m.support);
    if (precision === null || recall === null || f1 === null || support === null) return [];
    return [{ label, precision, recall, f1, support: Math.round(support) }];
  });
}

function reliabilityOf(row: PerformanceRow, calibration: Record<string, unknown>): Evaluation['reliability'] {
  const ece = num(calibration.ece) ?? num(row.ece);
  const bins = Array.isArray(calibration.bins) ? calibration.bins.map(record) : [];
  if (ece === null) return null;
  return {
    ece,
    mce: num(calibration.mce),
    bins: bins.flatMap((b) => {
      const lower = num(b.lower);
      const upper = num(b.upper);
      const count = num(b.count);
      if (lower === null || upper === null || count === null) return [];
      return [
        { lower, upper, count: Math.round(count), accuracy: num(b.accuracy), confidence: num(b.confidence) },
      ];
    }),
  };
}

function latencyOf(row: PerformanceRow, latency: Record<string, unknown>): Evaluation['latency'] {
  // Single-text timings are what a caller of the API waits for; prefer them when present.
  const single = record(record(latency.single).ms);
  const batched = record(latency.batched);
  const perText = record(batched.perTextMs);
  const throughput = num(batched.throughputPerSec);
  for (const [mode, s] of [
    ['single', single],
    ['batched', perText],
  ] as const) {
    const p50 = num(s.p50);
    const p95 = num(s.p95);
    const p99 = num(s.p99);
    if (p50 !== null && p95 !== null && p99 !== null) {
      return { mode, p50, p95, p99, mean: num(s.mean), max: num(s.max), throughput_per_sec: throughput };
    }
  }
  const p50 = num(row.latency_p50_ms);
  const p95 = num(row.latency_p95_ms);
  const p99 = num(row.latency_p99_ms);
  if (p50 === null || p95 === null || p99 === null) return null;
  return { mode: 'columns', p50, p95, p99, mean: null, max: null, throughput_per_sec: throughput };
}

/**
 * Datasets are stored as the path evaluated; the site may be public, so show paths inside the
 * repository relative to it and any other path by its file name only.
 */
export function displayDataset(source: string): string {
  if (!path.isAbsolute(source)) return source;
  const rel = path.relative(REPO_ROOT, source);
  return rel.startsWith('..') || path.isAbsolute(rel) ? path.basename(source) : rel.split(path.sep).join('/');
}

/** Turns one model_performance row into the contract's Evaluation. */
export function toEvaluation(row: PerformanceRow): Evaluation {
  const p = parts(row.metrics);
  return {
    id: String(row.id),
    model: row.model,
    version: row.version,
    dataset: displayDataset(row.dataset),
    dataset_fingerprint: str(row.dataset_fingerprint),
    context: row.context,
    n: row.n,
    created_at: iso(row.created_at),
    metrics: metricList(row, p),
    per_class: perClassOf(p.metrics),
    confusion: confusionOf(p.metrics),
    reliability: reliabilityOf(row, p.calibration),
    latency: latencyOf(row, p.latency),
  };
}

export function summarise(e: Evaluation): EvalSummary {
  const value = (name: string) => e.metrics.find((m) => m.name === name)?.value ?? null;
  return {
    model: e.model,
    version: e.version,
    dataset: e.dataset,
    context: e.context,
    n: e.n,
    accuracy: value('accuracy'),
    macro_f1: value('macro_f1'),
    ece: e.reliability?.ece ?? null,
    created_at: e.created_at,
  };
}

/**
 * The latest evaluation of each (model, version, dataset, context), newest first, capped: the
 * dashboard compares current figures, not every re-run. Empty list when the table is missing.
 */
export async function loadEvaluations(ctx: SectionContext, limit = 60): Promise<Evaluation[]> {
  const state = await ctx.table('model_performance');
  if (!state.available) return [];
  const rows = await ctx.db.query<PerformanceRow>(
    `SELECT * FROM (
       SELECT DISTINCT ON (model, version, dataset, context)
         id, model, version, dataset, dataset_fingerprint, context, n, accuracy, macro_f1, ece,
         latency_p50_ms, latency_p95_ms, latency_p99_ms, metrics, created_at
       FROM model_performance
       ORDER BY model, version, dataset, context, created_at DESC, id DESC
     ) latest
     ORDER BY created_at DESC, id DESC
     LIMIT $1`,
    [limit],
  );
  return rows.map(toEvaluation);
}

/** How many evaluations each (model, version) has, and when it was first and last evaluated. */
export async function evaluationStats(
  ctx: SectionContext,
): Promise<
  { model: string; version: string; n: number; first: string; last: string; best: number | null }[]
> {
  const state = await ctx.table('model_performance');
  if (!state.available) return [];
  const rows = await ctx.db.query<{
    model: string;
    version: string;
    n: number;
    first: unknown;
    last: unknown;
    best: unknown;
  }>(
    `SELECT model, version, count(*)::int AS n, min(created_at) AS first, max(created_at) AS last,
            max(macro_f1)::float8 AS best
     FROM model_performance GROUP BY model, version ORDER BY model, max(created_at) DESC`,
  );
  return rows.map((r) => ({
    model: r.model,
    version: r.version,
    n: r.n,
    first: iso(r.first),
    last: iso(r.last),
    best: num(r.best),
  }));
}
