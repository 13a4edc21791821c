import { LABELS } from '../types';
import type { ComparisonResult, ModelSide } from './compare';

/** Hidden marker so a workflow can find and update its own PR comment instead of adding one. */
export const REPORT_MARKER = '<!-- finsent:comparison -->';

const f3 = (x: number) => x.toFixed(3);
const s3 = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);
const ms = (x: number) => (x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(0));
const pv = (p: number) => (p < 0.0001 ? p.toExponential(2) : p.toFixed(4));
const usd = (x: number | null) => (x === null ? 'n/a' : x < 0.01 ? x.toExponential(2) : x.toFixed(4));
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export interface ReportOptions {
  /** A heading above the report, e.g. "vader candidate vs champion". */
  title?: string;
  /** A link to the chart (an artifact or a raw URL); the SVG cannot be inlined in a PR comment. */
  chartUrl?: string;
}

/**
 * The comparison as Markdown for a pull-request comment and a job summary: verdict and reasons
 * first (what a reviewer needs), then the metrics table, McNemar, confusion matrices, policy.
 */
export function renderMarkdownReport(r: ComparisonResult, options: ReportOptions = {}): string {
  const { a, b, bootstrap: boot, mcnemar: mc } = r;
  const level = `${Math.round(boot.confidence * 100)}%`;
  const lines: string[] = [REPORT_MARKER];
  lines.push(
    `## ${options.title ?? 'finsent comparison'}: ${code(b.id)} (B, candidate) vs ${code(a.id)} (A)`,
  );
  lines.push('');
  const allowed = r.verdict.promote ? 'promotion allowed' : 'no promotion';
  lines.push(`**Verdict: ${r.verdict.verdict.toUpperCase()}** — ${allowed}`);
  lines.push('');
  for (const reason of r.verdict.reasons) lines.push(`- ${reason}`);
  lines.push('');
  lines.push(
    `Test set ${code(r.dataset.name)}: ${r.dataset.n} examples, fingerprint ${code(r.dataset.fingerprint.slice(0, 19))}.`,
  );
  lines.push('');
  lines.push(`| metric | A ${code(a.id)} | B ${code(b.id)} | Δ (B − A) | ${level} CI of Δ |`);
  lines.push('|---|---:|---:|---:|---|');
  lines.push(
    `| macro-F1 | ${f3(a.macroF1)} | ${f3(b.macroF1)} | ${s3(boot.deltaMacroF1.estimate)} | ${s3(boot.deltaMacroF1.lower)} to ${s3(boot.deltaMacroF1.upper)} |`,
  );
  lines.push(
    `| accuracy | ${f3(a.accuracy)} | ${f3(b.accuracy)} | ${s3(boot.deltaAccuracy.estimate)} | ${s3(boot.deltaAccuracy.lower)} to ${s3(boot.deltaAccuracy.upper)} |`,
  );
  lines.push(`| ECE (lower is better) | ${f3(a.ece)} | ${f3(b.ece)} | ${s3(b.ece - a.ece)} | |`);
  if (a.latency && b.latency) {
    const ratio = r.latencyRatio;
    lines.push(
      `| p50 latency (ms) | ${ms(a.latency.p50)} | ${ms(b.latency.p50)} | ${ratio ? `×${ratio.p50.toFixed(2)}` : ''} | |`,
    );
    lines.push(
      `| p95 latency (ms) | ${ms(a.latency.p95)} | ${ms(b.latency.p95)} | ${ratio ? `×${ratio.p95.toFixed(2)}` : ''} | |`,
    );
  }
  lines.push(`| cost per 1k predictions (USD) | ${usd(a.costUsdPer1k)} | ${usd(b.costUsdPer1k)} | | |`);
  lines.push(
    `| weighted score | ${f3(a.score.total)} | ${f3(b.score.total)} | ${s3(b.score.total - a.score.total)} | |`,
  );
  lines.push('');
  lines.push(
    `**McNemar's test** on the ${mc.n} discordant pairs (A right/B wrong b = ${mc.b}, A wrong/B right c = ${mc.c}): ` +
      `exact p = ${pv(mc.exactP)}, mid-p = ${pv(mc.midP)}, χ² with continuity correction = ${mc.chiSquaredCc.toFixed(3)} ` +
      `(p = ${pv(mc.chiSquaredCcP)}). Bootstrap: ${boot.resamples} paired resamples, seed ${boot.seed}, percentile intervals.`,
  );
  lines.push('');
  lines.push('### Per-class F1');
  lines.push('');
  lines.push(`| class | support | F1 A | F1 B |`);
  lines.push('|---|---:|---:|---:|');
  for (const l of LABELS) {
    lines.push(`| ${l} | ${a.perClass[l].support} | ${f3(a.perClass[l].f1)} | ${f3(b.perClass[l].f1)} |`);
  }
  lines.push('');
  lines.push('<details><summary>Confusion matrices (rows = truth, columns = prediction)</summary>');
  lines.push('');
  lines.push(...confusionTable('A', a), '', ...confusionTable('B', b));
  lines.push('');
  lines.push('</details>');
  lines.push('');
  if (options.chartUrl) lines.push(`Chart (confusion matrices, reliability): ${options.chartUrl}`, '');
  const p = r.policy;
  lines.push(
    `<sub>Policy (config/promotion.yaml): McNemar ${p.test}, α ${p.alpha}; superior needs the lower CI bound of ` +
      `Δmacro-F1 > ${p.margin}; non-inferior > −${p.nonInferiorityMargin}; p95 budget ${p.latency.p95BudgetMs} ms; ` +
      `at least ${p.minSamples} examples; promotes on ${p.promoteOn.join(', ')}. Generated ${r.createdAt} by finsent.</sub>`,
  );
  return `${lines.join('\n')}\n`;
}

function confusionTable(name: string, m: ModelSide): string[] {
  const out = [`**${name}** ${code(m.id)}`, '', `| truth \\ prediction | ${LABELS.join(' | ')} |`];
  out.push(`|---|${LABELS.map(() => '---:').join('|')}|`);
  LABELS.forEach((l, i) => {
    out.push(`| ${l} | ${m.confusion[i]!.join(' | ')} |`);
  });
  return out;
}

/** One line for logs and the CLI: the verdict and the headline numbers. */
export function summaryLine(r: ComparisonResult): string {
  const d = r.bootstrap.deltaMacroF1;
  return (
    `${r.b.id} vs ${r.a.id}: ${r.verdict.verdict}${r.verdict.promote ? ' (promotion allowed)' : ''}; ` +
    `macro-F1 ${f3(r.a.macroF1)} → ${f3(r.b.macroF1)}, Δ ${s3(d.estimate)} [${s3(d.lower)}, ${s3(d.upper)}], ` +
    `McNemar ${r.policy.test} p = ${pv(r.pValue)}, n = ${r.dataset.n}`
  );
}
