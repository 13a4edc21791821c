import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HEADLINES_PATH,
  HEADLINES_SPLIT_SEED,
  headlinesPath,
  loadProjectHeadlines,
  readHeadlineRecords,
  renderHeadlineSplits,
  SPLIT_NAMES,
  splitRows,
} from '../models/datasets';
import { LABELS } from '../models/types';

const records = readHeadlineRecords();

describe("the project's own headline set", () => {
  it('holds 400–600 valid, unique headlines with a realistic class balance', () => {
    expect(records.length).toBeGreaterThanOrEqual(400);
    expect(records.length).toBeLessThanOrEqual(600);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expect(new Set(records.map((r) => r.text.toLowerCase())).size).toBe(records.length);
    const share = (label: string) => records.filter((r) => r.label === label).length / records.length;
    // Roughly 30% positive, 25% negative, 45% neutral (models/data/README.md).
    expect(share('positive')).toBeGreaterThan(0.25);
    expect(share('positive')).toBeLessThan(0.35);
    expect(share('negative')).toBeGreaterThan(0.2);
    expect(share('negative')).toBeLessThan(0.3);
    expect(share('neutral')).toBeGreaterThan(0.4);
    expect(share('neutral')).toBeLessThan(0.5);
  });

  it('has tickers on every row and timestamps in past weeks, in ascending order with the ids', () => {
    for (const r of records) expect(r.tickers.length).toBeGreaterThan(0);
    const times = records.map((r) => Date.parse(r.published_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(28 * 86_400_000);
    expect(records.map((r) => r.id)).toEqual(records.map((_, i) => `fsh-${String(i + 1).padStart(4, '0')}`));
  });

  it('loads through the JSONL loader without a single bad row', async () => {
    const data = await loadProjectHeadlines();
    expect(data.warnings).toEqual([]);
    expect(data.rows).toHaveLength(records.length);
  });
});

describe('the train / validation / test split of the headline set', () => {
  it('matches the committed split files byte for byte (regenerate with scripts/make-headline-splits.ts)', () => {
    const rendered = renderHeadlineSplits(records);
    for (const name of SPLIT_NAMES) expect(readFileSync(headlinesPath(name), 'utf8')).toBe(rendered[name]);
  });

  it('is disjoint, complete and stratified: each label is ~20% test and ~15% validation', async () => {
    const [train, validation, test] = await Promise.all(SPLIT_NAMES.map((s) => loadProjectHeadlines(s)));
    const ids = [train!, validation!, test!].map((d) => new Set(d.rows.map((r) => r.id)));
    expect(ids[0]!.size + ids[1]!.size + ids[2]!.size).toBe(records.length);
    for (const id of ids[2]!) {
      expect(ids[0]!.has(id)).toBe(false);
      expect(ids[1]!.has(id)).toBe(false);
    }
    for (const label of LABELS) {
      const total = records.filter((r) => r.label === label).length;
      expect(test!.counts[label]).toBe(Math.round(total * 0.2));
      expect(validation!.counts[label]).toBe(Math.round(total * 0.15));
    }
  });

  it('does not depend on row order, and changes with the seed', () => {
    const shuffled = [...records].reverse();
    const a = splitRows(records, { seed: HEADLINES_SPLIT_SEED });
    const b = splitRows(shuffled, { seed: HEADLINES_SPLIT_SEED });
    const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id).sort();
    expect(ids(b.test)).toEqual(ids(a.test));
    expect(ids(splitRows(records, { seed: 1 }).test)).not.toEqual(ids(a.test));
  });

  it('keeps existing test rows in test when a row is added', () => {
    const before = splitRows(records, { seed: HEADLINES_SPLIT_SEED });
    const extra = { ...records[0]!, id: 'fsh-9999', text: 'Brand-new headline added later' };
    const after = splitRows([...records, extra], { seed: HEADLINES_SPLIT_SEED });
    const moved = before.test.filter((r) => !after.test.includes(r));
    expect(moved.length).toBeLessThanOrEqual(1);
  });

  it('rejects shares that leave nothing to train on', () => {
    expect(() => splitRows(records, { seed: 1, test: 0.6, validation: 0.4 })).toThrow(
      /leave room for training/,
    );
  });

  it('lives next to the full set', () => {
    expect(headlinesPath('test')).toBe(HEADLINES_PATH.replace('.jsonl', '.test.jsonl'));
  });
});
