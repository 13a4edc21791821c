/**
 * The few Python `str` semantics VADER's reference implementation depends on, reproduced exactly:
 * `str.split()` whitespace, `str.strip(string.punctuation)`, `str.isupper()`, `len()` in code points
 * and `round(x, n)` (round-half-even on the exact binary value). JavaScript's built-ins differ on
 * each of these at the edges (`\s` includes U+FEFF but not U+001C–U+001F or U+0085, `toFixed` rounds
 * ties away from zero), and the edges decide parity on real text.
 */

/** `str.isspace()` for one UTF-16 code unit (all Python whitespace lies in the BMP). */
export function isPyWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Membership in Python's `string.punctuation` (ASCII only), as a 128-entry table. */
const PUNCT = new Uint8Array(128);
for (const ch of '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~') PUNCT[ch.charCodeAt(0)] = 1;

export function isPyPunctuation(code: number): boolean {
  return code < 128 && PUNCT[code] === 1;
}

/** Number of code points in `text[start, end)`, counting only up to `limit + 1` (callers compare). */
export function codePointLength(text: string, start: number, end: number, limit: number): number {
  let count = 0;
  for (let i = start; i < end && count <= limit; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low surrogate is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

const LOWER = /\p{Lowercase}/u;
const UPPER = /\p{Uppercase}/u;
const TITLE = /\p{Lt}/u;

/**
 * Python's `str.isupper()`: at least one cased character and no lowercase or titlecase one.
 * ASCII is decided inline; anything else goes through the Unicode derived properties Python uses.
 */
export function pyIsUpper(token: string): boolean {
  let cased = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 128) {
      if (c >= 97 && c <= 122) return false;
      if (c >= 65 && c <= 90) cased = true;
      continue;
    }
    return pyIsUpperSlow(token);
  }
  return cased;
}

function pyIsUpperSlow(token: string): boolean {
  let cased = false;
  for (const ch of token) {
    if (LOWER.test(ch) || TITLE.test(ch)) return false;
    if (!cased && UPPER.test(ch)) cased = true;
  }
  return cased;
}

/** `str.lower()` without allocating when the token is ASCII with no capitals (the usual case). */
export function pyLower(token: string): string {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 128 || (c >= 65 && c <= 90)) return token.toLowerCase();
  }
  return token;
}

/**
 * Python 3's `round(x, digits)`: the decimal nearest to the exact binary value of `x`, ties to
 * even. `toFixed` is exact too but breaks ties away from zero. An exact tie (k + ½)/10^d is a
 * double only when it equals odd/2^(d+1) (the 5^d must cancel), and multiplying by a power of two
 * is exact, so ties are detected without any rounding error; `x * 10^d` is then exact as well.
 *
 *   pyRound(0.0625, 3) === 0.062   // Python: round(0.0625, 3) == 0.062 (a true tie, to even)
 *   pyRound(0.2625, 3) === 0.263   // the double 0.2625 lies just above 0.2625
 */
export function pyRound(x: number, digits: number): number {
  const scaled = x * 2 ** (digits + 1);
  if (Number.isInteger(scaled) && scaled % 2 !== 0) {
    const y = x * 10 ** digits;
    const floor = Math.floor(y);
    return (floor % 2 === 0 ? floor : floor + 1) / 10 ** digits;
  }
  return Number(x.toFixed(digits));
}
