/**
 * Text clean-up for headlines and summaries: HTML tags out, HTML entities decoded (feeds often
 * double-encode: `&amp;#39;`), control and zero-width characters out, whitespace collapsed,
 * Unicode in NFC. Tag stripping works on text already extracted by the XML parser — it is a
 * clean-up of HTML fragments inside a field, not a way of parsing documents.
 */

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  lsaquo: '‹',
  rsaquo: '›',
  bull: '•',
  middot: '·',
  prime: '′',
  Prime: '″',
  trade: '™',
  reg: '®',
  copy: '©',
  sect: '§',
  para: '¶',
  deg: '°',
  plusmn: '±',
  times: '×',
  divide: '÷',
  minus: '−',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
  sup2: '²',
  sup3: '³',
  micro: 'µ',
  permil: '‰',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  curren: '¤',
  dollar: '$',
  percnt: '%',
  num: '#',
  excl: '!',
  quest: '?',
  comma: ',',
  period: '.',
  colon: ':',
  semi: ';',
  lpar: '(',
  rpar: ')',
  iexcl: '¡',
  iquest: '¿',
  shy: '',
  zwnj: '',
  zwj: '',
  lrm: '',
  rlm: '',
  agrave: 'à',
  aacute: 'á',
  acirc: 'â',
  atilde: 'ã',
  auml: 'ä',
  aring: 'å',
  aelig: 'æ',
  ccedil: 'ç',
  egrave: 'è',
  eacute: 'é',
  ecirc: 'ê',
  euml: 'ë',
  igrave: 'ì',
  iacute: 'í',
  icirc: 'î',
  iuml: 'ï',
  ntilde: 'ñ',
  ograve: 'ò',
  oacute: 'ó',
  ocirc: 'ô',
  otilde: 'õ',
  ouml: 'ö',
  oslash: 'ø',
  ugrave: 'ù',
  uacute: 'ú',
  ucirc: 'û',
  uuml: 'ü',
  yacute: 'ý',
  yuml: 'ÿ',
  szlig: 'ß',
  Agrave: 'À',
  Aacute: 'Á',
  Acirc: 'Â',
  Auml: 'Ä',
  Aring: 'Å',
  Ccedil: 'Ç',
  Egrave: 'È',
  Eacute: 'É',
  Ecirc: 'Ê',
  Ntilde: 'Ñ',
  Oacute: 'Ó',
  Ouml: 'Ö',
  Oslash: 'Ø',
  Uacute: 'Ú',
  Uuml: 'Ü',
};

const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;

function decodeOnce(s: string): string {
  return s.replace(ENTITY, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return '';
      return String.fromCodePoint(code);
    }
    return NAMED[body] ?? whole;
  });
}

/** Decodes HTML entities, twice at most (`&amp;amp;` → `&`), which covers real double-encoding. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  const once = decodeOnce(s);
  return once.includes('&') ? decodeOnce(once) : once;
}

const DROP_BLOCKS = /<(script|style|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENTS = /<!--[\s\S]*?-->/g;
const BREAKS = /<(br|\/p|\/div|\/li|\/h[1-6]|\/tr)\b[^>]*>/gi;
const TAGS = /<\/?[A-Za-z][^<>]*>/g;

/** Removes tags (keeping their text), scripts, styles and comments. */
export function stripHtml(s: string): string {
  if (!s.includes('<')) return s;
  return s.replace(DROP_BLOCKS, ' ').replace(COMMENTS, ' ').replace(BREAKS, ' ').replace(TAGS, '');
}

// C0/C1 controls (except whitespace), zero-width characters, BOM, bidi marks.
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;

/**
 * The clean text of a field, or null when nothing is left.
 *
 * @example
 * cleanText('<p>Apple&nbsp;beats &amp;amp; raises</p>') // 'Apple beats & raises'
 */
export function cleanText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // Entities first, so that escaped markup (`&lt;b&gt;`) is stripped too; then again after
  // stripping, for entities that were inside the markup's text.
  const text = decodeEntities(stripHtml(decodeEntities(value)))
    .replace(INVISIBLE, '')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? null : text;
}

/** Cuts at a word boundary, adding an ellipsis, so a summary never ends mid-word. */
export function truncateWords(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.5 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
