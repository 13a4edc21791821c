import { readFileSync } from 'node:fs';
import { DataError } from '../../../lib/errors';
import type { LabelledText } from '../../training/types';
import type { Label } from '../../types';

/**
 * A minimal reader for `text,label` CSV files with the Twitter financial set's labels
 * (0 = bearish/negative, 1 = bullish/positive, 2 = neutral), quoted fields and "" escapes.
 * The general dataset loaders live in models/datasets; this one only serves the VADER trainer's
 * scripts and tests. A bad row fails with its line number; nothing is silently dropped.
 *
 *   readLabelledCsv('../shared/data/twitter-financial-news-sentiment/sent_valid.csv').length // → 2388
 */
export const TWITTER_LABELS: Readonly<Record<string, Label>> = {
  '0': 'negative',
  '1': 'positive',
  '2': 'neutral',
};

export function readLabelledCsv(
  file: string,
  labels: Readonly<Record<string, Label>> = TWITTER_LABELS,
): LabelledText[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataError(`cannot read ${file}: check the path`, { input: file }, { cause: error });
  }
  return parseLabelledCsv(text, file, labels);
}

export function parseLabelledCsv(
  text: string,
  file = '<csv>',
  labels: Readonly<Record<string, Label>> = TWITTER_LABELS,
): LabelledText[] {
  const rows = parseCsv(text, file);
  const header = rows.shift();
  const textCol = header?.fields.indexOf('text') ?? -1;
  const labelCol = header?.fields.indexOf('label') ?? -1;
  if (textCol < 0 || labelCol < 0) {
    throw new DataError(`${file}: the header must name the columns "text" and "label"`, { input: file });
  }
  const out: LabelledText[] = [];
  for (const row of rows) {
    if (row.fields.length === 1 && row.fields[0] === '') continue; // blank line
    const label = labels[row.fields[labelCol]?.trim() ?? ''];
    const body = row.fields[textCol];
    if (!label || body === undefined || row.fields.length !== header!.fields.length) {
      throw new DataError(
        `${file}:${row.line}: expected ${header!.fields.length} fields with a label in ${Object.keys(labels).join('/')}, got ${JSON.stringify(row.fields)}`,
        { input: file, line: row.line },
      );
    }
    out.push({ text: body, label });
  }
  if (out.length === 0) throw new DataError(`${file}: no labelled rows`, { input: file });
  return out;
}

function parseCsv(text: string, file: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      rowLine = ++line;
    } else field += c;
  }
  if (quoted)
    throw new DataError(`${file}:${rowLine}: unterminated quoted field`, { input: file, line: rowLine });
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    rows.push({ line: rowLine, fields });
  }
  return rows;
}
