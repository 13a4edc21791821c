import type { Predictions, Traffic } from '../../../pipeline/export/schema';
import { seconds, seriesColor, shareBar, timeChart } from '../charts';
import { cssVar, dataDetails, h, table } from '../dom';
import { count, dateTime, fixed, ms, pct } from '../format';
import { badge, figure, kpi, subhead } from '../ui';

/** The A/B split (configured vs observed), per-arm live metrics, and the prediction log's summary. */
export function renderTraffic(t: Traffic | null, p: Predictions | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (p && !p.empty) out.push(...predictionsSummary(p));
  if (t && !t.empty) {
    out.push(subhead('A/B split'));
    const observed = shareBar(
      'observed traffic per arm',
      t.arms.map((a, i) => ({ label: a.arm, value: a.n, color: seriesColor(i) })),
    );
    const configured = t.configured?.split.length
      ? shareBar(
          'configured split',
          t.configured.split.map((a) => ({
            label: a.arm,
            value: a.share,
            color: seriesColor(
              Math.max(
                0,
                t.arms.findIndex((x) => x.arm === a.arm),
              ),
            ),
          })),
        )
      : null;
    out.push(
      h(
        'div',
        { class: 'split' },
        h('div', { class: 'split-row' }, h('span', { class: 'split-label' }, 'observed'), observed),
        configured
          ? h('div', { class: 'split-row' }, h('span', { class: 'split-label' }, 'configured'), configured)
          : h(
              'p',
              { class: 'muted' },
              'No split configured (serving.split in config/models.yaml is empty): all traffic goes to the default model.',
            ),
        h(
          'ul',
          { class: 'legend' },
          t.arms.map((a, i) =>
            h(
              'li',
              null,
              h('span', { class: 'swatch', style: `background:${seriesColor(i)}` }),
              `${a.arm} (${a.models.join(', ')})`,
            ),
          ),
        ),
      ),
    );
    out.push(
      h(
        'div',
        { class: 'scroll-x' },
        table(
          'Live metrics per arm over the export window',
          [
            'arm',
            'requests',
            'observed',
            'configured',
            'mean confidence',
            'mean sentiment',
            'p50',
            'p95',
            'cache hits',
          ],
          t.arms.map((a) => [
            a.arm,
            count(a.n),
            pct(a.share),
            a.configured_share === null ? '—' : pct(a.configured_share),
            fixed(a.mean_confidence),
            fixed(a.mean_sentiment),
            ms(a.latency_p50),
            ms(a.latency_p95),
            pct(a.cache_hit_rate),
          ]),
          { numeric: [1, 2, 3, 4, 5, 6, 7, 8] },
        ),
      ),
    );
    if (t.buckets.length > 1) {
      out.push(
        figure(
          'Requests per arm',
          timeChart({
            label: 'requests per arm over time',
            x: seconds(t.buckets),
            series: t.series.map((s, i) => ({ label: s.arm, values: s.counts, color: seriesColor(i) })),
            height: 200,
            format: (v) => count(Math.round(v)),
          }),
          dataDetails(
            'Table',
            table(
              'Requests per arm',
              ['bucket', ...t.series.map((s) => s.arm)],
              t.buckets.map((b, i) => [dateTime(b), ...t.series.map((s) => count(s.counts[i] ?? 0))]),
              { numeric: t.series.map((_, i) => i + 1) },
            ),
          ),
        ),
      );
    }
  }
  return out;
}

function predictionsSummary(p: Predictions): HTMLElement[] {
  const labelColors = { positive: cssVar('--pos'), negative: cssVar('--neg'), neutral: cssVar('--neu') };
  const out: HTMLElement[] = [
    h(
      'div',
      { class: 'kpis' },
      kpi(
        'Predictions',
        count(p.total),
        p.window ? `${dateTime(p.window.from)} → ${dateTime(p.window.to)}` : null,
      ),
      kpi(
        'Latency p95',
        ms(p.latency?.p95),
        p.latency ? `p50 ${ms(p.latency.p50)} · p99 ${ms(p.latency.p99)}` : null,
      ),
      kpi('Mean confidence', fixed(p.mean_confidence, 2)),
      kpi('Cache hits', pct(p.cache_hit_rate)),
    ),
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        { class: 'split-row' },
        h('span', { class: 'split-label' }, 'labels'),
        shareBar(
          'predicted labels',
          (['positive', 'neutral', 'negative'] as const).map((l) => ({
            label: l,
            value: p.labels[l],
            color: labelColors[l],
          })),
        ),
      ),
      h(
        'ul',
        { class: 'legend' },
        (['positive', 'neutral', 'negative'] as const).map((l) =>
          h(
            'li',
            null,
            h('span', { class: 'swatch', style: `background:${labelColors[l]}` }),
            `${l} ${count(p.labels[l])} (${pct(p.labels[l] / Math.max(1, p.total), 0)})`,
          ),
        ),
      ),
    ),
  ];
  if (p.volume.length > 1) {
    out.push(
      figure(
        'Predictions per bucket',
        timeChart({
          label: 'predictions over time',
          x: seconds(p.volume.map((v) => v.bucket)),
          series: [
            { label: 'predictions', values: p.volume.map((v) => v.n), color: cssVar('--c1'), bars: true },
          ],
          height: 180,
          format: (v) => count(Math.round(v)),
        }),
        dataDetails(
          'Table',
          table(
            'Predictions per bucket',
            ['bucket', 'total', 'positive', 'negative', 'neutral'],
            p.volume
              .map((v) => [
                dateTime(v.bucket),
                count(v.n),
                count(v.positive),
                count(v.negative),
                count(v.neutral),
              ])
              .reverse(),
            { numeric: [1, 2, 3, 4] },
          ),
        ),
      ),
    );
  }
  if (p.recent.length > 0) {
    out.push(
      subhead('Recent predictions'),
      h(
        'div',
        { class: 'scroll-x wide-table' },
        table(
          p.text_included
            ? 'Most recent predictions'
            : 'Most recent predictions (texts not exported; `finsent export --include-text` adds them)',
          [
            'time',
            'model',
            'arm',
            'ticker',
            'label',
            'sentiment',
            'confidence',
            'latency',
            ...(p.text_included ? ['text'] : []),
          ],
          p.recent
            .slice(0, 12)
            .map((r) => [
              h('span', { class: 'nowrap' }, dateTime(r.created_at)),
              h('span', { class: 'nowrap' }, `${r.model}@${r.version}`),
              r.arm ?? '—',
              r.ticker ?? '—',
              badge(r.label === 'positive' ? 'ok' : r.label === 'negative' ? 'fail' : 'unknown', r.label),
              fixed(r.sentiment, 2),
              fixed(r.confidence, 2),
              ms(r.latency_ms),
              ...(p.text_included ? [h('span', { class: 'text-cell' }, r.text ?? '')] : []),
            ]),
          { numeric: [5, 6, 7] },
        ),
      ),
    );
  }
  return out;
}
