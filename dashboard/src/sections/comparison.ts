import type { Comparisons, Evaluation, Models } from '../../../pipeline/export/schema';
import { intervalPlot, reliabilityPlot } from '../charts';
import { dataDetails, h, table } from '../dom';
import { count, dateTime, fixed, metricName, ms, pValue, signed } from '../format';
import { badge, figure, link, subhead } from '../ui';

const baseName = (dataset: string) =>
  dataset
    .split('/')
    .at(-1)
    ?.replace(/\.(jsonl?|csv|tsv|txt)$/, '') ?? dataset;
const evalLabel = (e: Evaluation) => `${e.model}@${e.version} · ${baseName(e.dataset)}`;

/** Dataset names without the prefix they all share ("finsent-headlines.test" → "test"), for narrow labels. */
export function shortNames(names: readonly string[]): string[] {
  if (names.length < 2) return [...names];
  let prefix = names[0]!;
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const cut = Math.max(prefix.lastIndexOf('.'), prefix.lastIndexOf('-'), prefix.lastIndexOf('_')) + 1;
  return names.map((n) => n.slice(cut) || n);
}

/** Models and versions, metrics with CIs, comparison reports, confusion, reliability, latency. */
export function renderComparison(c: Comparisons, m: Models | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (m) out.push(subhead('Models and versions'), modelsTable(m));
  if (c.evaluations.length > 0) {
    out.push(subhead('Metrics with 95% confidence intervals'));
    const grid = h('div', { class: 'fig-grid' });
    const names = shortNames(c.evaluations.map((e) => baseName(e.dataset)));
    for (const name of ['accuracy', 'macro_f1']) {
      const rows = c.evaluations.flatMap((e, i) => {
        const metric = e.metrics.find((x) => x.name === name);
        return metric
          ? [
              {
                label: `${e.model}@${e.version}`,
                sub: `${names[i]} · ${e.context} · n=${e.n}`,
                value: metric.value,
                low: metric.ci_low,
                high: metric.ci_high,
                method: metric.ci_method,
              },
            ]
          : [];
      });
      if (rows.length === 0) continue;
      const methods = [...new Set(rows.map((r) => r.method ?? 'no interval reported'))].join('; ');
      grid.append(
        figure(
          `${metricName(name)} (${methods})`,
          intervalPlot(`${metricName(name)} per evaluation with 95% confidence intervals`, rows),
          dataDetails(
            'Table',
            table(
              metricName(name),
              ['evaluation', 'value', '95% CI', 'method'],
              rows.map((r) => [
                `${r.label} · ${r.sub}`,
                fixed(r.value),
                r.low === null ? '—' : `${fixed(r.low)} – ${fixed(r.high)}`,
                r.method ?? '—',
              ]),
              { numeric: [1, 2] },
            ),
          ),
        ),
      );
    }
    out.push(grid);
  }
  if (c.reports.length > 0)
    out.push(subhead('Champion vs challenger'), ...c.reports.slice(0, 4).map(reportCard));
  if (c.evaluations.length > 0) {
    const picker = evaluationPicker(c.evaluations);
    out.push(subhead('Per evaluation'), picker);
    out.push(latencyTable(c.evaluations));
  }
  return out;
}

function modelsTable(m: Models): HTMLElement {
  const rows = m.families.flatMap((f) =>
    f.versions.length === 0
      ? [[f.family, '—', f.champion ? `champion: ${f.champion}` : '—', '0', '—', '—']]
      : f.versions.map((v) => [
          f.family,
          v.version,
          v.role ? badge('ok', v.role) : f.champion === 'builtin' ? 'builtin champion' : '—',
          count(v.evaluations),
          fixed(v.best_macro_f1),
          v.last_evaluated
            ? dateTime(v.last_evaluated)
            : v.training?.started_at
              ? `trained ${dateTime(v.training.started_at)}`
              : '—',
        ]),
  );
  return h(
    'div',
    { class: 'scroll-x' },
    table(
      'Every family with its versions',
      ['family', 'version', 'role', 'evaluations', 'best macro-F1', 'last evaluated'],
      rows,
      { numeric: [3, 4] },
    ),
  );
}

function reportCard(r: Comparisons['reports'][number]): HTMLElement {
  const rows = r.deltas
    .filter((d) => d.delta !== null)
    .map((d) => ({ label: metricName(d.metric), value: d.delta!, low: d.ci_low, high: d.ci_high }));
  const lo = Math.min(-0.1, ...rows.map((x) => x.low ?? x.value));
  const hi = Math.max(0.1, ...rows.map((x) => x.high ?? x.value));
  const span = Math.max(Math.abs(lo), Math.abs(hi)) * 1.15;
  return h(
    'article',
    { class: 'card report' },
    h(
      'header',
      { class: 'report-head' },
      h('h4', null, `${r.family}: ${r.baseline ?? '∅'} → ${r.candidate}`),
      badge(r.verdict, r.verdict ?? 'no verdict'),
    ),
    h(
      'p',
      { class: 'card-meta' },
      `${r.kind}, ${dateTime(r.created_at)}`,
      ' ',
      link(r.pr_url, 'pull request'),
      ' ',
      link(r.release_url, 'release'),
    ),
    rows.length > 0
      ? figure(
          'Difference (candidate − baseline) with 95% CI',
          intervalPlot(`metric deltas of ${r.candidate} against ${r.baseline}`, rows, [-span, span], 0),
        )
      : null,
    h(
      'div',
      { class: 'scroll-x' },
      table(
        'Metric deltas',
        ['metric', 'baseline', 'candidate', 'Δ', '95% CI'],
        r.deltas.map((d) => [
          metricName(d.metric),
          fixed(d.baseline),
          fixed(d.candidate),
          signed(d.delta),
          d.ci_low === null ? '—' : `${signed(d.ci_low)} … ${signed(d.ci_high)}`,
        ]),
        { numeric: [1, 2, 3, 4] },
      ),
    ),
    r.mcnemar
      ? h(
          'p',
          { class: 'mcnemar' },
          h('strong', null, 'McNemar: '),
          `only baseline right b = ${r.mcnemar.b ?? '—'}, only candidate right c = ${r.mcnemar.c ?? '—'}, χ² = ${fixed(r.mcnemar.statistic, 2)}, p = ${pValue(r.mcnemar.p_value)}`,
        )
      : null,
    r.reasons.length > 0
      ? h(
          'ul',
          { class: 'reasons' },
          r.reasons.map((x) => h('li', null, x)),
        )
      : null,
  );
}

function evaluationPicker(evals: readonly Evaluation[]): HTMLElement {
  const body = h('div', { class: 'eval-detail', 'aria-live': 'polite' });
  const select = h(
    'select',
    { id: 'eval-select', 'aria-describedby': 'eval-select-help' },
    evals.map((e, i) =>
      h('option', { value: String(i) }, `${evalLabel(e)} (n=${e.n}, ${dateTime(e.created_at)})`),
    ),
  );
  const show = () => body.replaceChildren(...evaluationDetail(evals[Number(select.value)]!));
  select.addEventListener('change', show);
  show();
  return h(
    'div',
    null,
    h(
      'div',
      { class: 'control' },
      h('label', { for: 'eval-select' }, 'Evaluation'),
      select,
      h(
        'span',
        { id: 'eval-select-help', class: 'muted' },
        'Confusion matrix, per-class scores and reliability of the chosen run',
      ),
    ),
    body,
  );
}

function evaluationDetail(e: Evaluation): HTMLElement[] {
  const left: HTMLElement[] = [];
  if (e.confusion) {
    left.push(
      figure(
        'Confusion matrix (rows: true label, columns: predicted; shade = share of the row)',
        confusionTable(e.confusion),
      ),
    );
  }
  if (e.per_class.length > 0) {
    left.push(
      figure(
        'Per class',
        h(
          'div',
          { class: 'scroll-x' },
          table(
            'Precision, recall and F1 per class',
            ['class', 'precision', 'recall', 'F1', 'support'],
            e.per_class.map((p) => [
              p.label,
              fixed(p.precision),
              fixed(p.recall),
              fixed(p.f1),
              count(p.support),
            ]),
            { numeric: [1, 2, 3, 4] },
          ),
        ),
      ),
    );
  }
  const right: HTMLElement[] = [];
  if (e.reliability && e.reliability.bins.length > 0) {
    const bins = e.reliability.bins.filter((b) => b.count > 0);
    right.push(
      figure(
        `Reliability: ECE ${fixed(e.reliability.ece)}${e.reliability.mce === null ? '' : `, MCE ${fixed(e.reliability.mce)}`} (on the diagonal = calibrated)`,
        reliabilityPlot(`reliability diagram of ${evalLabel(e)}`, bins),
        dataDetails(
          'Table',
          table(
            'Reliability bins',
            ['confidence bin', 'count', 'mean confidence', 'accuracy'],
            bins.map((b) => [
              `${fixed(b.lower, 2)}–${fixed(b.upper, 2)}`,
              count(b.count),
              fixed(b.confidence),
              fixed(b.accuracy),
            ]),
            { numeric: [1, 2, 3] },
          ),
        ),
      ),
    );
  }
  return [h('div', { class: 'fig-grid' }, h('div', { class: 'stack' }, left), h('div', null, right))];
}

/** A heatmap as a real table: every cell keeps its number; shade is a redundant cue. */
export function confusionTable(c: NonNullable<Evaluation['confusion']>): HTMLTableElement {
  return h(
    'table',
    { class: 'confusion' },
    h('caption', { class: 'sr-only' }, 'Confusion matrix: rows are true labels, columns predicted labels'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('td', null),
        c.labels.map((l) => h('th', { scope: 'col', class: 'col-head' }, `→ ${l}`)),
      ),
    ),
    h(
      'tbody',
      null,
      c.matrix.map((row, i) => {
        const total = row.reduce((a, b) => a + b, 0) || 1;
        return h(
          'tr',
          null,
          h('th', { scope: 'row' }, c.labels[i]!),
          row.map((v, j) => {
            const share = v / total;
            return h(
              'td',
              {
                class: `${i === j ? 'diag ' : ''}${share > 0.5 ? 'strong' : ''}`,
                style: `--share:${Math.round(share * 100)}%`,
              },
              h('span', { class: 'cell-n' }, count(v)),
              h('span', { class: 'cell-share' }, `${Math.round(share * 100)}%`),
            );
          }),
        );
      }),
    ),
  );
}

function latencyTable(evals: readonly Evaluation[]): HTMLElement {
  const withLatency = evals.filter((e) => e.latency);
  if (withLatency.length === 0) return h('p', { class: 'muted' }, 'No latency recorded.');
  const max = Math.max(...withLatency.map((e) => e.latency!.p99));
  const bar = (v: number, cls: string) =>
    h('span', { class: `lat-bar ${cls}`, style: `width:${Math.max(1, (v / max) * 100)}%` });
  return h(
    'div',
    null,
    subhead('Latency per text'),
    h(
      'div',
      { class: 'scroll-x' },
      table(
        'Latency percentiles (single = predict([text]) timed alone; batched = share of a batch call)',
        ['evaluation', 'p50', 'p95', 'p99', 'throughput', 'p50 · p95 · p99'],
        withLatency.map((e) => {
          const l = e.latency!;
          return [
            `${evalLabel(e)} (${l.mode})`,
            ms(l.p50),
            ms(l.p95),
            ms(l.p99),
            l.throughput_per_sec === null ? '—' : `${count(Math.round(l.throughput_per_sec))}/s`,
            h(
              'span',
              { class: 'lat-bars', 'aria-hidden': 'true' },
              bar(l.p50, 'p50'),
              bar(l.p95, 'p95'),
              bar(l.p99, 'p99'),
            ),
          ];
        }),
        { numeric: [1, 2, 3, 4] },
      ),
    ),
  );
}
