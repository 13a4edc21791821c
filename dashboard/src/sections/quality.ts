import type { Quality } from '../../../pipeline/export/schema';
import { seconds, timeChart } from '../charts';
import { cssVar, dataDetails, h, table } from '../dom';
import { count, dateTime, day, tone } from '../format';
import { badge, figure, subhead } from '../ui';

/** Verdict history as a strip, the latest report's rules, and counts over time. */
export function renderQuality(q: Quality): HTMLElement[] {
  const reports = q.reports;
  const latest = reports[0]!;
  const chronological = [...reports].reverse();
  const strip = h(
    'ol',
    { class: 'verdict-strip', 'aria-label': 'Data-quality verdicts, oldest to newest' },
    chronological.map((r) =>
      h(
        'li',
        { class: `cell ${tone(r.verdict)}`, title: `${dateTime(r.created_at)}: ${r.verdict}` },
        h('span', { class: 'sr-only' }, `${day(r.created_at)}: ${r.verdict}`),
      ),
    ),
  );
  const countKeys = [...new Set(reports.flatMap((r) => Object.keys(r.counts)))].slice(0, 4);
  const out: HTMLElement[] = [
    h(
      'p',
      { class: 'summary-line' },
      'Latest: ',
      badge(latest.verdict),
      h(
        'span',
        { class: 'muted' },
        ` ${dateTime(latest.created_at)}${latest.run_id ? ` · run ${latest.run_id}` : ''}`,
      ),
    ),
    figure(`Verdicts of the last ${reports.length} reports`, strip),
  ];
  const ruleRows = latest.rules.map((r) => [
    r.name,
    badge(r.status),
    r.count === null ? '—' : count(r.count),
    r.detail ?? '',
  ]);
  out.push(
    h(
      'div',
      { class: 'two-col' },
      h(
        'div',
        null,
        subhead('Rules of the latest report'),
        h(
          'div',
          { class: 'scroll-x' },
          table('Rules checked in the latest report', ['rule', 'status', 'count', 'detail'], ruleRows, {
            numeric: [2],
          }),
        ),
      ),
      countKeys.length > 0 && reports.length > 1
        ? h(
            'div',
            null,
            subhead('Counts over time'),
            timeChart({
              label: `data-quality counts over time: ${countKeys.join(', ')}`,
              x: seconds(chronological.map((r) => r.created_at)),
              series: countKeys.map((k, i) => ({
                label: k,
                values: chronological.map((r) => r.counts[k] ?? null),
                color: cssVar(`--c${i + 1}`),
              })),
              height: 200,
              format: (v) => count(Math.round(v)),
            }),
            dataDetails(
              'Table',
              table(
                'Counts per report',
                ['report', ...countKeys, 'verdict'],
                reports.map((r) => [
                  dateTime(r.created_at),
                  ...countKeys.map((k) => count(r.counts[k] ?? null)),
                  r.verdict,
                ]),
                { numeric: countKeys.map((_, i) => i + 1) },
              ),
            ),
          )
        : null,
    ),
  );
  return out;
}
