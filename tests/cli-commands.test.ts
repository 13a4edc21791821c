import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DataError, InputError, UnknownModelError } from '../lib/errors';
import { parseEvalOptions, runEval } from '../scripts/commands/eval';
import { type CommandDeps, readLineBatches, runScore } from '../scripts/commands/score';
import { fakeRegistry, type keywordModel } from './fixtures/cli/fake-family';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', 'datasets', name);

function harness(stdin: NodeJS.ReadableStream = Readable.from([])) {
  const loaded: ReturnType<typeof keywordModel>[] = [];
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const stderr = new PassThrough();
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const deps: CommandDeps = {
    registry: fakeRegistry((m) => loaded.push(m)),
    env: { dataDir: '.finsent-test' },
    stdin,
    stdout,
    stderr,
  };
  return { deps, loaded, out: () => out, err: () => err, lines: () => out.split('\n').filter(Boolean) };
}

describe('finsent score', () => {
  it('writes one contract-shaped JSON line per --text, in order', async () => {
    const h = harness();
    const n = await runScore({ model: 'fake', text: ['Apple beats estimates', 'Fed holds rates'] }, h.deps);
    expect(n).toBe(2);
    const [a, b] = h.lines().map((l) => JSON.parse(l));
    expect(a).toMatchObject({ label: 'positive', model: 'fake', version: '0.0.1' });
    expect(Object.keys(a).sort()).toEqual(['confidence', 'label', 'model', 'scores', 'sentiment', 'version']);
    expect(a.scores.positive + a.scores.negative + a.scores.neutral).toBeCloseTo(1, 12);
    expect(b.label).toBe('neutral');
    expect(h.loaded[0]!.closed).toBe(1);
  });

  it('reads stdin lines with a BOM, CRLF and blank lines, one output line per non-blank input line', async () => {
    const h = harness(
      Readable.from([Buffer.from('\uFEFFApple beats\r\n\r\nIntel mis'), Buffer.from('ses\r\n  \nFed holds')]),
    );
    expect(await runScore({ model: 'fake', batchSize: 2 }, h.deps)).toBe(3);
    expect(h.lines().map((l) => JSON.parse(l).label)).toEqual(['positive', 'negative', 'neutral']);
  });

  it('answers the first batch before stdin ends (streaming, not read-to-EOF)', async () => {
    const stdin = new PassThrough();
    const h = harness(stdin);
    const firstOutput = new Promise<void>((resolve) =>
      (h.deps.stdout as PassThrough).once('data', () => resolve()),
    );
    const run = runScore({ model: 'fake', batchSize: 2 }, h.deps);
    stdin.write('Apple beats\nIntel misses\n');
    await firstOutput;
    expect(h.lines()).toHaveLength(2);
    stdin.end('Fed holds rates\n');
    expect(await run).toBe(3);
  }, 5_000);

  it("prints the model's raw scores with --raw", async () => {
    const h = harness();
    await runScore({ model: 'fake', raw: true, text: ['Intel misses'] }, h.deps);
    expect(JSON.parse(h.lines()[0]!)).toEqual({ neg: 1, neu: 0, pos: 0, compound: -0.5 });
  });

  it('refuses --raw for a model without raw output, naming what to use', async () => {
    const h = harness();
    await expect(runScore({ model: 'fake-noraw', raw: true, text: ['x'] }, h.deps)).rejects.toThrow(
      /fake-noraw@0\.0\.1 has no raw output: .*use a VADER model/,
    );
    expect(h.loaded[0]!.closed).toBe(1);
  });

  it('fails on an unknown model before reading stdin, listing the valid ones', async () => {
    const stdin = new PassThrough(); // never ended: reading it would hang the test
    await expect(runScore({ model: 'nosuch' }, harness(stdin).deps)).rejects.toThrow(UnknownModelError);
    await expect(runScore({ model: 'nosuch' }, harness(stdin).deps)).rejects.toThrow(
      /valid models are fake, fake-noraw/,
    );
  });

  it('fails on empty input and on an empty --text', async () => {
    await expect(runScore({ model: 'fake' }, harness(Readable.from(['\n \n'])).deps)).rejects.toThrow(
      /no input: pipe texts/,
    );
    await expect(runScore({ model: 'fake', text: [' '] }, harness().deps)).rejects.toThrow(InputError);
  });

  it('stops quietly when the reader of stdout goes away (EPIPE)', async () => {
    const h = harness(Readable.from([Array.from({ length: 1000 }, (_, i) => `headline ${i}`).join('\n')]));
    h.deps.stdout = new Writable({
      write(_chunk, _enc, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const n = await runScore({ model: 'fake', batchSize: 10 }, h.deps);
    expect(n).toBeLessThan(1000);
    expect(h.loaded[0]!.closed).toBe(1);
  });
});

describe('reading stdin in batches', () => {
  it('hands on each full batch as soon as its lines arrive', async () => {
    const stdin = new PassThrough();
    const batches = readLineBatches(stdin, 2);
    stdin.write('a\nb\nc');
    expect((await batches.next()).value).toEqual(['a', 'b']);
    stdin.end('\n');
    expect((await batches.next()).value).toEqual(['c']);
    expect((await batches.next()).done).toBe(true);
  });

  it('keeps a multi-byte character split across chunks intact', async () => {
    const bytes = Buffer.from('Göteborg\n');
    const batches = readLineBatches(Readable.from([bytes.subarray(0, 2), bytes.subarray(2)]), 10);
    expect((await batches.next()).value).toEqual(['Göteborg']);
  });
});

describe('finsent eval', () => {
  it('prints the table for a labelled file and returns the report', async () => {
    const h = harness();
    const report = await runEval(
      parseEvalOptions({ model: 'fake', data: fixture('quoted.csv'), latencySample: '2' }),
      h.deps,
    );
    expect(report.metrics.n).toBe(5);
    expect(report.model).toMatchObject({ id: 'fake', family: 'fake' });
    expect(h.out()).toMatch(/accuracy\s+\d\.\d{4}/);
    expect(h.out()).toMatch(/true \\ predicted\s+positive\s+negative\s+neutral\s+total/);
    expect(h.err()).toBe('');
    expect(h.loaded[0]!.closed).toBe(1);
  });

  it('prints the report as JSON with --json', async () => {
    const h = harness();
    await runEval(parseEvalOptions({ model: 'fake', data: fixture('same-rows.jsonl'), json: true }), h.deps);
    const report = JSON.parse(h.out());
    expect(report.schema).toBe('finsent.eval/1');
    expect(report.dataset).toMatchObject({ n: 3, format: 'jsonl', skippedRows: 0 });
  });

  it('lists skipped rows on stderr with file and line and counts them in the report', async () => {
    const h = harness();
    const report = await runEval(parseEvalOptions({ model: 'fake', data: fixture('bad-rows.csv') }), h.deps);
    expect(report.dataset.skippedRows).toBe(6);
    expect(h.err()).toMatch(/skipped 6 bad row\(s\)/);
    expect(h.err()).toContain(`${fixture('bad-rows.csv')}:3: has 3 fields`);
  });

  it('applies --label-map, --text-column and --format', async () => {
    const h = harness();
    const report = await runEval(
      parseEvalOptions({
        model: 'fake',
        data: fixture('numeric.csv'),
        labelMap: '0=negative,1=positive,2=neutral',
        format: 'csv',
      }),
      h.deps,
    );
    expect(report.dataset.counts).toEqual({ positive: 1, negative: 2, neutral: 1 });
  });

  it('checks the model before the file, and reports an unreadable file as a DataError', async () => {
    await expect(
      runEval(parseEvalOptions({ model: 'nosuch', data: 'missing.csv' }), harness().deps),
    ).rejects.toThrow(UnknownModelError);
    await expect(
      runEval(parseEvalOptions({ model: 'fake', data: fixture('missing.csv') }), harness().deps),
    ).rejects.toThrow(DataError);
  });

  it('validates its options', () => {
    expect(() => parseEvalOptions({ model: 'fake', data: 'x', format: 'xlsx' })).toThrow(
      /unknown dataset format "xlsx"/,
    );
    expect(() => parseEvalOptions({ model: 'fake', data: 'x', batchSize: '0' })).toThrow(
      /--batch-size must be a positive/,
    );
    expect(() => parseEvalOptions({ model: 'fake', data: 'x', encoding: 'utf16' })).toThrow(
      /unknown encoding/,
    );
    expect(parseEvalOptions({ model: 'fake', data: 'x', latencySample: '0' }).latencySample).toBe(0);
  });
});
