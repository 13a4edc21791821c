import type { Overview } from '../../../pipeline/export/schema';
import { h } from '../dom';
import { ago, count, dateTime, fixed } from '../format';
import { flatten, type LiveConfig, type LiveResult } from '../live';
import { badge, kpi, subhead } from '../ui';

/** Champion per family, health checks, the latest runs, and the live API when configured. */
export function renderOverview(
  d: Overview,
  live: { config: LiveConfig; result: LiveResult | null },
): HTMLElement[] {
  const now = new Date(d.generated_at);
  const kpis = h(
    'div',
    { class: 'kpis' },
    kpi(
      'Model families',
      count(d.families.length),
      d.serving ? ['serving ', h('code', null, d.serving.default)] : null,
    ),
    kpi('Evaluations', count(d.totals.evaluations)),
    kpi('Predictions', count(d.totals.predictions), 'in the export window'),
    kpi(
      'Drift alerts',
      count(d.totals.drift_alerts),
      d.totals.drift_alerts > 0 ? badge('alert', 'needs a look') : null,
    ),
    kpi('Promotions', count(d.totals.promotions)),
  );
  const champions = h(
    'div',
    { class: 'cards' },
    d.families.map((f) =>
      h(
        'article',
        { class: 'card champion' },
        h('h3', null, f.family),
        h(
          'p',
          { class: 'card-meta' },
          'champion ',
          h('strong', null, f.champion),
          f.challenger ? [' · challenger ', h('strong', null, f.challenger)] : null,
        ),
        f.latest
          ? [
              h(
                'dl',
                { class: 'figures' },
                h('div', null, h('dt', null, 'accuracy'), h('dd', null, fixed(f.latest.accuracy))),
                h('div', null, h('dt', null, 'macro-F1'), h('dd', null, fixed(f.latest.macro_f1))),
                h('div', null, h('dt', null, 'ECE'), h('dd', null, fixed(f.latest.ece))),
              ),
              h(
                'p',
                { class: 'card-foot' },
                `v${f.latest.version} on ${f.latest.dataset} (n=${count(f.latest.n)}), ${ago(f.latest.created_at, now)}`,
              ),
            ]
          : h('p', { class: 'card-foot muted' }, 'not evaluated yet'),
      ),
    ),
  );
  const health = h(
    'ul',
    { class: 'health' },
    d.health.map((c) =>
      h(
        'li',
        null,
        badge(c.status, c.status),
        h('span', { class: 'health-check' }, c.check),
        h('span', { class: 'health-detail' }, c.detail),
      ),
    ),
  );
  const runs =
    d.last_runs.length === 0
      ? h('p', { class: 'muted' }, 'No runs recorded yet.')
      : h(
          'ol',
          { class: 'runs' },
          d.last_runs.map((r) =>
            h(
              'li',
              null,
              h('time', { datetime: r.at, title: dateTime(r.at) }, ago(r.at, now)),
              h('span', { class: `run-kind ${r.kind}` }, r.kind),
              h('span', { class: 'run-title' }, r.title),
              h('span', { class: 'run-detail' }, r.detail),
            ),
          ),
        );
  return [
    kpis,
    subhead('Champions'),
    champions,
    h(
      'div',
      { class: 'two-col' },
      h('div', null, subhead('Health'), health),
      h('div', null, subhead('Latest runs'), runs),
    ),
    renderLive(live.config, live.result),
  ];
}

function renderLive(config: LiveConfig, result: LiveResult | null): HTMLElement {
  if (!config.apiUrl) {
    return h(
      'div',
      { class: 'live muted-box' },
      subhead('Live API'),
      h(
        'p',
        null,
        'Not configured: this page shows the exported snapshots only. Set ',
        h('code', null, 'VITE_FINSENT_API_URL'),
        ' at build time or serve a ',
        h('code', null, 'config.json'),
        ' with ',
        h('code', null, '{"apiUrl": "/api"}'),
        '.',
      ),
    );
  }
  return h(
    'div',
    { class: 'live', id: 'live-api' },
    subhead('Live API'),
    h(
      'p',
      { class: 'muted' },
      'From ',
      h('code', null, config.apiUrl),
      ` (${config.source === 'build' ? 'set at build time' : 'config.json'}).`,
    ),
    h(
      'div',
      { class: 'cards' },
      (result?.endpoints ?? []).map((e) =>
        h(
          'article',
          { class: 'card' },
          h(
            'h4',
            null,
            h('code', null, `GET ${e.path}`),
            ' ',
            badge(e.ok ? 'ok' : 'fail', e.ok ? `${Math.round(e.ms)} ms` : 'unreachable'),
          ),
          e.ok
            ? h(
                'dl',
                { class: 'kv' },
                flatten(e.body).map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))),
              )
            : h('p', { class: 'error-text' }, e.error ?? 'failed'),
        ),
      ),
    ),
  );
}
