import { createHash } from 'node:crypto';
import type { LabelledText } from '../training/types';

/** The text as the fingerprint sees it: NFC, whitespace runs collapsed to one space, trimmed. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * `sha256:<hex>` over `label \t normalised text \n` per row, in order. The same rows give the
 * same fingerprint whichever file format carried them, and whatever the line endings, BOM or
 * quoting; reordering rows changes it (training order matters for seeded runs).
 *
 * @example fingerprintRows([{ text: 'Apple beats', label: 'positive' }]) // 'sha256:…'
 */
export function fingerprintRows(rows: readonly LabelledText[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.label}\t${normaliseText(row.text)}\n`);
  return `sha256:${hash.digest('hex')}`;
}
