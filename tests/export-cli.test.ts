import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECTION_NAMES, SECTION_SCHEMAS } from '../pipeline/export/schema';
import { exportStage, runExportStage } from '../pipeline/export/stage';
import { evaluateStage, runMainJob } from '../pipeline/main-job';
import { type Db, openDb } from '../pipeline/store/db';
import { migrate } from '../pipeline/store/migrate';
import { buildProgram } from '../scripts/cli/program';
import { runExport } from '../scripts/commands/export';
import { fakeRegistry } from './fixtures/cli/fake-family';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'finsent-export-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function sink() {
  let text = '';
  const stream = new PassThrough();
  stream.on('data', (c) => (text += String(c)));
  return { stream, text: () => text };
}

describe('finsent export', () => {
  it('writes one valid file per section from the embedded store and lists each section', async () => {
    const out = path.join(dir, 'data');
    const stdout = sink();
    const env = { dataDir: path.join(dir, 'state') };
    const result = await runExport(
      { outDir: out },
      { env, registry: fakeRegistry(), stdin: process.stdin, stdout: stdout.stream, stderr: sink().stream },
    );
    expect(readdirSync(out).sort()).toEqual(SECTION_NAMES.map((n) => `${n}.json`).sort()); // no temporary files left
    for (const name of SECTION_NAMES) {
      const parsed = SECTION_SCHEMAS[name].safeParse(
        JSON.parse(readFileSync(path.join(out, `${name}.json`), 'utf8')),
      );
      expect(parsed.success, name).toBe(true);
    }
    expect(result.outcomes.find((o) => o.section === 'drift')).toEqual({
      section: 'drift',
      status: 'empty',
      reason: 'no drift computed yet', // the store is migrated on open: the table exists, empty
    });
    expect(stdout.text()).toContain(`wrote 9 files to ${out}`);
    expect(stdout.text()).toMatch(/· drift +empty: no drift computed yet\n/);

    const json = sink();
    await runExport(
      { outDir: out, json: true },
      { env, registry: fakeRegistry(), stdin: process.stdin, stdout: json.stream, stderr: sink().stream },
    );
    const printed = JSON.parse(json.text());
    expect(printed.out).toBe(out);
    expect(printed.sections).toHaveLength(9);
  });

  it('is registered with its options and rejects a bad --days before touching the store', async () => {
    const program = buildProgram();
    const cmd = program.commands.find((c) => c.name() === 'export')!;
    expect(cmd.options.map((o) => o.long)).toEqual([
      '--out',
      '--days',
      '--recent',
      '--include-text',
      '--json',
    ]);
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => stderr.push(String(s)) > 0) as typeof process.stderr.write;
    try {
      await program.parseAsync([
        'node',
        'finsent',
        'export',
        '--days',
        'zero',
        '--out',
        path.join(dir, 'never'),
      ]);
    } finally {
      process.stderr.write = write;
    }
    expect(process.exitCode).toBe(2);
    process.exitCode = 0;
    expect(stderr.join('')).toContain('--days must be a positive whole number, got "zero"');
    expect(() => readdirSync(path.join(dir, 'never'))).toThrow();
  });
});

describe('the export stage of the main job', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ dataDir: 'memory://' });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('exports after the evaluate stage, from the job store, and reports what has data', async () => {
    const out = path.join(dir, 'job');
    let text = '';
    const job = await runMainJob([evaluateStage({ model: 'fake' }), exportStage({ outDir: out })], {
      env: { dataDir: dir },
      registry: fakeRegistry(),
      out: { write: (s: string) => (text += s) },
      openStore: async () => ({ ...db, close: async () => {} }), // the job closes its store; keep ours
    });
    expect(job.ok).toBe(true);
    expect(text).toMatch(/✓ export done in [\d.]+ s: 9 sections → .*job \(1 with data, 8 empty\)/);
    expect(JSON.parse(readFileSync(path.join(out, 'overview.json'), 'utf8')).section).toBe('overview');
  });

  it('fails the stage when a section cannot be exported, after writing the others', async () => {
    // A predictions column of the wrong type makes its queries fail; the transaction undoes it.
    await db
      .transaction(async (tx) => {
        await tx.exec(
          "ALTER TABLE predictions ALTER COLUMN latency_ms TYPE text; INSERT INTO predictions (id, model, version, label, sentiment, confidence, score_positive, score_negative, score_neutral, latency_ms, text_hash, text_length) VALUES ('x', 'm', '1', 'neutral', 0, 1, 0, 0, 1, 'slow', 'h', 1)",
        );
        const ctx = {
          db: async () => tx,
          out: { write: () => true },
          results: new Map(),
        } as unknown as Parameters<typeof runExportStage>[0];
        await expect(runExportStage(ctx, { outDir: path.join(dir, 'failing') })).rejects.toThrow(
          /dashboard section\(s\) failed to export: exporting (predictions|traffic) failed/,
        );
        expect(readdirSync(path.join(dir, 'failing'))).toHaveLength(9);
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
  });
});
