import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSection } from '../dashboard/src/data';
import {
  ago,
  count,
  dateTime,
  fixed,
  metricName,
  ms,
  pct,
  pValue,
  signed,
  tone,
} from '../dashboard/src/format';
import { SCHEMA_VERSION } from '../pipeline/export/schema';

const drift = {
  schema_version: SCHEMA_VERSION,
  section: 'drift',
  generated_at: '2026-11-23T12:00:00.000Z',
  sources: [
    { table: 'drift_metrics', available: false, rows: null, note: 'table drift_metrics does not exist yet' },
  ],
  empty: { reason: 'no drift computed yet', hint: 'run `finsent monitor`' },
  series: [],
  summary: { ok: 0, warn: 0, alert: 0, latest_at: null },
};

function answer(body: string, init: { status?: number; type?: string } = {}) {
  vi.stubGlobal(
    'fetch',
    vi.fn(
      async () =>
        new Response(body, {
          status: init.status ?? 200,
          headers: { 'content-type': init.type ?? 'application/json' },
        }),
    ),
  );
}

describe('the dashboard reading a section file', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('accepts a file that matches the contract and fetches it without the HTTP cache', async () => {
    answer(JSON.stringify(drift));
    const loaded = await loadSection('drift');
    expect(loaded).toEqual({ ok: true, data: drift });
    expect(fetch).toHaveBeenCalledWith('data/drift.json', { cache: 'no-cache' });
  });

  it('says the file is missing on a 404, and on the HTML a dev server sends for unknown paths', async () => {
    answer('not found', { status: 404, type: 'text/plain' });
    expect(await loadSection('drift')).toMatchObject({
      ok: false,
      kind: 'missing',
      message: expect.stringMatching(/run `finsent export`/),
    });
    answer('<!doctype html><html></html>', { type: 'text/html' });
    expect(await loadSection('drift')).toMatchObject({ ok: false, kind: 'missing' });
  });

  it('rejects broken JSON, another schema version and a file that breaks the schema, saying what to re-run', async () => {
    answer('{"schema_version": 1, ');
    expect(await loadSection('drift')).toMatchObject({
      ok: false,
      kind: 'invalid',
      message: 'data/drift.json is not valid JSON: re-run `finsent export`',
    });
    answer(JSON.stringify({ ...drift, schema_version: 99 }));
    expect(await loadSection('drift')).toMatchObject({
      ok: false,
      kind: 'version',
      message: expect.stringContaining('schema version 99, this dashboard reads 1'),
    });
    answer(JSON.stringify({ ...drift, summary: { ok: -1, warn: 0, alert: 0, latest_at: null } }));
    expect(await loadSection('drift')).toMatchObject({
      ok: false,
      kind: 'invalid',
      message: expect.stringContaining('summary.ok'),
    });
  });

  it('turns a network failure and a server error into messages instead of throwing', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    expect(await loadSection('overview')).toEqual({
      ok: false,
      kind: 'network',
      message: 'could not fetch data/overview.json: Failed to fetch',
    });
    answer('oops', { status: 500, type: 'text/plain' });
    expect(await loadSection('overview')).toEqual({
      ok: false,
      kind: 'network',
      message: 'data/overview.json answered HTTP 500',
    });
  });
});

describe('the dashboard number and date formats', () => {
  it('formats metrics, shares, counts and signed deltas, with a dash for missing values', () => {
    expect(fixed(0.65765)).toBe('0.658');
    expect(fixed(null)).toBe('—');
    expect(fixed(Number.NaN)).toBe('—');
    expect(pct(0.6576)).toBe('65.8%');
    expect(count(1234567)).toBe('1,234,567');
    expect(signed(0.1891)).toBe('+0.189');
    expect(signed(-0.05)).toBe('−0.050');
    expect(signed(0)).toBe('±0.000');
    expect(pValue(0.0004)).toBe('< 0.001');
    expect(pValue(0.01362)).toBe('0.014');
  });

  it('picks the unit of a latency from microseconds to seconds', () => {
    expect(ms(0.0071)).toBe('7.1 µs');
    expect(ms(0.125)).toBe('125 µs');
    expect(ms(3.1372)).toBe('3.14 ms');
    expect(ms(1234)).toBe('1.23 s');
  });

  it('shows times in UTC and relative ages', () => {
    expect(dateTime('2026-11-20T22:08:47Z')).toBe('20 Nov 2026, 22:08 UTC');
    expect(dateTime('not a date')).toBe('—');
    const now = new Date('2026-11-23T12:00:00Z');
    expect(ago('2026-11-23T11:30:00Z', now)).toBe('30 min ago');
    expect(ago('2026-11-23T02:00:00Z', now)).toBe('10 h ago');
    expect(ago('2026-11-19T12:00:00Z', now)).toBe('4 days ago');
  });

  it('names metrics the way people read them and folds status words onto four tones', () => {
    expect(metricName('macro_f1')).toBe('macro-F1');
    expect(metricName('label_share')).toBe('label share');
    expect(['pass', 'promote', 'keep', 'alert', 'whatever'].map(tone)).toEqual([
      'ok',
      'ok',
      'warn',
      'fail',
      'unknown',
    ]);
  });
});
