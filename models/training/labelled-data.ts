import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../../lib/errors';
import { createRng, shuffled } from '../stats/prng';
import { isLabel, LABELS, type Label } from '../types';
import type { LabelledText } from './types';

/**
 * Reading labelled sets for training and comparison. This is a small local reader (JSONL, CSV,
 * Financial PhraseBank) standing in for models/datasets; the integrator may route
 * `readLabelledFile` to that module's loader — callers only need `LabelledText[]`.
 */
export type LabelledFormat = 'jsonl' | 'csv' | 'phrasebank';

export interface ReadOptions {
  format?: LabelledFormat;
  /** Maps raw label values (e.g. "0", "bullish") onto finsent labels. */
  labelMap?: Record<string, Label>;
}

/** Label spellings found in public financial sets, mapped onto positive / negative / neutral. */
const COMMON_LABELS: Record<string, Label> = {
  positive: 'positive',
  negative: 'negative',
  neutral: 'neutral',
  bullish: 'positive',
  bearish: 'negative',
  pos: 'positive',
  neg: 'negative',
  neu: 'neutral',
};

/** The Twitter Financial News Sentiment card: 0 bearish, 1 bullish, 2 neutral. */
export const TWITTER_FINANCIAL_LABELS: Record<string, Label> = {
  '0': 'negative',
  '1': 'positive',
  '2': 'neutral',
};

export function formatOf(file: string): LabelledFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  if (ext === '.txt') return 'phrasebank';
  throw new DataError(`cannot tell the format of ${file}: use .jsonl, .csv or a PhraseBank .txt file`, {
    input: file,
  });
}

export function readLabelledFile(file: string, options: ReadOptions = {}): LabelledText[] {
  const format = options.format ?? formatOf(file);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (error) {
    throw new DataError(`cannot read labelled data ${file}: ${(error as Error).message}`, { input: file });
  }
  const text = format === 'phrasebank' ? buf.toString('latin1') : buf.toString('utf8');
  const rows = parseLabelled(text, format, options.labelMap ?? {}, file);
  if (rows.length === 0) {
    throw new DataError(`${file} holds no labelled rows: expected {"text", "label"} records`, {
      input: file,
    });
  }
  return rows;
}

export function parseLabelled(
  text: string,
  format: LabelledFormat,
  labelMap: Record<string, Label>,
  source: string,
): LabelledText[] {
  const map = (raw: unknown, line: number): Label => {
    const key = String(raw ?? '').trim();
    const label = labelMap[key] ?? COMMON_LABELS[key.toLowerCase()];
    if (label && isLabel(label)) return label;
    throw new DataError(
      `${source}:${line}: label "${key}" is not one of ${LABELS.join(', ')}; pass a label map for this dataset`,
      { input: source, line },
    );
  };
  const out: LabelledText[] = [];
  if (format === 'jsonl') {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new DataError(`${source}:${i + 1}: not valid JSON`, { input: source, line: i + 1 });
      }
      const t = rec.text ?? rec.sentence ?? rec.headline;
      if (typeof t !== 'string' || t.trim() === '') {
        throw new DataError(`${source}:${i + 1}: missing "text"`, { input: source, line: i + 1 });
      }
      out.push({ text: t, label: map(rec.label ?? rec.sentiment, i + 1) });
    });
  } else if (format === 'csv') {
    const rows = parseCsv(text);
    const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
    const ti = header.indexOf('text');
    const li = header.indexOf('label');
    if (ti < 0 || li < 0) {
      throw new DataError(`${source}: CSV needs a header with "text" and "label" columns`, { input: source });
    }
    rows.forEach((r, i) => {
      if (r.length === 1 && r[0] === '') return;
      out.push({ text: r[ti] ?? '', label: map(r[li], i + 2) });
    });
  } else {
    text.split(/\r?\n/).forEach((line, i) => {
      const at = line.lastIndexOf('@');
      if (line.trim() === '') return;
      if (at < 0) throw new DataError(`${source}:${i + 1}: expected "sentence@label"`, { input: source });
      out.push({ text: line.slice(0, at).trim(), label: map(line.slice(at + 1), i + 1) });
    });
  }
  return out;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * A content fingerprint of a labelled set: sha256 over `label \t text \n` lines in order.
 * Two runs on the same data share it whatever the file name or format.
 */
export function fingerprintExamples(examples: readonly LabelledText[]): string {
  const h = createHash('sha256');
  for (const e of examples) h.update(`${e.label}\t${e.text}\n`);
  return `sha256:${h.digest('hex')}`;
}

export function labelCounts(examples: readonly LabelledText[]): Record<Label, number> {
  const counts = { positive: 0, negative: 0, neutral: 0 };
  for (const e of examples) counts[e.label]++;
  return counts;
}

export interface Split {
  train: LabelledText[];
  validation: LabelledText[];
  test: LabelledText[];
}

/**
 * A stratified, seeded split: each label's examples are shuffled with the seed and cut by the
 * fractions, so every part keeps the label mix and the same seed always gives the same parts.
 */
export function stratifiedSplit(
  examples: readonly LabelledText[],
  fractions: { validation: number; test: number },
  seed: number,
): Split {
  const { validation, test } = fractions;
  if (validation < 0 || test < 0 || validation + test >= 1) {
    throw new RangeError(
      `split fractions must be ≥ 0 and sum below 1 (validation ${validation}, test ${test})`,
    );
  }
  const rng = createRng(seed);
  const out: Split = { train: [], validation: [], test: [] };
  for (const label of LABELS) {
    const group = shuffled(
      examples.filter((e) => e.label === label),
      rng,
    );
    const nTest = Math.round(group.length * test);
    const nVal = Math.round(group.length * validation);
    out.test.push(...group.slice(0, nTest));
    out.validation.push(...group.slice(nTest, nTest + nVal));
    out.train.push(...group.slice(nTest + nVal));
  }
  // Interleave labels again so consumers that batch in order see a mix.
  return {
    train: shuffled(out.train, rng),
    validation: shuffled(out.validation, rng),
    test: shuffled(out.test, rng),
  };
}
