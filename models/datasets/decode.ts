import { DataError } from '../../lib/errors';
import type { Encoding } from './types';

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    // ignoreBOM keeps a BOM in the output, so one code path strips it for every encoding.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decodes a data file. UTF-8 is checked strictly (a latin-1 file read as UTF-8 would silently
 * turn "Nokia Oyj's €" into replacement characters); `latin1` is ISO-8859-1 byte for byte.
 * A leading BOM is removed in every case.
 */
export function decodeText(bytes: Uint8Array, encoding: Encoding, source: string): string {
  let text: string | undefined;
  if (encoding === 'latin1' && !hasUtf8Bom(bytes)) {
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  } else {
    text = strictUtf8(bytes);
    if (text === undefined) {
      if (encoding === 'utf8') {
        throw new DataError(
          `${source} is not valid UTF-8: if it is latin-1 (as Financial PhraseBank files are), pass --encoding latin1`,
          { action: 'decoding dataset', input: source },
        );
      }
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
