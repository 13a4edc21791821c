import type { Empty } from '../../pipeline/export/schema';
import type { LoadFailure } from './data';
import { type Child, h } from './dom';
import { tone } from './format';

/** Text with `backticked` commands rendered as <code>. */
export function rich(text: string): Child[] {
  return text
    .split(/(`[^`]+`)/)
    .map((part) => (part.startsWith('`') && part.endsWith('`') ? h('code', null, part.slice(1, -1)) : part));
}

/** A section's frame: landmark, heading, one-line lead, then its content. */
export function sectionFrame(id: string, title: string, lead: string, ...content: Child[]): HTMLElement {
  return h(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-title` },
    h('div', { class: 'panel-head' }, h('h2', { id: `${id}-title` }, title), h('p', { class: 'lead' }, lead)),
    ...content,
  );
}

export function emptyState(empty: Empty): HTMLElement {
  return h(
    'div',
    { class: 'callout empty', role: 'status' },
    h('span', { class: 'callout-icon', 'aria-hidden': 'true' }, '○'),
    h(
      'div',
      null,
      h('p', { class: 'callout-title' }, ...rich(capitalise(empty.reason))),
      empty.hint ? h('p', null, ...rich(capitalise(empty.hint))) : null,
    ),
  );
}

export function errorState(failure: LoadFailure): HTMLElement {
  const title = {
    missing: 'No data file yet',
    invalid: 'The data file is unreadable',
    version: 'The data file is from another version',
    network: 'The data could not be loaded',
  }[failure.kind];
  return h(
    'div',
    { class: 'callout error', role: 'alert' },
    h('span', { class: 'callout-icon', 'aria-hidden': 'true' }, '!'),
    h('div', null, h('p', { class: 'callout-title' }, title), h('p', null, ...rich(failure.message))),
  );
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A status pill: colour AND a word, never colour alone. */
export function badge(status: string | null | undefined, text?: string): HTMLElement {
  const t = tone(status);
  return h(
    'span',
    { class: `badge ${t}` },
    h('span', { class: 'badge-dot', 'aria-hidden': 'true' }),
    text ?? status ?? 'unknown',
  );
}

export function kpi(label: string, value: string, note?: Child): HTMLElement {
  return h(
    'div',
    { class: 'kpi' },
    h('p', { class: 'kpi-label' }, label),
    h('p', { class: 'kpi-value' }, value),
    note ? h('p', { class: 'kpi-note' }, note) : null,
  );
}

export function subhead(text: string, id?: string): HTMLElement {
  return h('h3', { class: 'subhead', id: id ?? null }, text);
}

export function figure(caption: string, ...content: Child[]): HTMLElement {
  return h('figure', { class: 'fig' }, h('figcaption', null, caption), ...content);
}

export function link(href: string | null, text: string): Child {
  if (!href) return null;
  return h(
    'a',
    { href, rel: 'noopener noreferrer', target: '_blank' },
    text,
    h('span', { class: 'sr-only' }, ' (opens in a new tab)'),
  );
}
