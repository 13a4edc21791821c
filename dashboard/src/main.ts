import './styles.css';
import type { SectionData, SectionName } from '../../pipeline/export/schema';
import { type Loaded, loadSection } from './data';
import { h } from './dom';
import { ago, dateTime } from './format';
import { fetchLive, type LiveResult, resolveLiveConfig } from './live';
import { renderComparison } from './sections/comparison';
import { renderDrift } from './sections/drift';
import { renderOverview } from './sections/overview';
import { renderPromotions } from './sections/promotions';
import { renderQuality } from './sections/quality';
import { renderTickers } from './sections/tickers';
import { renderTraffic } from './sections/traffic';
import { badge, emptyState, errorState, sectionFrame } from './ui';

interface View {
  id: string;
  nav: string;
  title: string;
  lead: string;
  /** The file that decides the section's empty/error state. */
  primary: SectionName;
  render: (all: Partial<{ [N in SectionName]: SectionData[N] }>) => HTMLElement[];
}

async function main(): Promise<void> {
  const root = document.getElementById('main')!;
  root.setAttribute('aria-busy', 'true');
  const liveConfig = await resolveLiveConfig();
  const livePromise: Promise<LiveResult | null> = liveConfig.apiUrl
    ? fetchLive(liveConfig.apiUrl)
    : Promise.resolve(null);
  const names: SectionName[] = [
    'overview',
    'models',
    'comparisons',
    'drift',
    'quality',
    'promotions',
    'traffic',
    'predictions',
    'tickers',
  ];
  const loaded = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await loadSection(n)] as const)),
  ) as {
    [N in SectionName]: Loaded<N>;
  };
  const live = await livePromise;
  const data: Partial<{ [N in SectionName]: SectionData[N] }> = {};
  for (const n of names) {
    const l = loaded[n];
    if (l.ok) (data as Record<string, unknown>)[n] = l.data;
  }

  const views: View[] = [
    {
      id: 'overview',
      nav: 'Overview',
      title: 'Overview',
      lead: 'Champion per model family, health of the pipeline and what ran last.',
      primary: 'overview',
      render: (d) => renderOverview(d.overview!, { config: liveConfig, result: live }),
    },
    {
      id: 'comparison',
      nav: 'Models',
      title: 'Model comparison',
      lead: 'Every evaluated version with 95% confidence intervals, champion-vs-challenger tests, confusion, calibration and latency.',
      primary: 'comparisons',
      render: (d) => renderComparison(d.comparisons!, d.models ?? null),
    },
    {
      id: 'drift',
      nav: 'Drift',
      title: 'Drift over time',
      lead: 'Each drift metric against its threshold; above the dashed line is an alert.',
      primary: 'drift',
      render: (d) => renderDrift(d.drift!),
    },
    {
      id: 'quality',
      nav: 'Data quality',
      title: 'Data quality',
      lead: 'Verdicts of the validation stage over time and the rules behind the latest one.',
      primary: 'quality',
      render: (d) => renderQuality(d.quality!),
    },
    {
      id: 'promotions',
      nav: 'Promotions',
      title: 'Promotion timeline',
      lead: 'Every champion change, with its pull request and release.',
      primary: 'promotions',
      render: (d) => renderPromotions(d.promotions!),
    },
    {
      id: 'traffic',
      nav: 'Traffic',
      title: 'A/B split and live metrics',
      lead: 'What the API served: volume, labels, latency, and how each arm of the split did.',
      primary: 'predictions',
      render: (d) => renderTraffic(d.traffic ?? null, d.predictions ?? null),
    },
    {
      id: 'tickers',
      nav: 'Tickers',
      title: 'Ticker sentiment',
      lead: 'Mean sentiment of the most-mentioned tickers, per day.',
      primary: 'tickers',
      render: (d) => renderTickers(d.tickers!),
    },
  ];

  document.getElementById('section-nav')!.replaceChildren(
    h(
      'ul',
      null,
      views.map((v) => h('li', null, h('a', { href: `#${v.id}` }, v.nav))),
    ),
  );
  const frames = views.map((v) => {
    const l = loaded[v.primary];
    let content: HTMLElement[];
    if (!l.ok) content = [errorState(l)];
    else if (l.data.empty) content = [emptyState(l.data.empty)];
    else {
      try {
        content = v.render(data);
      } catch (error) {
        console.error(`rendering ${v.id} failed`, error);
        content = [
          errorState({
            ok: false,
            kind: 'invalid',
            message: `this section could not be drawn: ${(error as Error).message}`,
          }),
        ];
      }
    }
    return sectionFrame(v.id, v.title, v.lead, ...content);
  });
  root.replaceChildren(...frames);
  root.setAttribute('aria-busy', 'false');

  const generated = data.overview?.generated_at ?? null;
  document
    .getElementById('header-meta')!
    .replaceChildren(
      h(
        'span',
        { class: 'meta-item' },
        'data ',
        generated
          ? h('time', { datetime: generated, title: dateTime(generated) }, ago(generated))
          : 'not exported',
      ),
      liveConfig.apiUrl
        ? badge(live?.ok ? 'ok' : 'fail', live?.ok ? 'live API' : 'live API unreachable')
        : h('span', { class: 'meta-item muted' }, 'snapshots only'),
    );
  if (generated) document.getElementById('footer-live')!.textContent = ` generated ${dateTime(generated)}`;
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  console.error(error);
  const failure = errorState({
    ok: false,
    kind: 'network',
    message: `the dashboard could not start: ${(error as Error).message}`,
  });
  document.getElementById('main')?.replaceChildren(failure);
  document.body.dataset.ready = 'error';
});
