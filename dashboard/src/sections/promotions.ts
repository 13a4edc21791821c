import type { Promotions } from '../../../pipeline/export/schema';
import { h } from '../dom';
import { dateTime } from '../format';
import { badge, link } from '../ui';

/** Promotions as a vertical timeline, newest first, each with its pull request and release. */
export function renderPromotions(p: Promotions): HTMLElement[] {
  return [
    h(
      'ol',
      { class: 'timeline' },
      p.events.map((e) =>
        h(
          'li',
          null,
          h('span', { class: 'tl-dot', 'aria-hidden': 'true' }),
          h(
            'div',
            { class: 'tl-body' },
            h(
              'p',
              { class: 'tl-time' },
              h('time', { datetime: e.created_at }, dateTime(e.created_at)),
              ' · ',
              e.kind,
            ),
            h(
              'p',
              { class: 'tl-title' },
              h('strong', null, e.family),
              ` ${e.from_version ?? '∅'} → ${e.to_version} `,
              badge(e.verdict, e.verdict ?? 'no verdict'),
            ),
            e.summary ? h('p', { class: 'tl-summary' }, e.summary) : null,
            e.pr_url || e.release_url
              ? h('p', { class: 'tl-links' }, link(e.pr_url, 'Pull request'), link(e.release_url, 'Release'))
              : null,
          ),
        ),
      ),
    ),
  ];
}
