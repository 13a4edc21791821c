import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseSince } from '../pipeline/collect/since';
import { main } from '../scripts/cli/program';
import { SAMPLE_BAD, SAMPLE_HEADLINES } from './fixtures/sources/config';

const dataDir = mkdtempSync(path.join(tmpdir(), 'finsent-cli-'));
const saved = { ...process.env };

beforeAll(() => {
  // The CLI must write into its own embedded store here, never into a shared server.
  delete process.env.DATABASE_URL;
  process.env.FINSENT_DATA_DIR = dataDir;
});
afterAll(() => {
  process.env = saved;
  rmSync(dataDir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await main(['node', 'finsent', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

describe('finsent collect and finsent validate', () => {
  it('collect --json prints the run, with progress lines on stderr, and validate --json the report', async () => {
    const collected = await run('collect', '--source', 'sample', '--sample', SAMPLE_HEADLINES, '--json');
    expect(collected.code).toBe(0);
    const result = JSON.parse(collected.out);
    expect(result).toMatchObject({ status: 'succeeded', sources: [{ source: 'sample', newArticles: 30 }] });
    expect(collected.err).toContain(
      '[collect] sample lines ..30: 30 new, 0 merged, 0 unchanged, 0 quarantined',
    );

    const validated = await run('validate', '--json');
    expect(validated.code).toBe(0);
    expect(JSON.parse(validated.out)).toMatchObject({ verdict: 'pass', rowsChecked: 30 });
  });

  it('exits 1 with the failing rules when the quality gate fails', async () => {
    expect(
      (await run('collect', '-s', 'sample', '--sample', SAMPLE_BAD, '--since', '1990-01-01T00:00:00Z')).code,
    ).toBe(0);
    const validated = await run('validate');
    expect(validated.code).toBe(1);
    expect(validated.out).toMatch(/data quality report \d+: FAIL/);
    expect(validated.out).toMatch(/FAIL\s+quarantine_rate/);
    expect(validated.err).toContain('the quality gate failed');
  });

  it('exits 2 with a clear message for an unknown source or an unreadable --since', async () => {
    const unknown = await run('collect', '--source', 'reuters');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown source "reuters"; configured sources are: sample, sec-edgar');
    const since = await run('collect', '--since', 'last tuesday');
    expect(since.code).toBe(2);
    expect(since.err).toContain('since "last tuesday" is neither an ISO time');
  });

  it('reads --since as an ISO time or a duration back from now', () => {
    const now = new Date('2024-05-03T12:00:00Z');
    expect(parseSince('6h', now).toISOString()).toBe('2024-05-03T06:00:00.000Z');
    expect(parseSince('3d', now).toISOString()).toBe('2024-04-30T12:00:00.000Z');
    expect(parseSince('2024-05-01T00:00:00Z', now).toISOString()).toBe('2024-05-01T00:00:00.000Z');
  });
});
