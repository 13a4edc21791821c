import type { Db } from '../store/db';

/** The latest stored evaluation of each model version on each dataset (table `model_performance`). */
export interface StoredPerformance {
  model: string;
  version: string;
  dataset: string;
  context: string;
  n: number;
  accuracy: number | null;
  macroF1: number | null;
  ece: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  createdAt: string;
}

/**
 * One row per (model, version, dataset, context): the newest. `model` narrows to one family.
 *
 *   await latestPerformance(db, { model: 'vader' })
 *   // → [{ model: 'vader', version: '1.2.0', dataset: 'fiqa-test', accuracy: 0.71, … }]
 */
export async function latestPerformance(
  db: Db,
  options: { model?: string; limit?: number } = {},
): Promise<StoredPerformance[]> {
  const params: unknown[] = [options.limit ?? 200];
  let where = '';
  if (options.model) {
    params.push(options.model);
    where = 'WHERE model = $2';
  }
  const rows = await db.query<{
    model: string;
    version: string;
    dataset: string;
    context: string;
    n: number;
    accuracy: number | null;
    macro_f1: number | null;
    ece: number | null;
    latency_p50_ms: number | null;
    latency_p95_ms: number | null;
    latency_p99_ms: number | null;
    created_at: Date | string;
  }>(
    `SELECT * FROM (
       SELECT DISTINCT ON (model, version, dataset, context)
         model, version, dataset, context, n, accuracy, macro_f1, ece,
         latency_p50_ms, latency_p95_ms, latency_p99_ms, created_at
       FROM model_performance ${where}
       ORDER BY model, version, dataset, context, created_at DESC, id DESC
     ) latest ORDER BY created_at DESC LIMIT $1`,
    params,
  );
  return rows.map((r) => ({
    model: r.model,
    version: r.version,
    dataset: r.dataset,
    context: r.context,
    n: Number(r.n),
    accuracy: r.accuracy,
    macroF1: r.macro_f1,
    ece: r.ece,
    latencyP50Ms: r.latency_p50_ms,
    latencyP95Ms: r.latency_p95_ms,
    latencyP99Ms: r.latency_p99_ms,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
