import { readFileSync } from 'node:fs';
import { DataError } from '../../lib/errors';

/**
 * Reads the small labelled/unlabelled files monitoring needs (reference texts, feedback sets):
 * CSV with a header holding `text` (and optionally `label`, `ticker`), or JSON Lines with the same
 * keys. A local reader so this module stands alone; the data platform's loaders can replace it.
 */
export interface DatasetRow {
  text: string;
  label?: string;
  ticker?: string;
}

const SYNONYMS: Record<string, string> = {
  positive: 'positive',
  bullish: 'positive',
  negative: 'negative',
  bearish: 'negative',
  neutral: 'neutral',
};

/** `0=negative,1=positive,2=neutral` → a map (the Twitter financial set's card). */
export function parseLabelMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [k, v] = part.split('=').map((x) => x?.trim());
    if (!k || !v || !SYNONYMS[v.toLowerCase()]) {
      throw new DataError(`label map "${text}" is not like 0=negative,1=positive,2=neutral`, { input: text });
    }
    out[k] = SYNONYMS[v.toLowerCase()]!;
  }
  return out;
}

export function readDataset(file: string, labelMap: Record<string, string> = {}): DatasetRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataError(`cannot read ${file}: ${(error as Error).message}`, { input: file });
  }
  const rows = file.endsWith('.jsonl') ? parseJsonl(text, file) : parseCsv(text, file);
  const out = rows
    .filter((r) => typeof r.text === 'string' && r.text.trim() !== '')
    .map((r, i) => {
      const row: DatasetRow = { text: r.text! };
      if (r.ticker) row.ticker = r.ticker;
      if (r.label !== undefined && r.label !== '') {
        const mapped = labelMap[r.label] ?? SYNONYMS[r.label.toLowerCase()];
        if (!mapped) {
          throw new DataError(
            `${file} row ${i + 1}: label "${r.label}" is not positive/negative/neutral; pass a label map such as 0=negative,1=positive,2=neutral`,
            { input: file },
          );
        }
        row.label = mapped;
      }
      return row;
    });
  if (out.length === 0) throw new DataError(`${file} holds no rows with text`, { input: file });
  return out;
}

function parseJsonl(text: string, file: string): Array<Record<string, string | undefined>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        const o = JSON.parse(l) as Record<string, unknown>;
        return {
          text: typeof o.text === 'string' ? o.text : undefined,
          label: o.label === undefined ? undefined : String(o.label),
          ticker: typeof o.ticker === 'string' ? o.ticker : undefined,
        };
      } catch {
        throw new DataError(`${file} line ${i + 1} is not JSON`, { input: file });
      }
    });
}

/** RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes. */
export function parseCsv(text: string, file = 'csv'): Array<Record<string, string | undefined>> {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const header = records.shift()?.map((h) => h.trim().toLowerCase());
  if (!header?.includes('text'))
    throw new DataError(`${file} needs a header row with a "text" column`, { input: file });
  return records
    .filter((r) => r.length > 1 || r[0] !== '')
    .map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
