import type { Label } from '../types';
import type { CalibrationResult } from './calibration';
import type { LatencySummary } from './latency';
import type { ClassificationMetrics } from './metrics';

export const EVAL_REPORT_SCHEMA = 'finsent.eval/1';

/**
 * What `finsent eval` measures, as plain JSON (no NaN, no Infinity, no Dates): printed with
 * `--json`, stored by later stages, read by the dashboard.
 */
export interface EvalReport {
  schema: typeof EVAL_REPORT_SCHEMA;
  createdAt: string;
  model: { id: string; family: string; version: string };
  dataset: {
    source: string;
    format: string;
    n: number;
    fingerprint: string;
    counts: Record<Label, number>;
    /** Rows of the file that could not be used (each listed in `warnings`, up to a cap). */
    skippedRows: number;
    warnings: { line: number; message: string }[];
  };
  metrics: ClassificationMetrics;
  calibration: CalibrationResult;
  latency: LatencyReport;
  environment: { node: string; platform: string; arch: string; cpus: number };
}

/**
 * How fast the model ran. All times in milliseconds, wall clock (performance.now) around
 * `model.predict` calls only: loading, file reading and metric computation are excluded.
 */
export interface LatencyReport {
  /** Texts scored untimed before measuring, in batches (JIT warm-up, lazy session creation). */
  warmupTexts: number;
  batched: {
    batchSize: number;
    batches: number;
    /** Sum of the timed `predict(batch)` calls. */
    totalMs: number;
    /** Texts per second over the batched pass: n / totalMs. */
    throughputPerSec: number;
    /** Per-text latency attributed from batches: each text of a batch taking t ms gets t / size. */
    perTextMs: LatencySummary;
  };
  /** `predict([text])` timed one text at a time on an evenly spaced sample; null when disabled. */
  single: { sampleSize: number; ms: LatencySummary } | null;
}
