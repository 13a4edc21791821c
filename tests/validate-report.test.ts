import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQualityConfig, parseQualityConfig, type QualityConfig } from '../config/quality';
import { runCollectStage } from '../pipeline/collect/stage';
import type { Db } from '../pipeline/store/db';
import { freshnessRule, robustZ, verdictOf, volumeRule } from '../pipeline/validate/rules';
import { validateCollected } from '../pipeline/validate/run';
import { QualityGateError, runValidateStage } from '../pipeline/validate/stage';
import { SAMPLE_BAD, SAMPLE_HEADLINES, testSourcesConfig } from './fixtures/sources/config';
import { dbTargets } from './helpers/db';

const quality = loadQualityConfig();

describe('dataset rules', () => {
  it('scores a volume spike with the robust z-score and ignores ordinary noise', () => {
    const history = [30, 28, 35, 31, 29, 33, 30, 32];
    // median 30.5, MAD 1.5: 0.6745 · 0.5 / 1.5
    expect(robustZ(31, history)).toBeCloseTo(0.2248, 3);
    expect(robustZ(120, history)).toBeGreaterThan(30);
    expect(robustZ(5, [5, 5, 5, 5, 5])).toBe(0);
    expect(robustZ(6, [5, 5, 5, 5, 5])).toBe(Number.POSITIVE_INFINITY);
    expect(volumeRule('yahoo', [0], history, { minHistory: 5, threshold: 3.5 })).toMatchObject({
      status: 'warn',
      message: '0 items against a median of 30.5 over 8 runs (robust z -13.71)',
    });
    expect(volumeRule('yahoo', [31], history.slice(0, 3), { minHistory: 5, threshold: 3.5 })).toMatchObject({
      status: 'skipped',
      message: '3 earlier runs, 5 needed for a baseline',
    });
  });

  it('warns when a source has nothing newer than the freshness limit', () => {
    const now = new Date('2024-05-10T00:00:00Z');
    expect(freshnessRule('yahoo', new Date('2024-05-09T20:00:00Z'), now, 48).status).toBe('pass');
    expect(freshnessRule('yahoo', new Date('2024-05-01T00:00:00Z'), now, 48)).toMatchObject({
      status: 'warn',
      value: 216,
    });
  });

  it('takes the worst status as the verdict', () => {
    const r = (status: 'pass' | 'warn' | 'fail' | 'skipped') => ({
      rule: 'x',
      status,
      value: null,
      threshold: null,
      message: '',
    });
    expect(verdictOf([r('pass'), r('skipped')])).toBe('pass');
    expect(verdictOf([r('pass'), r('warn')])).toBe('warn');
    expect(verdictOf([r('warn'), r('fail')])).toBe('fail');
  });
});

describe.each(dbTargets())('the validate stage on $name', (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await target.open();
  });
  afterAll(() => db.close());

  const collect = (file: string, source = 'sample', q: QualityConfig = quality) =>
    runCollectStage(
      { db },
      {
        sourcesConfig: testSourcesConfig({ [source]: { kind: 'sample', path: file } }),
        quality: q,
        failOn: 'never',
      },
    );

  it('writes a report with counts per source and every rule, and marks the runs as reported', async () => {
    const run = await collect(SAMPLE_HEADLINES);
    const report = await runValidateStage({ db }, { quality });
    expect(report.verdict).toBe('pass');
    expect(report.runIds).toEqual([run.runId]);
    expect(report.counts.sample).toMatchObject({ runs: 1, fetched: 30, newArticles: 30, quarantined: 0 });
    expect(report.rowsChecked).toBe(30);
    expect(report.rules.map((r) => `${r.rule}${r.source ? `[${r.source}]` : ''}:${r.status}`)).toEqual([
      'quarantine_rate:pass',
      'duplicate_rate:pass',
      'unmerged_duplicates:pass',
      'null_rate.summary[sample]:pass',
      'null_rate.url[sample]:pass',
      'null_rate.tickers[sample]:pass',
      'failed_sources:pass',
    ]);
    const stored = await db.query<{ verdict: string; rows_checked: number; summary: string }>(
      'SELECT verdict, rows_checked, summary FROM data_quality_reports WHERE id = $1',
      [report.id],
    );
    expect(stored[0]).toMatchObject({ verdict: 'pass', rows_checked: 30 });
    expect(stored[0]?.summary).toMatch(
      /^verdict PASS: 1 run\(s\), 30 rows checked, 30 accepted, 0 quarantined$/,
    );
    const again = await runValidateStage({ db }, { quality });
    expect(again.runIds).toEqual([]);
    expect(again.rules[0]).toMatchObject({ rule: 'window', status: 'skipped' });
  });

  it('fails the gate when most items are quarantined, after storing the report', async () => {
    await collect(SAMPLE_BAD, 'bad');
    const error = await runValidateStage({ db }, { quality }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QualityGateError);
    const report = (error as QualityGateError).report;
    expect(report.verdict).toBe('fail');
    expect(report.rules.find((r) => r.rule === 'quarantine_rate')).toMatchObject({
      status: 'fail',
      message: '8 of 10 items quarantined (0.800)',
    });
    expect((error as Error).message).toMatch(
      /failed the gate — verdict FAIL: .*fail quarantine_rate: 8 of 10 items quarantined/,
    );
    const stored = await db.query<{ verdict: string }>(
      'SELECT verdict FROM data_quality_reports WHERE id = $1',
      [report.id],
    );
    expect(stored[0]?.verdict).toBe('fail');
  });

  it('moves stored rows that fail tightened rules to quarantine, with their reasons', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'finsent-validate-')), 'fresh.jsonl');
    const lines = [
      'Globex shares climb after the company raises its full-year revenue outlook once again',
      'Initech stock slides as margins shrink',
      'Umbrella Pharma wins approval for its new vaccine, sending shares to a record high today',
      'Acme Robotics names a new chief financial officer',
    ].map((text, i) =>
      JSON.stringify({ id: `f-${i}`, text, tickers: [], published_at: `2024-05-0${i + 1}T10:00:00Z` }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    await collect(file, 'fresh');
    const strict = parseQualityConfig(
      JSON.stringify({
        ...quality,
        row: { ...quality.row, headline: { min_chars: 10, max_chars: 400, min_words: 13 } },
      }),
    );
    const report = await validateCollected({ db, quality: strict });
    expect(report).toMatchObject({ rowsChecked: 4, rowsAccepted: 2, rowsQuarantined: 2 });
    const moved = await db.query<{ item_key: string; reasons: string[] }>(
      `SELECT item_key, reasons FROM quarantine WHERE source = 'fresh' AND stage = 'validate' ORDER BY item_key`,
    );
    expect(moved).toEqual([
      { item_key: 'f-1', reasons: ['headline.words: 6 word(s), fewer than 13'] },
      { item_key: 'f-3', reasons: ['headline.words: 8 word(s), fewer than 13'] },
    ]);
    const left = await db.query<{ item_key: string }>(
      `SELECT item_key FROM raw_data WHERE source = 'fresh' ORDER BY 1`,
    );
    expect(left.map((r) => r.item_key)).toEqual(['f-0', 'f-2']);
  });

  it('flags a volume anomaly against the source’s recent runs', async () => {
    // Ten ordinary runs of ~30 items, then one with 400.
    for (let i = 0; i < 11; i++) {
      const run = await db.query<{ id: number }>(
        `INSERT INTO collection_runs (status, trigger, sources) VALUES ('succeeded', 'test', '{volume}') RETURNING id`,
      );
      await db.query(
        `INSERT INTO collection_run_sources (run_id, source, status, fetched) VALUES ($1, 'volume', 'succeeded', $2)`,
        [run[0]?.id, i < 10 ? 28 + (i % 5) : 400],
      );
      if (i === 9) await validateCollected({ db, quality });
    }
    const report = await validateCollected({ db, quality });
    const volume = report.rules.find((r) => r.rule === 'volume' && r.source === 'volume');
    expect(volume).toMatchObject({ status: 'warn', threshold: '|robust z| > 3.5' });
    expect(volume?.message).toMatch(/^400 items against a median of 30 over 10 runs/);
    expect(report.verdict).toBe('warn');
  });
});
