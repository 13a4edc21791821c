import type { Drift } from '../../../pipeline/export/schema';
import { seconds, timeChart } from '../charts';
import { cssVar, dataDetails, h, table } from '../dom';
import { dateTime, fixed, metricName, pValue } from '../format';
import { badge, figure } from '../ui';

/** One small chart per drift series: the metric over time against its threshold. */
export function renderDrift(d: Drift): HTMLElement[] {
  const summary = h(
    'p',
    { class: 'summary-line' },
    badge('alert', `${d.summary.alert} alert`),
    badge('warn', `${d.summary.warn} warning`),
    badge('ok', `${d.summary.ok} ok`),
    h('span', { class: 'muted' }, ` latest computation ${dateTime(d.summary.latest_at)}`),
  );
  const grid = h(
    'div',
    { class: 'fig-grid' },
    d.series.map((s) => {
      const name = `${metricName(s.metric)}${s.feature ? ` of ${s.feature}` : ''}`;
      const title = `${name} · ${s.model}@${s.version}`;
      const series = [{ label: name, values: s.points.map((p) => p.value), color: cssVar('--c1') }];
      if (s.threshold !== null) {
        series.push({
          label: `threshold ${fixed(s.threshold, 2)}`,
          values: s.points.map(() => s.threshold),
          color: cssVar('--fail'),
          dash: [6, 4],
          points: false,
        } as (typeof series)[number]);
      }
      return figure(
        title,
        h(
          'div',
          { class: 'fig-status' },
          'latest: ',
          badge(s.latest_status, s.latest_status ?? 'unknown'),
          s.threshold === null ? null : h('span', { class: 'muted' }, ` threshold ${fixed(s.threshold, 2)}`),
        ),
        timeChart({
          label: `${title} over time against its threshold`,
          x: seconds(s.points.map((p) => p.at)),
          series,
          height: 180,
          format: (v) => fixed(v, 2),
        }),
        dataDetails(
          'Table',
          table(
            title,
            ['computed', 'value', 'p-value', 'status'],
            s.points
              .map((p) => [dateTime(p.at), fixed(p.value), pValue(p.p_value), p.status ?? '—'])
              .reverse(),
            { numeric: [1, 2] },
          ),
        ),
      );
    }),
  );
  return [summary, grid];
}
