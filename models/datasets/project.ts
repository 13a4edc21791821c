import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DataError } from '../../lib/errors';
import { REPO_ROOT } from '../../lib/paths';
import { LABELS } from '../types';
import { loadDataset } from './load';
import { type SplitName, splitRows } from './split';
import type { Dataset } from './types';

/**
 * The labelled headline set finsent writes for itself (models/data/README.md): the main job's
 * evaluation set, the training default, and the bundled `sample` news source.
 */
export const HEADLINES_PATH = path.join(REPO_ROOT, 'models', 'data', 'finsent-headlines.jsonl');

/** Fixed so the held-out test split never changes under anyone's feet. */
export const HEADLINES_SPLIT_SEED = 20261123;

export function headlinesPath(split?: SplitName): string {
  return split ? HEADLINES_PATH.replace(/\.jsonl$/, `.${split}.jsonl`) : HEADLINES_PATH;
}

export const HeadlineRecordSchema = z.strictObject({
  id: z.string().regex(/^fsh-\d{4}$/),
  text: z.string().min(1),
  label: z.enum(LABELS),
  tickers: z.array(z.string().regex(/^[A-Z][A-Z.]{0,5}$/)),
  published_at: z.iso.datetime(),
  source: z.literal('sample'),
});
export type HeadlineRecord = z.infer<typeof HeadlineRecordSchema>;

/**
 * Every record of the headline set with its tickers and timestamp, validated.
 *
 * @example readHeadlineRecords()[0] // { id: 'fsh-0001', text: 'Home Depot cuts …', label: 'negative', tickers: ['HD'], … }
 */
export function readHeadlineRecords(file: string = HEADLINES_PATH): HeadlineRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataError(
      `cannot read ${file}: ${(error as Error).message}`,
      { input: file },
      { cause: error },
    );
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const parsed = HeadlineRecordSchema.safeParse(JSON.parse(line));
      if (!parsed.success) {
        throw new DataError(`${file}:${index + 1}: ${parsed.error.issues.map((i) => i.message).join('; ')}`, {
          input: file,
        });
      }
      return parsed.data;
    });
}

/** The JSONL text of each split file, exactly as committed beside the full set. */
export function renderHeadlineSplits(records: readonly HeadlineRecord[]): Record<SplitName, string> {
  const splits = splitRows(records, { seed: HEADLINES_SPLIT_SEED });
  const render = (rows: readonly HeadlineRecord[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  return { train: render(splits.train), validation: render(splits.validation), test: render(splits.test) };
}

/**
 * The headline set (or one split of it) as a Dataset.
 *
 * @example (await loadProjectHeadlines('test')).rows.length // 111
 */
export function loadProjectHeadlines(split?: SplitName): Promise<Dataset> {
  return loadDataset(headlinesPath(split), { format: 'jsonl' });
}
