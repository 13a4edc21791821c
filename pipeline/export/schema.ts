import * as z from 'zod/mini';

/**
 * The data contract between `finsent export` and the dashboard: one JSON file per section
 * (`overview.json`, `models.json`, …), each validated against these schemas before it is
 * written and again when the dashboard reads it. Bump SCHEMA_VERSION on any breaking change;
 * the dashboard refuses files of another version with a message that says what to re-run.
 * See docs/dashboard.md and docs/adr/056-json-snapshots-as-the-contract.md.
 *
 * This module imports nothing but zod/mini (the tree-shakable API, a fraction of zod's size in
 * the browser bundle) so the site can share it.
 */
export const SCHEMA_VERSION = 1;

export const SECTION_NAMES = [
  'overview',
  'models',
  'comparisons',
  'drift',
  'quality',
  'promotions',
  'traffic',
  'predictions',
  'tickers',
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

const Iso = z.iso.datetime({ offset: true });
const Num = z.number();
const NullNum = z.nullable(z.number());
const Count = z.int().check(z.minimum(0));
const Label = z.enum(['positive', 'negative', 'neutral']);
const LabelCounts = z.object({ positive: Count, negative: Count, neutral: Count });

/** Which table a section read, whether it exists in this store, and how many rows it holds. */
export const SourceTableSchema = z.object({
  table: z.string(),
  available: z.boolean(),
  rows: z.nullable(Count),
  /** Why it could not be used (missing table, missing columns, failed query). */
  note: z.nullable(z.string()),
});

/** Why a section has nothing to show, and the command that would fill it. */
export const EmptySchema = z.object({ reason: z.string(), hint: z.nullable(z.string()) });

function envelope<N extends SectionName, S extends Record<string, z.ZodMiniType>>(section: N, shape: S) {
  return z.object({
    schema_version: z.literal(SCHEMA_VERSION),
    section: z.literal(section),
    generated_at: Iso,
    sources: z.array(SourceTableSchema),
    /** Non-null when the section has no data; its other fields then hold empty lists. */
    empty: z.nullable(EmptySchema),
    ...shape,
  });
}

export const EvalSummarySchema = z.object({
  model: z.string(),
  version: z.string(),
  dataset: z.string(),
  context: z.string(),
  n: Count,
  accuracy: NullNum,
  macro_f1: NullNum,
  ece: NullNum,
  created_at: Iso,
});

export const ServingSchema = z.object({
  default: z.string(),
  split: z.array(z.object({ arm: z.string(), model: z.string(), share: Num })),
  shadow: z.array(z.string()),
});

const Status = z.enum(['ok', 'warn', 'fail', 'unknown']);

export const OverviewSchema = envelope('overview', {
  families: z.array(
    z.object({
      family: z.string(),
      champion: z.string(),
      challenger: z.nullable(z.string()),
      latest: z.nullable(EvalSummarySchema),
    }),
  ),
  serving: z.nullable(ServingSchema),
  health: z.array(z.object({ check: z.string(), status: Status, detail: z.string(), at: z.nullable(Iso) })),
  last_runs: z.array(
    z.object({
      kind: z.enum(['evaluation', 'training', 'quality', 'drift', 'promotion', 'prediction']),
      at: Iso,
      title: z.string(),
      status: Status,
      detail: z.string(),
    }),
  ),
  totals: z.object({
    evaluations: Count,
    predictions: Count,
    tickers: Count,
    drift_alerts: Count,
    promotions: Count,
  }),
});

export const TrainingSchema = z.object({
  started_at: z.nullable(Iso),
  finished_at: z.nullable(Iso),
  status: z.nullable(z.string()),
  data_fingerprint: z.nullable(z.string()),
  params: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), Num),
});

export const ModelsSchema = envelope('models', {
  families: z.array(
    z.object({
      family: z.string(),
      champion: z.nullable(z.string()),
      challenger: z.nullable(z.string()),
      versions: z.array(
        z.object({
          version: z.string(),
          role: z.nullable(z.enum(['champion', 'challenger'])),
          evaluations: Count,
          first_seen: z.nullable(Iso),
          last_evaluated: z.nullable(Iso),
          best_macro_f1: NullNum,
          latest: z.nullable(EvalSummarySchema),
          training: z.nullable(TrainingSchema),
        }),
      ),
    }),
  ),
});

export const MetricWithCiSchema = z.object({
  name: z.string(),
  value: Num,
  ci_low: NullNum,
  ci_high: NullNum,
  /** e.g. "bootstrap 95%" (from the report) or "Wilson 95%" (computed here from n and accuracy). */
  ci_method: z.nullable(z.string()),
});

export const ConfusionSchema = z.object({ labels: z.array(Label), matrix: z.array(z.array(Count)) });

export const ReliabilitySchema = z.object({
  ece: Num,
  mce: NullNum,
  bins: z.array(z.object({ lower: Num, upper: Num, count: Count, accuracy: NullNum, confidence: NullNum })),
});

export const LatencySchema = z.object({
  /** `single` = predict([text]) timed one at a time; `batched` = per-text share of a batch call. */
  mode: z.enum(['single', 'batched', 'columns']),
  p50: Num,
  p95: Num,
  p99: Num,
  mean: NullNum,
  max: NullNum,
  throughput_per_sec: NullNum,
});

export const EvaluationSchema = z.object({
  id: z.string(),
  model: z.string(),
  version: z.string(),
  dataset: z.string(),
  dataset_fingerprint: z.nullable(z.string()),
  context: z.string(),
  n: Count,
  created_at: Iso,
  metrics: z.array(MetricWithCiSchema),
  per_class: z.array(z.object({ label: Label, precision: Num, recall: Num, f1: Num, support: Count })),
  confusion: z.nullable(ConfusionSchema),
  reliability: z.nullable(ReliabilitySchema),
  latency: z.nullable(LatencySchema),
});

export const ComparisonReportSchema = z.object({
  id: z.string(),
  created_at: Iso,
  family: z.string(),
  baseline: z.nullable(z.string()),
  candidate: z.string(),
  kind: z.string(),
  verdict: z.nullable(z.string()),
  deltas: z.array(
    z.object({
      metric: z.string(),
      baseline: NullNum,
      candidate: NullNum,
      delta: NullNum,
      ci_low: NullNum,
      ci_high: NullNum,
    }),
  ),
  mcnemar: z.nullable(
    z.object({ b: z.nullable(Count), c: z.nullable(Count), statistic: NullNum, p_value: NullNum }),
  ),
  reasons: z.array(z.string()),
  pr_url: z.nullable(z.string()),
  release_url: z.nullable(z.string()),
});

export const ComparisonsSchema = envelope('comparisons', {
  evaluations: z.array(EvaluationSchema),
  reports: z.array(ComparisonReportSchema),
});

const DriftStatus = z.string();

export const DriftSchema = envelope('drift', {
  series: z.array(
    z.object({
      model: z.string(),
      version: z.string(),
      metric: z.string(),
      feature: z.nullable(z.string()),
      threshold: NullNum,
      latest_status: z.nullable(DriftStatus),
      points: z.array(z.object({ at: Iso, value: Num, p_value: NullNum, status: z.nullable(DriftStatus) })),
    }),
  ),
  summary: z.object({ ok: Count, warn: Count, alert: Count, latest_at: z.nullable(Iso) }),
});

export const QualitySchema = envelope('quality', {
  reports: z.array(
    z.object({
      id: z.string(),
      run_id: z.nullable(z.string()),
      created_at: Iso,
      verdict: z.string(),
      counts: z.record(z.string(), Num),
      rules: z.array(
        z.object({
          name: z.string(),
          status: z.string(),
          count: NullNum,
          detail: z.nullable(z.string()),
        }),
      ),
    }),
  ),
});

export const PromotionsSchema = envelope('promotions', {
  events: z.array(
    z.object({
      id: z.string(),
      created_at: Iso,
      family: z.string(),
      from_version: z.nullable(z.string()),
      to_version: z.string(),
      kind: z.string(),
      verdict: z.nullable(z.string()),
      pr_url: z.nullable(z.string()),
      release_url: z.nullable(z.string()),
      summary: z.nullable(z.string()),
    }),
  ),
});

export const WindowSchema = z.object({ from: Iso, to: Iso, days: Count });

export const TrafficSchema = envelope('traffic', {
  configured: z.nullable(ServingSchema),
  window: z.nullable(WindowSchema),
  arms: z.array(
    z.object({
      arm: z.string(),
      models: z.array(z.string()),
      n: Count,
      share: Num,
      configured_share: NullNum,
      mean_confidence: Num,
      mean_sentiment: Num,
      labels: LabelCounts,
      latency_p50: Num,
      latency_p95: Num,
      cache_hit_rate: Num,
    }),
  ),
  /** Daily prediction counts per arm, aligned on `buckets`. */
  buckets: z.array(Iso),
  series: z.array(z.object({ arm: z.string(), counts: z.array(Count) })),
});

export const PredictionsSchema = envelope('predictions', {
  window: z.nullable(WindowSchema),
  total: Count,
  labels: LabelCounts,
  by_model: z.array(z.object({ model: z.string(), version: z.string(), n: Count, share: Num })),
  latency: z.nullable(z.object({ p50: Num, p95: Num, p99: Num })),
  cache_hit_rate: NullNum,
  mean_confidence: NullNum,
  volume: z.array(z.object({ bucket: Iso, n: Count, positive: Count, negative: Count, neutral: Count })),
  /** Whether `recent[].text` holds texts (`finsent export --include-text`) or nulls. */
  text_included: z.boolean(),
  recent: z.array(
    z.object({
      id: z.string(),
      created_at: Iso,
      model: z.string(),
      version: z.string(),
      arm: z.nullable(z.string()),
      label: Label,
      sentiment: Num,
      confidence: Num,
      latency_ms: Num,
      ticker: z.nullable(z.string()),
      text: z.nullable(z.string()),
    }),
  ),
});

export const TickersSchema = envelope('tickers', {
  source: z.nullable(z.enum(['processed_features', 'predictions'])),
  window: z.nullable(WindowSchema),
  tickers: z.array(
    z.object({
      ticker: z.string(),
      n: Count,
      mean_sentiment: Num,
      labels: LabelCounts,
      last_at: Iso,
      series: z.array(z.object({ day: Iso, n: Count, mean_sentiment: Num })),
    }),
  ),
});

export const SECTION_SCHEMAS = {
  overview: OverviewSchema,
  models: ModelsSchema,
  comparisons: ComparisonsSchema,
  drift: DriftSchema,
  quality: QualitySchema,
  promotions: PromotionsSchema,
  traffic: TrafficSchema,
  predictions: PredictionsSchema,
  tickers: TickersSchema,
} as const;

export type Overview = z.infer<typeof OverviewSchema>;
export type Models = z.infer<typeof ModelsSchema>;
export type Comparisons = z.infer<typeof ComparisonsSchema>;
export type Evaluation = z.infer<typeof EvaluationSchema>;
export type ComparisonReport = z.infer<typeof ComparisonReportSchema>;
export type Drift = z.infer<typeof DriftSchema>;
export type Quality = z.infer<typeof QualitySchema>;
export type Promotions = z.infer<typeof PromotionsSchema>;
export type Traffic = z.infer<typeof TrafficSchema>;
export type Predictions = z.infer<typeof PredictionsSchema>;
export type Tickers = z.infer<typeof TickersSchema>;
export type EvalSummary = z.infer<typeof EvalSummarySchema>;
export type SourceTable = z.infer<typeof SourceTableSchema>;
export type Empty = z.infer<typeof EmptySchema>;

/** The parsed type of each section file, by name. */
export interface SectionData {
  overview: Overview;
  models: Models;
  comparisons: Comparisons;
  drift: Drift;
  quality: Quality;
  promotions: Promotions;
  traffic: Traffic;
  predictions: Predictions;
  tickers: Tickers;
}

/** The body of a section: everything but the envelope, which the exporter adds. */
export type SectionBody<N extends SectionName> = Omit<
  SectionData[N],
  'schema_version' | 'section' | 'generated_at' | 'sources' | 'empty'
>;

/** The file name of a section inside the data folder. */
export function sectionFile(name: SectionName): string {
  return `${name}.json`;
}
