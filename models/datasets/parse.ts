import { DataError, InputError } from '../../lib/errors';
import { readDelimited } from './csv';
import { decodeText } from './decode';
import { fingerprintRows } from './fingerprint';
import { emptyCounts, type LabelMap, mapLabel, parseLabelMap } from './labels';
import {
  DATASET_FORMATS,
  type Dataset,
  type DatasetFormat,
  type DatasetOptions,
  type DatasetRow,
  type RowWarning,
} from './types';

/** One candidate row before validation: raw text and label, or why it could not be read. */
type RawRow = { line: number; text: unknown; label: unknown; id?: string } | { line: number; error: string };

interface Columns {
  text: string;
  label: string;
}

function* jsonlRows(text: string, columns: Columns): Generator<RawRow> {
  const lines = text.split(/\r\n|\n|\r/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const line = index + 1;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      yield { line, error: `not valid JSON (${(error as Error).message})` };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { line, error: 'not a JSON object: each line must be like {"text": "…", "label": "positive"}' };
      continue;
    }
    const record = value as Record<string, unknown>;
    const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : undefined;
    const row = { line, text: record[columns.text], label: record[columns.label] };
    yield id === undefined ? row : { ...row, id };
  }
}

function* delimitedRows(
  text: string,
  delimiter: string,
  columns: Columns,
  source: string,
): Generator<RawRow> {
  const records = readDelimited(text, delimiter);
  const first = records.next();
  if (first.done) return;
  const header = first.value.fields.map((h) => h.trim());
  const find = (name: string) => header.findIndex((h) => h.toLowerCase() === name.trim().toLowerCase());
  const textAt = find(columns.text);
  const labelAt = find(columns.label);
  if (first.value.error || textAt < 0 || labelAt < 0) {
    const missing = [
      textAt < 0 ? `text column "${columns.text}"` : '',
      labelAt < 0 ? `label column "${columns.label}"` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    throw new DataError(
      `${source}: the header (line ${first.value.line}) has columns ${JSON.stringify(header)} but no ${missing || 'readable layout'}: ` +
        'pass --text-column and --label-column, or check --format',
      { action: 'reading dataset header', input: source },
    );
  }
  for (const record of records) {
    if (record.error) {
      yield { line: record.line, error: record.error };
    } else if (record.fields.length !== header.length) {
      yield {
        line: record.line,
        error: `has ${record.fields.length} fields but the header has ${header.length} (an unquoted ${delimiter === '\t' ? 'tab' : 'comma'} in the text?)`,
      };
    } else {
      yield { line: record.line, text: record.fields[textAt], label: record.fields[labelAt] };
    }
  }
}

function* phrasebankRows(text: string): Generator<RawRow> {
  const lines = text.split(/\r\n|\n|\r/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    if (raw.trim() === '') continue;
    // The sentence itself may contain "@" (e-mail addresses, "@ EUR 5"): the label follows the last one.
    const at = raw.lastIndexOf('@');
    if (at < 0) {
      yield {
        line: index + 1,
        error: 'has no "@": Financial PhraseBank lines look like "sentence@positive"',
      };
      continue;
    }
    yield { line: index + 1, text: raw.slice(0, at), label: raw.slice(at + 1) };
  }
}

function validate(raw: RawRow, map: LabelMap | undefined, source: string): DatasetRow | RowWarning {
  if ('error' in raw) return { file: source, line: raw.line, message: raw.error };
  const fail = (message: string): RowWarning => ({ file: source, line: raw.line, message });
  if (typeof raw.text !== 'string')
    return fail(raw.text === undefined ? 'has no text' : 'text is not a string');
  const text = raw.text.trim();
  if (text === '') return fail('text is empty');
  if (typeof raw.label !== 'string' && typeof raw.label !== 'number') {
    return fail(
      raw.label === undefined || raw.label === null ? 'has no label' : 'label is not a string or number',
    );
  }
  const label = mapLabel(String(raw.label), map);
  if (!label) {
    const hint = /^\s*-?\d+\s*$/.test(String(raw.label))
      ? 'numeric labels need a map, e.g. --label-map 0=negative,1=positive,2=neutral'
      : 'expected positive, negative or neutral (or bullish/bearish), or pass --label-map';
    return fail(`unknown label ${JSON.stringify(String(raw.label).trim())}: ${hint}`);
  }
  const row: DatasetRow = { text, label, line: raw.line };
  if (raw.id !== undefined) row.id = raw.id;
  return row;
}

/** The format a file's extension implies, or undefined. */
export function formatFromPath(file: string): DatasetFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  if (lower.endsWith('.txt')) return 'phrasebank';
  return undefined;
}

export function assertFormat(format: string): DatasetFormat {
  if (!(DATASET_FORMATS as readonly string[]).includes(format)) {
    throw new InputError(`unknown dataset format "${format}": use one of ${DATASET_FORMATS.join(', ')}`, {
      input: format,
    });
  }
  return format as DatasetFormat;
}

/**
 * Parses dataset content already in memory. Bad rows become warnings with their line; a dataset
 * with no usable row, or any bad row under `strict`, is a DataError.
 *
 * @example
 * parseDataset('text,label\n"Apple beats, raises",bullish\n', { source: 'x.csv', format: 'csv' }).rows
 * // [{ text: 'Apple beats, raises', label: 'positive', line: 2 }]
 */
export function parseDataset(
  content: string | Uint8Array,
  options: DatasetOptions & { source: string; format: DatasetFormat },
): Dataset {
  const { source, format } = options;
  const encoding = options.encoding ?? (format === 'phrasebank' ? 'auto' : 'utf8');
  const text =
    typeof content === 'string' ? content.replace(/^\uFEFF/, '') : decodeText(content, encoding, source);
  const columns: Columns = { text: options.textColumn ?? 'text', label: options.labelColumn ?? 'label' };
  const map = options.labelMap === undefined ? undefined : parseLabelMap(options.labelMap);
  const raws =
    format === 'jsonl'
      ? jsonlRows(text, columns)
      : format === 'phrasebank'
        ? phrasebankRows(text)
        : delimitedRows(text, format === 'csv' ? ',' : '\t', columns, source);

  const rows: DatasetRow[] = [];
  const warnings: RowWarning[] = [];
  const counts = emptyCounts();
  for (const raw of raws) {
    const result = validate(raw, map, source);
    if ('message' in result) {
      if (options.strict) {
        throw new DataError(
          `${source}:${result.line}: ${result.message} (strict mode stops at the first bad row)`,
          {
            action: 'loading dataset',
            input: source,
            line: result.line,
          },
        );
      }
      warnings.push(result);
    } else {
      rows.push(result);
      counts[result.label]++;
    }
  }
  if (rows.length === 0) {
    const first = warnings[0];
    const detail = first
      ? `${warnings.length} bad row(s), the first at line ${first.line}: ${first.message}; is it really ${format}? pass --format to say`
      : 'the file is empty';
    throw new DataError(`${source} has no usable rows: ${detail}`, {
      action: 'loading dataset',
      input: source,
    });
  }
  return { source, format, rows, warnings, fingerprint: fingerprintRows(rows), counts };
}
