import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar, h, s } from './dom';
import { day, fixed } from './format';

/** The categorical palette (CSS variables, so light and dark each get a contrasting set). */
export const SERIES_VARS = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6'];
export const seriesColor = (i: number) => cssVar(SERIES_VARS[i % SERIES_VARS.length]!, '#4f46e5');

export interface LineSeries {
  label: string;
  values: (number | null)[];
  color?: string;
  dash?: number[];
  bars?: boolean;
  points?: boolean;
}

export interface TimeChartOptions {
  /** Accessible name of the chart (role="img"). */
  label: string;
  x: number[]; // unix seconds
  series: LineSeries[];
  yLabel?: string;
  yRange?: [number, number];
  height?: number;
  format?: (v: number) => string;
}

const charts = new Set<{ plot: uPlot; host: HTMLElement; rebuild: () => void }>();

/**
 * A uPlot time-series chart that fills its container's width, follows resizes and re-reads the
 * palette when the colour scheme changes. The canvas is decorative to screen readers: the
 * wrapper carries role="img" and a label, and every chart has a table alternative beside it.
 */
export function timeChart(opts: TimeChartOptions): HTMLElement {
  const host = h('div', { class: 'chart', role: 'img', 'aria-label': opts.label });
  const build = () => {
    const axis = cssVar('--muted', '#666');
    const grid = cssVar('--grid', '#ddd');
    const width = Math.max(240, host.clientWidth || host.parentElement?.clientWidth || 600);
    const fmt = opts.format ?? ((v: number) => fixed(v, 2));
    const plotOpts: uPlot.Options = {
      width,
      height: opts.height ?? 220,
      legend: { show: opts.series.length > 1 },
      cursor: { points: { size: 7 } },
      scales: { x: { time: true }, y: opts.yRange ? { range: opts.yRange } : { auto: true } },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          values: (_u, splits) => splits.map((v) => day(new Date(v * 1000).toISOString())),
        },
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          label: opts.yLabel,
          size: 56,
          values: (_u, splits) => splits.map(fmt),
        },
      ],
      series: [
        {},
        ...opts.series.map((ser, i) => {
          const color = ser.color ?? seriesColor(i);
          return {
            label: ser.label,
            stroke: color,
            width: ser.bars ? 0 : 2,
            dash: ser.dash,
            fill: ser.bars ? color : undefined,
            paths: ser.bars ? uPlot.paths.bars?.({ size: [0.7, 40] }) : undefined,
            points: { show: ser.points ?? !ser.bars, size: 5, fill: color },
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmt(v)),
          } satisfies uPlot.Series;
        }),
      ],
    };
    return new uPlot(plotOpts, [opts.x, ...opts.series.map((x) => x.values)] as uPlot.AlignedData, host);
  };
  const entry = { plot: undefined as unknown as uPlot, host, rebuild: () => {} };
  entry.rebuild = () => {
    entry.plot?.destroy();
    entry.plot = build();
  };
  // Draw once attached (width known); requestAnimationFrame runs after the section is in the DOM.
  requestAnimationFrame(() => {
    entry.rebuild();
    charts.add(entry);
  });
  return host;
}

let lastWidth = new Map<HTMLElement, number>();
const resize = new ResizeObserver(() => {
  const next = new Map<HTMLElement, number>();
  for (const c of charts) {
    const w = c.host.clientWidth;
    next.set(c.host, w);
    if (w > 0 && lastWidth.get(c.host) !== w) c.plot.setSize({ width: w, height: c.plot.height });
  }
  lastWidth = next;
});
resize.observe(document.body);
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  for (const c of charts) c.rebuild();
});

/** Unix seconds from ISO strings (uPlot's time scale). */
export const seconds = (isos: readonly string[]) => isos.map((t) => Date.parse(t) / 1000);

export interface IntervalRow {
  label: string;
  /** A second, muted line under the label (e.g. the dataset). */
  sub?: string;
  value: number;
  low: number | null;
  high: number | null;
}

/**
 * A forest plot: one row per model, a dot at the value and whiskers over its 95% interval.
 * `domain` defaults to [0, 1]; deltas use a symmetric domain with a reference line at 0. Built
 * from HTML (a label column and a positioned track) rather than SVG, so its text keeps its size
 * on a phone while the track stretches with the column.
 */
export function intervalPlot(
  label: string,
  rows: readonly IntervalRow[],
  domain: [number, number] = [0, 1],
  reference?: number,
): HTMLElement {
  const at = (v: number) =>
    `${(((Math.min(domain[1], Math.max(domain[0], v)) - domain[0]) / (domain[1] - domain[0])) * 100).toFixed(2)}%`;
  // Fewer ticks for symmetric delta axes: their labels are wider (signs) and the zero line is drawn anyway.
  const steps = reference === undefined ? [0, 0.25, 0.5, 0.75, 1] : [0, 0.5, 1];
  const ticks = steps.map((t) => domain[0] + t * (domain[1] - domain[0]));
  const grid = [
    ...ticks.map((t) => h('span', { class: 'ip-grid', style: `left:${at(t)}` })),
    reference === undefined ? null : h('span', { class: 'ip-ref', style: `left:${at(reference)}` }),
  ];
  return h(
    'div',
    { class: 'interval-plot', role: 'img', 'aria-label': label },
    rows.map((r) =>
      h(
        'div',
        { class: 'ip-row' },
        h(
          'span',
          { class: 'ip-label' },
          h('span', null, r.label),
          r.sub ? h('span', { class: 'ip-sub' }, r.sub) : null,
        ),
        h(
          'span',
          { class: 'ip-track' },
          grid.map((g) => g?.cloneNode(true) ?? null),
          r.low !== null && r.high !== null
            ? h('span', { class: 'ip-whisker', style: `left:${at(r.low)};right:calc(100% - ${at(r.high)})` })
            : null,
          h('span', { class: 'ip-dot', style: `left:${at(r.value)}` }),
        ),
        h('span', { class: 'ip-value' }, fixed(r.value, 3)),
      ),
    ),
    h(
      'div',
      { class: 'ip-row ip-axis', 'aria-hidden': 'true' },
      h('span', { class: 'ip-label' }),
      h(
        'span',
        { class: 'ip-track' },
        ticks.map((t) => h('span', { class: 'ip-tick', style: `left:${at(t)}` }, fixed(t, 2))),
      ),
      h('span', { class: 'ip-value' }),
    ),
  );
}

/** A reliability diagram: accuracy against mean confidence per bin, dots sized by count. */
export function reliabilityPlot(
  label: string,
  bins: readonly { confidence: number | null; accuracy: number | null; count: number }[],
): SVGSVGElement {
  const size = 260;
  const pad = 42;
  const p = (v: number) => pad + v * (size - pad - 10);
  const y = (v: number) => size - pad - v * (size - pad - 10);
  const max = Math.max(1, ...bins.map((b) => b.count));
  return s(
    'svg',
    { class: 'svg-chart reliability', viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': label },
    [0, 0.5, 1].map((t) => [
      s('line', { x1: p(t), x2: p(t), y1: y(0), y2: y(1), class: 'gridline' }),
      s('line', { x1: p(0), x2: p(1), y1: y(t), y2: y(t), class: 'gridline' }),
      s('text', { x: p(t), y: size - pad + 16, class: 'tick', 'text-anchor': 'middle' }, fixed(t, 1)),
      s('text', { x: pad - 5, y: y(t) + 4, class: 'tick', 'text-anchor': 'end' }, fixed(t, 1)),
    ]),
    s('line', { x1: p(0), y1: y(0), x2: p(1), y2: y(1), class: 'refline' }),
    s('text', { x: p(0.5), y: size - 2, class: 'axis-label', 'text-anchor': 'middle' }, 'confidence'),
    s(
      'text',
      { x: 9, y: y(0.5), class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 9 ${y(0.5)})` },
      'accuracy',
    ),
    bins
      .filter((b) => b.confidence !== null && b.accuracy !== null && b.count > 0)
      .map((b) =>
        s(
          'circle',
          {
            cx: p(b.confidence!),
            cy: y(b.accuracy!),
            r: 3 + 7 * Math.sqrt(b.count / max),
            class: 'dot translucent',
          },
          s(
            'title',
            null,
            `confidence ${fixed(b.confidence, 2)}, accuracy ${fixed(b.accuracy, 2)}, ${b.count} predictions`,
          ),
        ),
      ),
  );
}

/** A sparkline of a series in [-1, 1] (sentiment), with the zero line. */
export function sparkline(label: string, values: readonly number[]): SVGSVGElement {
  const w = 120;
  const hgt = 28;
  const x = (i: number) => (values.length <= 1 ? w / 2 : (i / (values.length - 1)) * (w - 4) + 2);
  const y = (v: number) => hgt / 2 - v * (hgt / 2 - 3);
  const d = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
  return s(
    'svg',
    { class: 'spark', viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, role: 'img', 'aria-label': label },
    s('line', { x1: 0, x2: w, y1: hgt / 2, y2: hgt / 2, class: 'refline' }),
    s('path', { d, class: 'spark-line' }),
    values.length > 0
      ? s('circle', { cx: x(values.length - 1), cy: y(values.at(-1)!), r: 2.5, class: 'dot' })
      : null,
  );
}

/** A horizontal bar of parts (label shares, arm shares), each segment labelled for screen readers. */
export function shareBar(
  label: string,
  parts: readonly { label: string; value: number; color: string }[],
): HTMLElement {
  const total = parts.reduce((a, p) => a + p.value, 0) || 1;
  return h(
    'div',
    {
      class: 'share-bar',
      role: 'img',
      'aria-label': `${label}: ${parts.map((p) => `${p.label} ${Math.round((p.value / total) * 100)}%`).join(', ')}`,
    },
    parts.map((p) =>
      h('span', {
        style: `flex-grow:${p.value / total};background:${p.color}`,
        title: `${p.label}: ${Math.round((p.value / total) * 100)}%`,
      }),
    ),
  );
}
