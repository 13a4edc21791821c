/**
 * A light language detector for headlines (no model, no dictionary download):
 * 1. script: when most letters are Cyrillic, Greek, Arabic, Hebrew, Han, kana, Hangul,
 *    Devanagari or Thai, that script names the language;
 * 2. Latin script: count function words (and a few very common financial words) of English,
 *    German, French, Spanish, Italian, Portuguese and Dutch; the language with most hits wins,
 *    English needing one hit, the others two and more than English.
 * Too few words or no hits gives `und` (undetermined): "AAPL Q2 EPS $1.53 vs $1.50 est." says
 * nothing about its language, and the quality rules accept `und` by default.
 */

const WORDS: Record<string, string[]> = {
  en: (
    'the a an of to in on for and with as at by from after its is are was will be has have ' +
    'than over into amid says said new shares stock stocks earnings revenue profit quarter ' +
    'sales beats misses rises falls jumps slips reports announces results investors market ' +
    'higher lower up down deal growth outlook guidance price target rating'
  ).split(' '),
  de: (
    'der die das und mit für von den dem des ist nicht auf bei nach eine einer ein zum zur ' +
    'aktie aktien umsatz gewinn anleger quartal steigt'
  ).split(' '),
  fr: (
    'le la les des du et est une pour dans sur avec par au aux que qui pas son ses chiffre ' +
    "d'affaires hausse baisse bourse résultats"
  ).split(' '),
  es: (
    'el los las del y que por para con una en al se sus más como acciones ventas beneficio ' +
    'bolsa trimestre sube baja'
  ).split(' '),
  it: (
    'il lo gli della delle dei di che per con una nel nella sono ha azioni utile ricavi borsa ' + 'trimestre'
  ).split(' '),
  pt: (
    'o os as da do das dos que para com uma em no na não são ações lucro receita bolsa ' + 'trimestre'
  ).split(' '),
  nl: (
    'de het een van en met voor op niet zijn bij naar aandeel aandelen omzet winst beurs ' + 'kwartaal'
  ).split(' '),
};

const LEXICON = new Map<string, string[]>();
for (const [lang, words] of Object.entries(WORDS)) {
  for (const w of words) LEXICON.set(w, [...(LEXICON.get(w) ?? []), lang]);
}

// Code-point ranges of the scripts that name a language on their own. A range table rather than
// \p{Script=…} regexes per character: detection runs on every collected item.
const SCRIPTS: [number, number, string][] = [
  [0x0370, 0x03ff, 'el'],
  [0x0400, 0x052f, 'ru'],
  [0x0590, 0x05ff, 'he'],
  [0x0600, 0x06ff, 'ar'],
  [0x0900, 0x097f, 'hi'],
  [0x0e00, 0x0e7f, 'th'],
  [0x1100, 0x11ff, 'ko'],
  [0x3040, 0x30ff, 'ja'],
  [0x3400, 0x4dbf, 'zh'],
  [0x4e00, 0x9fff, 'zh'],
  [0xac00, 0xd7af, 'ko'],
];

function isLatinLetter(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7)
  );
}

function scriptLanguage(text: string): string | undefined {
  // Plain ASCII (most English headlines) has no other script to find.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at U+0000
  if (/^[\u0000-\u007f]*$/.test(text)) return undefined;
  let letters = 0;
  const counts = new Map<string, number>();
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isLatinLetter(c)) {
      letters++;
      continue;
    }
    for (const [lo, hi, lang] of SCRIPTS) {
      if (c >= lo && c <= hi) {
        letters++;
        counts.set(lang, (counts.get(lang) ?? 0) + 1);
        break;
      }
    }
  }
  if (letters === 0) return undefined;
  // Japanese mixes kana with Han: any kana at all makes it Japanese rather than Chinese.
  if ((counts.get('ja') ?? 0) > 0) counts.set('ja', (counts.get('ja') ?? 0) + (counts.get('zh') ?? 0));
  let best: string | undefined;
  let bestCount = 0;
  for (const [lang, n] of counts) {
    if (n > bestCount) {
      best = lang;
      bestCount = n;
    }
  }
  return best && bestCount / letters > 0.5 ? best : undefined;
}

/**
 * @example
 * detectLanguage('Apple beats estimates as iPhone sales rise') // 'en'
 * detectLanguage('Die Aktie von Siemens steigt nach den Zahlen') // 'de'
 * detectLanguage('AAPL Q2 EPS $1.53') // 'und'
 */
export function detectLanguage(text: string): string {
  const byScript = scriptLanguage(text);
  if (byScript) return byScript;
  const words = text.toLowerCase().match(/[a-z\u00df-\u024f']+/g) ?? [];
  if (words.length < 3) return 'und';
  const hits = new Map<string, number>();
  for (const w of words) {
    for (const lang of LEXICON.get(w) ?? []) hits.set(lang, (hits.get(lang) ?? 0) + 1);
  }
  const en = hits.get('en') ?? 0;
  let other: string | undefined;
  let otherHits = 0;
  for (const [lang, n] of hits) {
    if (lang !== 'en' && n > otherHits) {
      other = lang;
      otherHits = n;
    }
  }
  if (other && otherHits >= 2 && otherHits > en) return other;
  return en > 0 ? 'en' : 'und';
}

/** `en-US` → `en`; anything unusable → undefined. */
export function declaredLanguage(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^([a-z]{2,3})(?:[-_][a-z0-9]+)*$/i.exec(value.trim());
  return m?.[1]?.toLowerCase();
}
