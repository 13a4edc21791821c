import type { Tickers } from '../../../pipeline/export/schema';
import { seconds, sparkline, timeChart } from '../charts';
import { cssVar, dataDetails, h, table } from '../dom';
import { count, dateTime, day, fixed, signed } from '../format';
import { figure } from '../ui';

/** The most-mentioned tickers: mean sentiment with a diverging bar and sparkline, and a chart of one. */
export function renderTickers(t: Tickers): HTMLElement[] {
  const diverging = (v: number) =>
    h(
      'span',
      { class: 'diverging', 'aria-hidden': 'true' },
      h('span', {
        class: v >= 0 ? 'pos' : 'neg',
        style: `width:${Math.min(50, Math.abs(v) * 50)}%;${v >= 0 ? 'left:50%' : `right:50%`}`,
      }),
    );
  const rows = t.tickers.map((x) => [
    x.ticker,
    count(x.n),
    h('span', { class: 'sent' }, signed(x.mean_sentiment, 2), diverging(x.mean_sentiment)),
    `${count(x.labels.positive)} / ${count(x.labels.neutral)} / ${count(x.labels.negative)}`,
    sparkline(
      `daily mean sentiment of ${x.ticker}`,
      x.series.map((s) => s.mean_sentiment),
    ),
    day(x.last_at),
  ]);
  const chartHost = h('div', { class: 'ticker-chart', 'aria-live': 'polite' });
  const select = h(
    'select',
    { id: 'ticker-select' },
    t.tickers.map((x) => h('option', { value: x.ticker }, `${x.ticker} (${x.n})`)),
  );
  const show = () => {
    const x = t.tickers.find((y) => y.ticker === select.value) ?? t.tickers[0]!;
    chartHost.replaceChildren(
      timeChart({
        label: `daily mean sentiment of ${x.ticker}`,
        x: seconds(x.series.map((s) => s.day)),
        series: [
          { label: 'mean sentiment', values: x.series.map((s) => s.mean_sentiment), color: cssVar('--c1') },
          {
            label: 'neutral',
            values: x.series.map(() => 0),
            color: cssVar('--muted'),
            dash: [4, 4],
            points: false,
          },
        ],
        yRange: [-1, 1],
        height: 200,
        format: (v) => fixed(v, 1),
      }),
      dataDetails(
        'Table',
        table(
          `Daily sentiment of ${x.ticker}`,
          ['day (UTC)', 'texts', 'mean sentiment'],
          x.series.map((s) => [dateTime(s.day), count(s.n), signed(s.mean_sentiment, 2)]),
          { numeric: [1, 2] },
        ),
      ),
    );
  };
  select.addEventListener('change', show);
  show();
  return [
    h(
      'p',
      { class: 'muted' },
      `From ${t.source === 'processed_features' ? 'the feature store (scored articles)' : 'the prediction log'}${t.window ? `, ${dateTime(t.window.from)} → ${dateTime(t.window.to)}` : ''}. Sentiment runs from −1 (bearish) to +1 (bullish).`,
    ),
    h(
      'div',
      { class: 'two-col wide-left' },
      h(
        'div',
        { class: 'scroll-x' },
        table(
          'Most-mentioned tickers',
          ['ticker', 'texts', 'mean sentiment', 'pos / neu / neg', 'trend', 'last'],
          rows,
          { numeric: [1, 2] },
        ),
      ),
      figure(
        'Sentiment over time',
        h('div', { class: 'control' }, h('label', { for: 'ticker-select' }, 'Ticker'), select),
        chartHost,
      ),
    ),
  ];
}
