import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrainingConfig } from '../config/training';
import {
  loadLabelledSet,
  loadTrainingData,
  resolveDataFile,
  TWITTER_FINANCIAL_LABELS,
} from '../models/training/data';
import { resolveTrainer } from '../models/training/trainers';
import { syntheticHeadlines } from './fixtures/promotion/fake-models';

const tmp = mkdtempSync(path.join(tmpdir(), 'finsent-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CSV =
  'text,label\n"$ALLY - Ally Financial pulls outlook",0\n"Dell, HPE targets raised",1\nFed minutes due today,2\n';
const sha = createHash('sha256').update(CSV).digest('hex');

describe('training data', () => {
  it("reads CSV with quotes and maps the Twitter set's numeric labels", async () => {
    const file = path.join(tmp, 'sent.csv');
    writeFileSync(file, CSV);
    const set = await loadLabelledSet(file, TWITTER_FINANCIAL_LABELS);
    expect(set.rows).toEqual([
      { text: '$ALLY - Ally Financial pulls outlook', label: 'negative' },
      { text: 'Dell, HPE targets raised', label: 'positive' },
      { text: 'Fed minutes due today', label: 'neutral' },
    ]);
    expect(set.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    await expect(loadLabelledSet(file)).rejects.toThrow(
      /sent\.csv has no usable rows: 3 bad row\(s\), the first at line 2: unknown label "0"/,
    );
  });

  it('cuts a dataset stratified and reproducibly, without overlap', async () => {
    writeFileSync(
      path.join(tmp, 'split.jsonl'),
      syntheticHeadlines(400, 4)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const cfg = parseTrainingConfig(
      `datasets: { s: { train: split.jsonl } }\nfamilies: { vader: { dataset: s } }\n`,
    );
    const a = await loadTrainingData({ data: 's' }, cfg, { dataDir: tmp, root: tmp });
    const b = await loadTrainingData({ data: 's' }, cfg, { dataDir: tmp, root: tmp });
    expect(b.test.fingerprint).toBe(a.test.fingerprint);
    expect(a.train.rows.length + a.validation.rows.length + a.test.rows.length).toBe(400);
    const texts = new Set(a.test.rows.map((r) => r.text));
    expect(a.train.rows.some((r) => texts.has(r.text))).toBe(false);
    const all = [...a.train.rows, ...a.validation.rows, ...a.test.rows];
    const share = (xs: typeof all) => xs.filter((r) => r.label === 'positive').length / xs.length;
    expect(Math.abs(share(a.test.rows) - share(all))).toBeLessThan(0.03);
  });

  it('downloads a pinned URL once, verifies it and serves the cache afterwards', async () => {
    let downloads = 0;
    const fetch: typeof globalThis.fetch = async () => {
      downloads++;
      return new Response(CSV, { status: 200 });
    };
    const file = { url: 'https://huggingface.co/datasets/x/resolve/main/sent_valid.csv', sha256: sha };
    const local = await resolveDataFile(file, { dataDir: tmp, fetch });
    expect(local).toBe(path.join(tmp, 'datasets', `${sha.slice(0, 16)}-sent_valid.csv`));
    expect(await resolveDataFile(file, { dataDir: tmp, fetch })).toBe(local);
    expect(downloads).toBe(1);
  });

  it('refuses a download whose sha256 differs from the pin, caching nothing', async () => {
    const fetch: typeof globalThis.fetch = async () => new Response(`${CSV}tampered,0\n`, { status: 200 });
    const file = { url: 'https://example.org/sent_train.csv', sha256: sha.replace(/^./, '0') };
    await expect(resolveDataFile(file, { dataDir: tmp, fetch })).rejects.toThrow(
      /but config\/training\.yaml pins .*\(nothing was cached\)/,
    );
    expect(existsSync(path.join(tmp, 'datasets', `${file.sha256.slice(0, 16)}-sent_train.csv`))).toBe(false);
  });

  it('explains what to do when offline', async () => {
    const offline: typeof globalThis.fetch = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
    };
    const file = { url: 'https://huggingface.co/datasets/x/resolve/main/other.csv', sha256: sha };
    await expect(resolveDataFile(file, { dataDir: tmp, fetch: offline })).rejects.toThrow(
      /could not download .*other\.csv \(ENOTFOUND\)\. If this machine is offline, fetch the file elsewhere and put it at .* or train on a local file with --data FILE/,
    );
  });

  it('cuts validation and test parts from a dataset that has only a training file', async () => {
    writeFileSync(
      path.join(tmp, 'all.jsonl'),
      syntheticHeadlines(300, 5)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const cfg = parseTrainingConfig(
      `datasets: { mine: { train: all.jsonl } }\nfamilies: { vader: { dataset: mine } }\n`,
    );
    const data = await loadTrainingData({ data: 'mine' }, cfg, { dataDir: tmp, root: tmp });
    expect(data.derived).toEqual({ validation: true, test: true });
    expect(data.train.rows.length + data.validation.rows.length + data.test.rows.length).toBe(300);
    expect(data.test.source).toBe('mine/train#test');
    await expect(loadTrainingData({ data: 'nope' }, cfg, { dataDir: tmp })).rejects.toThrow(
      /"nope" is neither a dataset in config\/training\.yaml \(mine\) nor a data file/,
    );
  });

  it('rejects a config whose family names an unknown dataset', () => {
    expect(() => parseTrainingConfig('datasets: {}\nfamilies: { vader: { dataset: gone } }')).toThrow(
      /families\.vader\.dataset: names no dataset/,
    );
  });

  it('names the trainable families when asked for an unknown one', async () => {
    await expect(resolveTrainer('vader', {})).rejects.toThrow(/no trainable family is registered/);
  });
});
