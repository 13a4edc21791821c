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

const SCRIPTS: [RegExp, string][] = [
  [/\p{Script=Cyrillic}/u, 'ru'],
  [/\p{Script=Greek}/u, 'el'],
  [/\p{Script=Arabic}/u, 'ar'],
  [/\p{Script=Hebrew}/u, 'he'],
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, 'ja'],
  [/\p{Script=Hangul}/u, 'ko'],
  [/\p{Script=Han}/u, 'zh'],
  [/\p{Script=Devanagari}/u, 'hi'],
  [/\p{Script=Thai}/u, 'th'],
];

function scriptLanguage(text: string): string | undefined {
  let letters = 0;
  const counts = new Map<string, number>();
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue;
    letters++;
    if (/\p{Script=Latin}/u.test(ch)) continue;
    for (const [re, lang] of SCRIPTS) {
      if (re.test(ch)) {
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
  const words = text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
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
