import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelUnavailableError } from '../../lib/errors';

/**
 * VADER 3.3.x's word lists and constants (Hutto & Gilbert; vaderSentiment 3.3.1, MIT), with the
 * lexicon and emoji files under ./data (see data/NOTICE.md for provenance and licence).
 */

/** Empirically derived mean intensity increase for booster words. */
export const B_INCR = 0.293;
export const B_DECR = -0.293;
/** Intensity increase for an ALL-CAPS word when the rest of the text is not all caps. */
export const C_INCR = 0.733;
export const N_SCALAR = -0.74;

export const NEGATE: ReadonlySet<string> = new Set([
  'aint', 'arent', 'cannot', 'cant', 'couldnt', 'darent', 'didnt', 'doesnt',
  "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
  'dont', 'hadnt', 'hasnt', 'havent', 'isnt', 'mightnt', 'mustnt', 'neither',
  "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
  'neednt', "needn't", 'never', 'none', 'nope', 'nor', 'not', 'nothing', 'nowhere',
  'oughtnt', 'shant', 'shouldnt', 'uhuh', 'wasnt', 'werent',
  "oughtn't", "shan't", "shouldn't", 'uh-uh', "wasn't", "weren't",
  'without', 'wont', 'wouldnt', "won't", "wouldn't", 'rarely', 'seldom', 'despite',
]); // biome-ignore format: the reference's layout, kept for line-by-line comparison

const INCR_WORDS = [
  'absolutely',
  'amazingly',
  'awfully',
  'completely',
  'considerable',
  'considerably',
  'decidedly',
  'deeply',
  'effing',
  'enormous',
  'enormously',
  'entirely',
  'especially',
  'exceptional',
  'exceptionally',
  'extreme',
  'extremely',
  'fabulously',
  'flipping',
  'flippin',
  'frackin',
  'fracking',
  'fricking',
  'frickin',
  'frigging',
  'friggin',
  'fully',
  'fuckin',
  'fucking',
  'fuggin',
  'fugging',
  'greatly',
  'hella',
  'highly',
  'hugely',
  'incredible',
  'incredibly',
  'intensely',
  'major',
  'majorly',
  'more',
  'most',
  'particularly',
  'purely',
  'quite',
  'really',
  'remarkably',
  'so',
  'substantially',
  'thoroughly',
  'total',
  'totally',
  'tremendous',
  'tremendously',
  'uber',
  'unbelievably',
  'unusually',
  'utter',
  'utterly',
  'very',
];
const DECR_WORDS = [
  'almost',
  'barely',
  'hardly',
  'just enough',
  'kind of',
  'kinda',
  'kindof',
  'kind-of',
  'less',
  'little',
  'marginal',
  'marginally',
  'occasional',
  'occasionally',
  'partly',
  'scarce',
  'scarcely',
  'slight',
  'slightly',
  'somewhat',
  'sort of',
  'sorta',
  'sortof',
  'sort-of',
];

/** Booster/dampener words (84 entries in 3.3.x), including three two-word entries. */
export const BOOSTER_DICT: ReadonlyMap<string, number> = new Map([
  ...INCR_WORDS.map((w): [string, number] => [w, B_INCR]),
  ...DECR_WORDS.map((w): [string, number] => [w, B_DECR]),
]);

/** Idioms and phrases containing lexicon words whose valence replaces the word's. */
export const SPECIAL_CASES: ReadonlyMap<string, number> = new Map([
  ['the shit', 3],
  ['the bomb', 3],
  ['bad ass', 1.5],
  ['badass', 1.5],
  ['bus stop', 0.0],
  ['yeah right', -2],
  ['kiss of death', -1.5],
  ['to die for', 3],
  ['beating heart', 3.1],
  ['broken heart', -2.9],
]);

/** Every word that occurs in a SPECIAL_CASES key or a multi-word booster: a cheap pre-filter. */
export const IDIOM_WORDS: ReadonlySet<string> = new Set(
  [...SPECIAL_CASES.keys(), ...BOOSTER_DICT.keys()]
    .filter((k) => k.includes(' '))
    .flatMap((k) => k.split(' ')),
);

const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

function readData(file: string): string {
  const full = path.join(DATA_DIR, file);
  try {
    return readFileSync(full, 'utf8');
  } catch (error) {
    throw new ModelUnavailableError(
      `cannot read the VADER data file ${full}: restore it from the repository (git checkout -- models/vader/data)`,
      { action: 'loading the VADER lexicon', input: full },
      { cause: error },
    );
  }
}

/** Parses `word<TAB>valence[<TAB>…]` lines like the reference's `make_lex_dict`. */
export function parseLexicon(text: string): Map<string, number> {
  const lexicon = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const [word, measure] = line.split('\t');
    const value = Number(measure);
    if (word === undefined || measure === undefined || !Number.isFinite(value)) continue;
    lexicon.set(word, value);
  }
  return lexicon;
}

/**
 * Parses `emoji<TAB>description` lines. The reference looks emoji up one code point at a time,
 * so only single-code-point keys can ever match; longer sequences are skipped here.
 */
export function parseEmojiLexicon(text: string): Map<number, string> {
  const emojis = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const [emoji, description] = line.split('\t');
    if (emoji === undefined || description === undefined) continue;
    const cp = emoji.codePointAt(0);
    if (cp === undefined || String.fromCodePoint(cp).length !== emoji.length) continue;
    emojis.set(cp, description);
  }
  return emojis;
}

let stockLexicon: ReadonlyMap<string, number> | undefined;
let stockEmoji: ReadonlyMap<number, string> | undefined;

/** The stock VADER 3.3.x lexicon (7,520 entries), read once per process. */
export function stockVaderLexicon(): ReadonlyMap<string, number> {
  stockLexicon ??= parseLexicon(readData('vader_lexicon.txt'));
  return stockLexicon;
}

/** Single-code-point emoji → description (VADER replaces emoji by their CLDR short names). */
export function stockEmojiLexicon(): ReadonlyMap<number, string> {
  stockEmoji ??= parseEmojiLexicon(readData('emoji_utf8_lexicon.txt'));
  return stockEmoji;
}
