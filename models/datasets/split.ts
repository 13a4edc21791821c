import { createHash } from 'node:crypto';
import { InputError } from '../../lib/errors';
import { LABELS } from '../types';
import { normaliseText } from './fingerprint';
import type { DatasetRow } from './types';

export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SplitOptions {
  seed: number;
  /** Shares of validation and test; train gets the rest. Default 0.15 and 0.2. */
  validation?: number;
  test?: number;
}

export type Splits<R> = Record<SplitName, R[]>;

function rank(seed: number, key: string): string {
  return createHash('sha256').update(`${seed}\0${key}`).digest('hex');
}

/**
 * Deterministic stratified split. Within each label, rows are ordered by sha256(seed, id or
 * normalised text) and cut by share, so the result does not depend on file order, and adding a
 * row moves at most a few others. Rows keep their original relative order inside each split.
 *
 * @example splitRows(rows, { seed: 42 }).test // ≈ 20% of each label, never seen by training
 */
export function splitRows<R extends Pick<DatasetRow, 'text' | 'label' | 'id'>>(
  rows: readonly R[],
  options: SplitOptions,
): Splits<R> {
  const validation = options.validation ?? 0.15;
  const test = options.test ?? 0.2;
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) {
    throw new InputError(
      `split shares must be ≥ 0 and leave room for training (validation ${validation}, test ${test})`,
    );
  }
  const assigned = new Map<R, SplitName>();
  for (const label of LABELS) {
    const group = rows
      .filter((r) => r.label === label)
      .map((row) => ({ row, key: rank(options.seed, row.id ?? normaliseText(row.text)) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const nTest = Math.round(group.length * test);
    const nValidation = Math.round(group.length * validation);
    group.forEach(({ row }, index) => {
      assigned.set(row, index < nTest ? 'test' : index < nTest + nValidation ? 'validation' : 'train');
    });
  }
  const out: Splits<R> = { train: [], validation: [], test: [] };
  for (const row of rows) out[assigned.get(row)!].push(row);
  return out;
}
