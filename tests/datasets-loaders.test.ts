import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, InputError } from '../lib/errors';
import { sharedDir } from '../lib/paths';
import { fingerprintRows, loadDataset, parseDataset, parseLabelMap } from '../models/datasets';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', 'datasets', name);

describe('CSV datasets', () => {
  it('reads RFC 4180 quoting: commas, doubled quotes and line breaks inside quotes, BOM and CRLF', async () => {
    const data = await loadDataset(fixture('quoted.csv'));
    expect(data.format).toBe('csv');
    expect(data.warnings).toEqual([]);
    expect(data.rows).toEqual([
      { text: 'Apple beats estimates, raises outlook', label: 'positive', line: 2 },
      { text: 'Nike says "no change" to guidance', label: 'neutral', line: 3 },
      { text: 'Boeing takes charge\r\non 777X delays', label: 'negative', line: 4 },
      { text: `Plain unquoted headline with a 'quote' and "inner quotes"`, label: 'positive', line: 6 },
      { text: 'Intel misses; shares fall 9%', label: 'negative', line: 8 },
    ]);
    expect(data.counts).toEqual({ positive: 2, negative: 2, neutral: 1 });
  });

  it('reports every bad row with its file and line, keeps the good ones, and drops none silently', async () => {
    const file = fixture('bad-rows.csv');
    const data = await loadDataset(file);
    expect(data.rows.map((r) => [r.line, r.text])).toEqual([
      [2, 'Costco sales rise 6%'],
      [8, 'Exxon declares dividend'],
    ]);
    expect(data.warnings.map((w) => [w.file, w.line])).toEqual([
      [file, 3],
      [file, 4],
      [file, 5],
      [file, 6],
      [file, 7],
      [file, 9],
    ]);
    const byLine = new Map(data.warnings.map((w) => [w.line, w.message]));
    expect(byLine.get(3)).toMatch(/3 fields but the header has 2/);
    expect(byLine.get(4)).toMatch(/after a closing quote/);
    expect(byLine.get(5)).toMatch(/unknown label "strongly positive"/);
    expect(byLine.get(6)).toMatch(/text is empty/);
    expect(byLine.get(7)).toMatch(/numeric labels need a map/);
    expect(byLine.get(9)).toMatch(/unterminated quoted field/);
  });

  it('fails on the first bad row in strict mode, naming file and line', async () => {
    await expect(loadDataset(fixture('bad-rows.csv'), { strict: true })).rejects.toThrow(
      /bad-rows\.csv:3: has 3 fields but the header has 2/,
    );
  });

  it('maps numeric labels through a label map, with label names as targets', async () => {
    const data = await loadDataset(fixture('numeric.csv'), { labelMap: '0=bearish, 1=bullish, 2=neutral' });
    expect(data.rows.map((r) => r.label)).toEqual(['negative', 'negative', 'positive', 'neutral']);
    expect(data.rows[1]!.text).toBe('$DELL $HPE - Dell, HPE targets trimmed');
  });

  it('says numeric labels need a map when a file has no usable row without one', async () => {
    await expect(loadDataset(fixture('numeric.csv'))).rejects.toThrow(
      /has no usable rows: 4 bad row\(s\), the first at line 2: unknown label "0": numeric labels need a map/,
    );
  });

  it('names the header it found when the text or label column is missing', async () => {
    await expect(loadDataset(fixture('numeric.csv'), { textColumn: 'headline' })).rejects.toThrow(
      /columns \["text","label"\] but no text column "headline": pass --text-column/,
    );
  });

  it('treats an empty file as an error', async () => {
    await expect(loadDataset(fixture('empty.csv'))).rejects.toThrow(DataError);
    await expect(loadDataset(fixture('empty.csv'))).rejects.toThrow(/has no usable rows: the file is empty/);
  });
});

describe('TSV datasets', () => {
  it('reads tab-separated files with configurable text and label columns', async () => {
    const data = await loadDataset(fixture('custom-columns.tsv'), {
      textColumn: 'Headline',
      labelColumn: 'sentiment',
    });
    expect(data.format).toBe('tsv');
    expect(data.rows.map((r) => [r.text, r.label])).toEqual([
      ['Chevron raises dividend 5%', 'positive'],
      ['Merck cuts forecast, shares fall', 'negative'],
      ['Disney sets meeting date', 'neutral'],
    ]);
  });
});

describe('Financial PhraseBank datasets', () => {
  it('decodes latin-1, splits on the last "@", and reports lines without a label', async () => {
    const file = fixture('phrasebank-latin1.txt');
    const data = await loadDataset(file);
    expect(data.format).toBe('phrasebank');
    expect(data.rows.map((r) => [r.line, r.label, r.text])).toEqual([
      [1, 'neutral', 'According to Gran , the company has no plans to move all production to Russia .'],
      [2, 'positive', "Stockmann's Göteborg department store sales rose 12 % in the quarter ."],
      [3, 'neutral', 'For details contact ir@kesko.fi or the CFO .'],
      [4, 'negative', 'Operating profit fell to EUR 3.5 mn from EUR 7.1 mn .'],
      [8, 'negative', 'The Finnish bank Ålandsbanken reported a loss .'],
    ]);
    expect(data.warnings).toEqual([
      { file, line: 5, message: expect.stringMatching(/has no "@"/) },
      { file, line: 6, message: expect.stringMatching(/unknown label "mixed"/) },
    ]);
  });

  it('reads a UTF-8 PhraseBank file as UTF-8 when its bytes are valid UTF-8', () => {
    const bytes = Buffer.from('Stockmann Göteborg sales rose .@positive\n', 'utf8');
    const data = parseDataset(bytes, { source: 'pb.txt', format: 'phrasebank' });
    expect(data.rows[0]!.text).toBe('Stockmann Göteborg sales rose .');
  });

  it('refuses latin-1 bytes declared as UTF-8 instead of inventing replacement characters', () => {
    const bytes = Buffer.from('text,label\nG\u00f6teborg sales rose,positive\n', 'latin1');
    expect(() => parseDataset(bytes, { source: 'x.csv', format: 'csv' })).toThrow(
      /not valid UTF-8.*--encoding latin1/,
    );
    expect(parseDataset(bytes, { source: 'x.csv', format: 'csv', encoding: 'latin1' }).rows[0]!.text).toBe(
      'Göteborg sales rose',
    );
  });
});

describe('JSONL datasets', () => {
  it('keeps valid rows with their ids and reports each malformed line', async () => {
    const file = fixture('headlines.jsonl');
    const data = await loadDataset(file);
    expect(data.rows).toEqual([
      { text: 'Apple beats estimates', label: 'positive', line: 1, id: 'h1' },
      { text: 'Intel misses', label: 'negative', line: 2 },
      { text: 'Fed holds rates', label: 'neutral', line: 4 },
    ]);
    expect(data.warnings.map((w) => [w.line, w.message.split(/[:(]/)[0]!.trim()])).toEqual([
      [5, 'not valid JSON'],
      [6, 'not a JSON object'],
      [7, 'has no label'],
      [8, 'text is empty'],
      [9, 'unknown label "sideways"'],
      [10, 'unknown label "1"'],
    ]);
  });

  it('accepts numeric labels once a label map names them', async () => {
    const data = await loadDataset(fixture('headlines.jsonl'), { labelMap: { 1: 'positive' } });
    expect(data.rows.at(-1)).toEqual({ text: 'Costco sales rise', label: 'positive', line: 10 });
  });

  it('treats a file of blank lines as having no rows', async () => {
    await expect(loadDataset(fixture('blank.jsonl'))).rejects.toThrow(/blank\.jsonl has no usable rows/);
  });

  it('points at --format when every line fails because the format is wrong', async () => {
    await expect(loadDataset(fixture('quoted.csv'), { format: 'jsonl' })).rejects.toThrow(
      /no usable rows: .*not valid JSON.*is it really jsonl\? pass --format/,
    );
  });
});

describe('format detection and file errors', () => {
  it('asks for --format when the extension says nothing', async () => {
    await expect(loadDataset('data/headlines.parquet')).rejects.toThrow(InputError);
    await expect(loadDataset('data/headlines.parquet')).rejects.toThrow(
      /pass --format jsonl\|csv\|tsv\|phrasebank/,
    );
  });

  it('lets --format override the extension', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'finsent-ds-'));
    const file = path.join(dir, 'export.data');
    writeFileSync(file, 'Profit rose .@positive\n');
    expect((await loadDataset(file, { format: 'phrasebank' })).rows).toHaveLength(1);
    await expect(loadDataset(file, { format: 'xml' as never })).rejects.toThrow(
      /unknown dataset format "xml"/,
    );
  });

  it('turns a missing file or a directory into a one-line DataError', async () => {
    await expect(loadDataset(fixture('nope.csv'))).rejects.toThrow(
      /cannot read dataset .*nope\.csv: no such file/,
    );
    await expect(loadDataset(`${fixture('')}.csv`, { format: 'csv' })).rejects.toThrow(DataError);
  });
});

describe('label maps', () => {
  it('parses raw=label pairs and rejects malformed or unknown targets', () => {
    expect([...parseLabelMap('0=negative,1=positive,2=neutral')]).toEqual([
      ['0', 'negative'],
      ['1', 'positive'],
      ['2', 'neutral'],
    ]);
    expect(() => parseLabelMap('0:negative')).toThrow(/is not raw=label/);
    expect(() => parseLabelMap('0=meh')).toThrow(/maps to an unknown label/);
    expect(() => parseLabelMap(' , ')).toThrow(/label map is empty/);
  });
});

describe('dataset fingerprints', () => {
  it('is the same for the same rows in CSV and JSONL, whatever the quoting and line endings', async () => {
    const csv = await loadDataset(fixture('same-rows.csv'));
    const jsonl = await loadDataset(fixture('same-rows.jsonl'));
    expect(csv.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(csv.fingerprint).toBe(jsonl.fingerprint);
  });

  it('changes when a label, a text or the order changes', () => {
    const rows = [
      { text: 'Apple beats', label: 'positive' as const },
      { text: 'Intel misses', label: 'negative' as const },
    ];
    const base = fingerprintRows(rows);
    expect(fingerprintRows([rows[0]!, { ...rows[1]!, label: 'neutral' }])).not.toBe(base);
    expect(fingerprintRows([rows[0]!, { ...rows[1]!, text: 'Intel misses badly' }])).not.toBe(base);
    expect(fingerprintRows([rows[1]!, rows[0]!])).not.toBe(base);
  });
});

const twitterDir = sharedDir('data', 'twitter-financial-news-sentiment');
if (!twitterDir)
  console.warn('[finsent tests] ../shared/data is absent: the real-CSV loader check is skipped.');

describe.skipIf(!twitterDir)('a real public dataset (../shared/data, when present)', () => {
  it('reads the Twitter Financial News validation CSV completely, with its card label map', async () => {
    const data = await loadDataset(path.join(twitterDir!, 'sent_valid.csv'), {
      labelMap: '0=bearish,1=bullish,2=neutral',
    });
    expect(data.warnings).toEqual([]);
    expect(data.rows).toHaveLength(2388);
    expect(data.counts).toEqual({ negative: 347, positive: 475, neutral: 1566 });
  });
});
