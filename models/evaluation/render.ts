import { LABELS } from '../types';
import type { CalibrationResult } from './calibration';
import type { LatencySummary } from './latency';
import type { ClassificationMetrics } from './metrics';
import type { EvalReport } from './report';

type Align = 'l' | 'r';

/** Pads columns to their widest cell; `align` per column, left by default. */
export function renderTable(
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
  indent = '  ',
): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

const f4 = (v: number) => v.toFixed(4);

/** Decimals that show `ms` with three significant digits (0.0123 → 4, 1.23 → 2, 123 → 0). */
export function msDigits(ms: number): number {
  if (!(ms > 0)) return 2;
  return Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(ms))));
}

/** Milliseconds, never in exponent form; `digits` defaults to three significant digits. */
export function formatMs(ms: number, digits: number = msDigits(ms)): string {
  return ms.toFixed(digits);
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Per-class table with a macro row, as aligned text. */
export function renderClassTable(metrics: ClassificationMetrics): string {
  const rows = [['class', 'precision', 'recall', 'F1', 'support', 'predicted']];
  for (const label of LABELS) {
    const c = metrics.perClass[label];
    rows.push([label, f4(c.precision), f4(c.recall), f4(c.f1), String(c.support), String(c.predicted)]);
  }
  const over = metrics.averagedOver;
  const mean = (key: 'precision' | 'recall') =>
    over.reduce((s, l) => s + metrics.perClass[l][key], 0) / over.length;
  rows.push([
    'macro avg',
    f4(mean('precision')),
    f4(mean('recall')),
    f4(metrics.macroF1),
    String(metrics.n),
    '',
  ]);
  return renderTable(rows, ['l', 'r', 'r', 'r', 'r', 'r']);
}

/** The confusion matrix as a grid: rows are true labels, columns predicted labels. */
export function renderConfusion(metrics: ClassificationMetrics): string {
  const { labels, matrix } = metrics.confusion;
  const rows = [['true \\ predicted', ...labels, 'total']];
  labels.forEach((label, i) => {
    const row = matrix[i]!;
    rows.push([label, ...row.map(String), String(row.reduce((s, v) => s + v, 0))]);
  });
  rows.push([
    'total',
    ...labels.map((_, j) => String(matrix.reduce((s, r) => s + r[j]!, 0))),
    String(metrics.n),
  ]);
  return renderTable(rows, ['l', ...labels.map((): Align => 'r'), 'r']);
}

/** Non-empty reliability bins: where confidence and accuracy part ways. */
export function renderReliability(calibration: CalibrationResult): string {
  const rows = [['confidence bin', 'n', 'accuracy', 'mean conf', 'gap']];
  for (const b of calibration.bins) {
    if (b.count === 0 || b.accuracy === null || b.confidence === null) continue;
    rows.push([
      `(${b.lower.toFixed(3)}, ${b.upper.toFixed(3)}]`,
      String(b.count),
      f4(b.accuracy),
      f4(b.confidence),
      (b.accuracy - b.confidence >= 0 ? '+' : '') + f4(b.accuracy - b.confidence),
    ]);
  }
  return renderTable(rows, ['l', 'r', 'r', 'r', 'r']);
}

function latencyRow(name: string, s: LatencySummary, digits: number): string[] {
  const f = (v: number) => formatMs(v, digits);
  return [name, f(s.p50), f(s.p95), f(s.p99), f(s.mean), f(s.max), String(s.n)];
}

export function renderLatency(latency: EvalReport['latency']): string {
  // One number of decimals for the whole table, set by its smallest figure, so points line up.
  const summaries = [latency.batched.perTextMs, ...(latency.single ? [latency.single.ms] : [])];
  const digits = Math.max(...summaries.map((s) => msDigits(Math.min(s.p50, s.mean))));
  const rows = [['latency (ms per text)', 'p50', 'p95', 'p99', 'mean', 'max', 'n']];
  rows.push(
    latencyRow(`batched (${latency.batched.batchSize}/call, amortised)`, latency.batched.perTextMs, digits),
  );
  if (latency.single) rows.push(latencyRow('single text (one per call)', latency.single.ms, digits));
  const table = renderTable(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']);
  const throughput = `  throughput: ${formatCount(latency.batched.throughputPerSec)} texts/s batched (${latency.batched.batches} calls, ${formatMs(latency.batched.totalMs)} ms in predict), after ${latency.warmupTexts} warm-up texts`;
  return `${table}\n${throughput}`;
}

/**
 * The whole report as text for a terminal, job log or pull-request comment (in a code block).
 *
 * @example process.stdout.write(renderEvalReport(report))
 */
export function renderEvalReport(report: EvalReport): string {
  const { model, dataset, metrics, calibration } = report;
  const fp = dataset.fingerprint.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…');
  const head = renderTable(
    [
      ['model', `${model.id} → ${model.family}@${model.version}`],
      ['dataset', `${dataset.source} (${dataset.format}, ${dataset.n} rows, ${fp})`],
      ['labels', LABELS.map((l) => `${l} ${dataset.counts[l]}`).join(', ')],
      ...(dataset.skippedRows > 0 ? [['skipped', `${dataset.skippedRows} bad row(s), see warnings`]] : []),
    ],
    [],
    '',
  );
  const summary = renderTable(
    [
      ['n', String(metrics.n)],
      ['accuracy', f4(metrics.accuracy)],
      ['macro-F1', f4(metrics.macroF1)],
      ['weighted-F1', f4(metrics.weightedF1)],
      [`ECE (${calibration.nBins} bins)`, f4(calibration.ece)],
    ],
    ['l', 'r'],
  );
  return [
    head,
    '',
    summary,
    '',
    renderClassTable(metrics),
    '',
    '  confusion matrix (rows: true label, columns: predicted)',
    renderConfusion(metrics),
    '',
    '  reliability (non-empty bins)',
    renderReliability(calibration),
    '',
    renderLatency(report.latency),
    '',
  ].join('\n');
}
