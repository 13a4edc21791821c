import type { Db } from '../../pipeline/store/db';
import type { Manifest } from '../registry/manifest';
import type { ComparisonResult, ModelSide } from './compare';

/** Records a comparison (table `comparisons`) and both models' metrics (`model_performance`). */
export async function recordComparison(db: Db, r: ComparisonResult): Promise<number> {
  return db.transaction(async (tx) => {
    const d = r.bootstrap.deltaMacroF1;
    const rows = await tx.query<{ id: number }>(
      `INSERT INTO comparisons (model_a, model_b, dataset, dataset_fingerprint, n, verdict, promote,
         delta_macro_f1, delta_macro_f1_lower, delta_macro_f1_upper, delta_accuracy, p_value, test, result, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::text::jsonb, $15) RETURNING id`,
      [
        r.a.id,
        r.b.id,
        r.dataset.name,
        r.dataset.fingerprint,
        r.dataset.n,
        r.verdict.verdict,
        r.verdict.promote,
        d.estimate,
        d.lower,
        d.upper,
        r.bootstrap.deltaAccuracy.estimate,
        r.pValue,
        r.policy.test,
        JSON.stringify(r),
        r.createdAt,
      ],
    );
    const perf = [side(r.a, r), side(r.b, r)];
    await tx.query(
      `INSERT INTO model_performance (model, version, dataset, dataset_fingerprint, context, n, accuracy, macro_f1, ece,
         latency_p50_ms, latency_p95_ms, latency_p99_ms, metrics, created_at)
       SELECT x.model, x.version, x.dataset, x.dataset_fingerprint, 'comparison', x.n, x.accuracy, x.macro_f1, x.ece,
         x.latency_p50_ms, x.latency_p95_ms, x.latency_p99_ms, x.metrics, x.created_at
       FROM jsonb_to_recordset($1::text::jsonb) AS x(model text, version text, dataset text, dataset_fingerprint text, n integer,
         accuracy double precision, macro_f1 double precision, ece double precision, latency_p50_ms double precision,
         latency_p95_ms double precision, latency_p99_ms double precision, metrics jsonb, created_at timestamptz)`,
      [JSON.stringify(perf)],
    );
    return Number(rows[0]!.id);
  });
}

function side(m: ModelSide, r: ComparisonResult) {
  const boot =
    m === r.a
      ? { f1: r.bootstrap.macroF1A, acc: r.bootstrap.accuracyA }
      : { f1: r.bootstrap.macroF1B, acc: r.bootstrap.accuracyB };
  return {
    model: m.family,
    version: m.version,
    dataset: r.dataset.name,
    dataset_fingerprint: r.dataset.fingerprint,
    n: m.n,
    accuracy: m.accuracy,
    macro_f1: m.macroF1,
    ece: m.ece,
    latency_p50_ms: m.latency?.p50 ?? null,
    latency_p95_ms: m.latency?.p95 ?? null,
    latency_p99_ms: m.latency?.p99 ?? null,
    metrics: {
      perClass: m.perClass,
      confusion: m.confusion,
      macroF1Ci: [boot.f1.lower, boot.f1.upper],
      accuracyCi: [boot.acc.lower, boot.acc.upper],
      comparedWith: m === r.a ? r.b.id : r.a.id,
    },
    created_at: r.createdAt,
  };
}

/** B's held-out metrics with intervals, in the manifest's shape. */
export function manifestTestMetrics(r: ComparisonResult): NonNullable<Manifest['metrics']['test']> {
  return {
    dataset: r.dataset.name,
    fingerprint: r.dataset.fingerprint,
    n: r.dataset.n,
    confidence: r.bootstrap.confidence,
    macroF1: { value: r.b.macroF1, lower: r.bootstrap.macroF1B.lower, upper: r.bootstrap.macroF1B.upper },
    accuracy: { value: r.b.accuracy, lower: r.bootstrap.accuracyB.lower, upper: r.bootstrap.accuracyB.upper },
    ece: r.b.ece,
    latencyP50Ms: r.b.latency?.p50 ?? null,
    latencyP95Ms: r.b.latency?.p95 ?? null,
  };
}

/** The comparison's summary line in the manifest. */
export function manifestComparison(r: ComparisonResult): Manifest['metrics']['comparisons'][number] {
  const d = r.bootstrap.deltaMacroF1;
  return {
    against: r.a.id,
    verdict: r.verdict.verdict,
    deltaMacroF1: { value: d.estimate, lower: d.lower, upper: d.upper },
    pValue: r.pValue,
    test: r.policy.test,
  };
}
