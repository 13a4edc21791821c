import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQualityConfig } from '../config/quality';
import type { SourcesConfig } from '../config/sources';
import { runCollectStage } from '../pipeline/collect/stage';
import type { Db } from '../pipeline/store/db';
import { SAMPLE_BAD, SAMPLE_HEADLINES, testSourcesConfig } from './fixtures/sources/config';
import {
  type FixtureServer,
  fixture,
  loopbackFetch,
  type Reply,
  serveFixtures,
} from './fixtures/sources/server';
import { dbTargets } from './helpers/db';

const quality = loadQualityConfig();
const rss = (name: string): Reply => ({
  headers: { 'content-type': 'application/rss+xml' },
  body: fixture(name),
});
const json = (name: string): Reply => ({
  headers: { 'content-type': 'application/json' },
  body: fixture(name).toString(),
});

function routes(): Record<string, Reply | Reply[]> {
  return {
    '/yahoo': rss('yahoo-headline-aapl.rss'),
    '/api/v1/company-news': json('finnhub-company-news-aapl.json'),
    '/v2/reference/news': [json('polygon-news-page1.json'), json('polygon-news-page2.json')],
    '/maintenance': {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: fixture('html-error-page.html'),
    },
    '/huge': { streamBytes: 20 * 1024 * 1024 },
    '/gnw': rss('globenewswire-earnings.rss'),
    '/flaky': [{ status: 500, body: 'Internal Server Error' }, rss('globenewswire-earnings.rss')],
    '/query': json('alphavantage-note-throttle.json'),
  };
}

describe.each(dbTargets())('collecting into $name', (target) => {
  let db: Db;
  // A server per target: reply sequences (a 500 then a 200, page 1 then page 2) start afresh.
  let server: FixtureServer;
  beforeAll(async () => {
    db = await target.open();
    server = await serveFixtures(routes());
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  const collect = (sources: SourcesConfig, only?: string[], since?: Date) =>
    runCollectStage(
      { db, env: { FINNHUB_API_KEY: 'fh', POLYGON_API_KEY: 'pg', ALPHA_VANTAGE_API_KEY: 'av' } },
      { sourcesConfig: sources, quality, fetch: loopbackFetch, failOn: 'never', sources: only, since },
    );
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await db.query<{ n: number }>(sql, params))[0]?.n);

  it('stores the sample once: a re-run over the same items stores nothing twice', async () => {
    const cfg = testSourcesConfig({ sample: { kind: 'sample', path: SAMPLE_HEADLINES } });
    const first = await collect(cfg);
    expect(first.sources[0]).toMatchObject({
      status: 'succeeded',
      fetched: 30,
      newArticles: 30,
      quarantined: 0,
    });
    expect(first.sources[0]?.watermarkAfter?.toISOString()).toBe('2024-07-23T01:00:00.000Z');
    // The watermark (less the 30-minute overlap) makes the next run skip what it has seen…
    const second = await collect(cfg);
    expect(second.sources[0]).toMatchObject({ fetched: 30, skippedOld: 29, unchanged: 1, newArticles: 0 });
    // …and a forced backfill over the same items finds them all already stored.
    const backfill = await collect(cfg, undefined, new Date('2000-01-01T00:00:00Z'));
    expect(backfill.sources[0]).toMatchObject({ fetched: 30, skippedOld: 0, newArticles: 0, unchanged: 30 });
    expect(await count(`SELECT count(*)::int AS n FROM raw_data WHERE source = 'sample'`)).toBe(30);
    expect(await count(`SELECT count(*)::int AS n FROM article_provenance WHERE source = 'sample'`)).toBe(30);
    expect(await count(`SELECT count(*)::int AS n FROM article_sources WHERE source = 'sample'`)).toBe(0);
  });

  it('merges one story from three sources into one article and keeps every provenance', async () => {
    const cfg = testSourcesConfig({
      yahoo: { kind: 'feed', url_template: `${server.url}/yahoo?s={ticker}` },
      finnhub: { kind: 'finnhub', api_key_env: 'FINNHUB_API_KEY', base_url: server.url },
      polygon: { kind: 'polygon', api_key_env: 'POLYGON_API_KEY', base_url: server.url },
    });
    const result = await collect(cfg);
    expect(result.status).toBe('succeeded');
    const story = await db.query<{ id: string; source_count: number; tickers: string[] }>(
      `SELECT id, source_count, tickers FROM raw_data
       WHERE headline ILIKE 'Apple beats second-quarter estimates as services revenue hits a record%'`,
    );
    // One row, whichever source delivered it first (the sample of the first test did, here).
    expect(story).toHaveLength(1);
    expect(story[0]?.tickers).toEqual(['AAPL']);
    const provenance = await db.query<{ source: string; merged: boolean }>(
      'SELECT source, merged FROM article_provenance WHERE article_id = $1 ORDER BY source',
      [story[0]?.id],
    );
    expect(provenance.map((p) => p.source)).toEqual(expect.arrayContaining(['finnhub', 'polygon', 'yahoo']));
    expect(story[0]?.source_count).toBe(provenance.length);
    expect(provenance.filter((p) => !p.merged)).toHaveLength(1);
    // Later deliveries keep their own payload in article_sources; the first one's is on raw_data.
    const later = await db.query<{ raw: unknown }>('SELECT raw FROM article_sources WHERE article_id = $1', [
      story[0]?.id,
    ]);
    expect(later).toHaveLength(provenance.length - 1);
    expect(
      later.every((l) => typeof l.raw === 'object' && l.raw !== null && Object.keys(l.raw).length > 0),
    ).toBe(true);
    expect(result.sources.reduce((s, r) => s + r.merged, 0)).toBeGreaterThanOrEqual(2);
  });

  it('keeps collecting when one source fails, and reports the failure with the response quarantined', async () => {
    const cfg = testSourcesConfig({
      broken: { kind: 'feed', urls: [`${server.url}/maintenance`] },
      huge: { kind: 'feed', urls: [`${server.url}/huge`] },
      press: { kind: 'feed', urls: [`${server.url}/gnw`] },
    });
    const result = await collect(cfg);
    expect(result.status).toBe('partial');
    const by = Object.fromEntries(result.sources.map((s) => [s.source, s]));
    expect(by.broken).toMatchObject({ status: 'failed', newArticles: 0, watermarkAfter: null });
    expect(by.broken?.error).toContain(
      'returned an HTML page ("503 Service Temporarily Unavailable") instead of a feed',
    );
    expect(by.huge?.error).toContain('larger than max_body_bytes');
    expect(by.press).toMatchObject({ status: 'succeeded', newArticles: 2 });
    const rejected = await db.query<{ source: string; stage: string; reasons: string[] }>(
      `SELECT source, stage, reasons FROM quarantine WHERE item_key LIKE 'response:%' AND source IN ('broken', 'huge')
       ORDER BY source`,
    );
    expect(rejected.map((r) => [r.source, r.stage])).toEqual([
      ['broken', 'fetch'],
      ['huge', 'fetch'],
    ]);
    const run = await db.query<{ status: string }>('SELECT status FROM collection_runs WHERE id = $1', [
      result.runId,
    ]);
    expect(run[0]?.status).toBe('partial');
  });

  it('moves the watermark only when every page of the source is stored', async () => {
    const cfg = testSourcesConfig({
      wires: { kind: 'feed', urls: [`${server.url}/yahoo?s=AAPL`, `${server.url}/flaky`] },
    });
    const first = await collect(cfg);
    expect(first.sources[0]).toMatchObject({ status: 'partial', watermarkAfter: null });
    // (Stories other tests stored already are merged rather than new: both count as stored.)
    expect((first.sources[0]?.newArticles ?? 0) + (first.sources[0]?.merged ?? 0)).toBe(3);
    const second = await collect(cfg);
    // The rows of the first URL were kept and are not stored again; the watermark now moves.
    expect(second.sources[0]).toMatchObject({ status: 'succeeded', unchanged: 3 });
    expect((second.sources[0]?.newArticles ?? 0) + (second.sources[0]?.merged ?? 0)).toBe(2);
    expect(second.sources[0]?.watermarkAfter?.toISOString()).toBe('2024-05-02T21:15:05.000Z');
    expect(await count(`SELECT count(*)::int AS n FROM article_provenance WHERE source = 'wires'`)).toBe(5);
  });

  it('keeps the checkpoint of each stored oldest-first page when a later page fails', async () => {
    const broken = await serveFixtures({
      '/v2/reference/news': [
        json('polygon-news-page1.json'),
        { headers: { 'content-type': 'text/html' }, body: fixture('html-error-page.html') },
      ],
    });
    try {
      const cfg = testSourcesConfig({
        pgb: { kind: 'polygon', api_key_env: 'POLYGON_API_KEY', base_url: broken.url },
      });
      const result = await collect(cfg);
      expect(result.sources[0]).toMatchObject({ status: 'failed', pages: 1 });
      expect((result.sources[0]?.newArticles ?? 0) + (result.sources[0]?.merged ?? 0)).toBe(2);
      expect(result.sources[0]?.error).toContain('returned an HTML page');
      // Page 1 was stored with its checkpoint; the failure of page 2 does not undo that.
      expect(result.sources[0]?.watermarkAfter?.toISOString()).toBe('2024-04-19T14:25:00.000Z');
    } finally {
      await broken.close();
    }
  });

  it('quarantines every bad sample line with its reasons, idempotently', async () => {
    const cfg = testSourcesConfig({ bad: { kind: 'sample', path: SAMPLE_BAD } });
    const result = await collect(cfg);
    expect(result.sources[0]).toMatchObject({ fetched: 10, newArticles: 1, merged: 1, quarantined: 8 });
    const rows = await db.query<{ item_key: string; reasons: string[] }>(
      `SELECT item_key, reasons FROM quarantine WHERE source = 'bad' ORDER BY item_key`,
    );
    expect(rows.map((r) => r.item_key)).toEqual([
      'b-0003',
      'b-0004',
      'b-0005',
      'b-0006',
      'b-0007',
      'b-0010',
      'line-2',
      'line-8',
    ]);
    expect(rows.find((r) => r.item_key === 'b-0005')?.reasons).toEqual([
      'language.allowed: language "de" is not one of en',
    ]);
    await collect(cfg, undefined, new Date('1960-01-01T00:00:00Z'));
    const again = await db.query<{ n: number; seen: number }>(
      `SELECT count(*)::int AS n, min(seen_count)::int AS seen FROM quarantine WHERE source = 'bad'`,
    );
    expect(again[0]).toEqual({ n: 8, seen: 2 });
  });

  it('accepts rows other stages write with only the base columns of raw_data', async () => {
    await db.query(
      `INSERT INTO raw_data (id, source, url, headline, summary, tickers, published_at, language, raw)
       VALUES ('ext-1', 'external', NULL, 'Externally written headline for a fixture', NULL, '{AAPL}',
               '2024-05-01T00:00:00Z', 'en', '{}'),
              ('ext-2', 'external', NULL, 'Another externally written headline', NULL, '{}',
               '2024-05-01T00:00:00Z', 'en', '{}')`,
    );
    const rows = await db.query<{ collected_at: unknown; item_key: unknown }>(
      `SELECT collected_at, item_key FROM raw_data WHERE source = 'external'`,
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.collected_at !== null && r.item_key === null)).toBe(true);
  });

  it('ends an Alpha Vantage run throttled by a "Note" as rate-limited and charges the request to the quota', async () => {
    const cfg = testSourcesConfig({
      av: {
        kind: 'alphavantage',
        api_key_env: 'ALPHA_VANTAGE_API_KEY',
        base_url: server.url,
        daily_requests: 25,
        min_interval_minutes: 60,
      },
    });
    const first = await collect(cfg);
    expect(first.sources[0]).toMatchObject({ status: 'rate_limited', requests: 1, watermarkAfter: null });
    expect(first.status).toBe('failed');
    const state = await db.query<{ quota_used: number }>(
      `SELECT quota_used FROM source_watermarks WHERE source = 'av'`,
    );
    expect(state[0]?.quota_used).toBe(1);
    const second = await collect(cfg);
    expect(second.sources[0]?.status).toBe('skipped');
    expect(second.sources[0]?.error).toMatch(/min_interval_minutes \(60\) allows the next run after/);
  });
});
