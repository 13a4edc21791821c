/** A tiny hyperscript: enough DOM building for a static dashboard without a framework. */
export type Child = Node | string | number | null | undefined | false | readonly Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
  } else if (child instanceof Node) {
    parent.appendChild(child);
  } else {
    parent.appendChild(document.createTextNode(String(child)));
  }
}

function setAttrs(el: Element, attrs: Attrs | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k === 'className' ? 'class' : k, v === true ? '' : String(v));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs ?? undefined);
  for (const c of children) append(el, c);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs ?? undefined);
  for (const c of children) append(el, c);
  return el;
}

/** A data table: the accessible alternative every chart carries. */
export function table(
  caption: string,
  head: readonly string[],
  rows: readonly (readonly Child[])[],
  opts: { numeric?: readonly number[] } = {},
): HTMLTableElement {
  const numeric = new Set(opts.numeric ?? []);
  return h(
    'table',
    { class: 'data' },
    h('caption', null, caption),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head.map((c, i) => h('th', { scope: 'col', class: numeric.has(i) ? 'num' : null }, c)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h(
          'tr',
          null,
          r.map((c, i) =>
            i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: numeric.has(i) ? 'num' : null }, c),
          ),
        ),
      ),
    ),
  );
}

/** A chart's table alternative, folded away by default. */
export function dataDetails(summary: string, content: Child): HTMLDetailsElement {
  return h(
    'details',
    { class: 'table-alt' },
    h('summary', null, summary),
    h('div', { class: 'scroll-x' }, content),
  );
}

/** Reads a CSS custom property (charts follow the light/dark palette). */
export function cssVar(name: string, fallback = '#888'): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}
